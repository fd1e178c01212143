package io.berth.engine.container;

import java.util.List;

/**
 * One {@code -v} / {@code Binds} entry: {@code /host:/ctr[:opts]} (a bind mount) or
 * {@code name:/ctr[:opts]} (a named volume), options {@code ro}, {@code rw}, {@code z}, {@code Z},
 * {@code nocopy}.
 *
 * @param source      the host path or the volume name
 * @param destination the path in the container
 * @param readOnly    mounted read-only
 * @param volume      whether the source names a volume
 * @param noCopy      do not fill a new volume from the image
 */
public record BindSpec(String source, String destination, boolean readOnly, boolean volume, boolean noCopy) {

    /** @throws ContainerException (invalid) naming the entry and what is wrong, in Docker's words */
    public static BindSpec parse(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw ContainerException.invalid("invalid volume specification: '" + spec + "'");
        }
        String destination = parts[1];
        if (!destination.startsWith("/")) {
            throw ContainerException.invalid("invalid volume specification: '" + spec + "': invalid mount config for type \"bind\": "
                    + "invalid mount path: '" + destination + "' mount path must be absolute");
        }
        if (destination.equals("/")) {
            throw ContainerException.invalid("invalid volume specification: '" + spec + "': invalid mount config: destination can't be '/'");
        }
        boolean readOnly = false;
        boolean noCopy = false;
        if (parts.length == 3) {
            for (String option : parts[2].split(",")) {
                switch (option) {
                    case "ro" -> readOnly = true;
                    case "rw", "z", "Z", "" -> { }
                    case "nocopy" -> noCopy = true;
                    default -> throw ContainerException.invalid("invalid mode: " + option);
                }
            }
        }
        boolean volume = !parts[0].startsWith("/");
        if (volume && !parts[0].matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+")) {
            throw ContainerException.invalid("invalid volume specification: '" + spec + "': \"" + parts[0]
                    + "\" includes invalid characters for a local volume name");
        }
        return new BindSpec(parts[0], destination, readOnly, volume, noCopy);
    }

    /** Mount options for the runtime spec. */
    public List<String> options() {
        return List.of("rbind", readOnly ? "ro" : "rw", "rprivate");
    }
}
