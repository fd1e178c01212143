package io.berth.engine.build;

import java.util.List;

/**
 * The network a RUN step gets: {@code build --network} for the whole build, {@code RUN --network=}
 * for one step (which wins).
 *
 * <ul>
 *   <li>{@link #DEFAULT}: the step's own network namespace on the default network {@code bridge}, as
 *       Docker's builder (outbound traffic masqueraded, so builds that download keep working); where no
 *       network driver runs, the host's namespace. Either way without {@code CAP_NET_RAW} and
 *       {@code CAP_NET_ADMIN}, so a step can neither forge packets nor reconfigure interfaces.</li>
 *   <li>{@link #HOST}: the host's network with Docker's default capabilities, asked for explicitly.</li>
 *   <li>{@link #NONE}: a network namespace of its own with only the loopback interface.</li>
 * </ul>
 */
enum BuildNetwork {
    DEFAULT, HOST, NONE;

    /** The capabilities a step on this network loses from Docker's defaults. */
    List<String> droppedCapabilities() {
        return this == DEFAULT ? List.of("CAP_NET_RAW", "CAP_NET_ADMIN") : List.of();
    }

    /** @param bridgeAvailable whether the default network can take the step */
    boolean hostNamespace(boolean bridgeAvailable) {
        return this == HOST || this == DEFAULT && !bridgeAvailable;
    }

    /**
     * @param value  {@code default}, {@code host}, {@code none}; empty or null is the default
     *               ({@code bridge} is Docker's name for it)
     * @param where  named in the error, e.g. {@code --network} or {@code RUN --network}
     * @throws BuildException naming the value
     */
    static BuildNetwork parse(String value, String where) {
        if (value == null || value.isEmpty()) {
            return DEFAULT;
        }
        return switch (value) {
            case "default", "bridge" -> DEFAULT;
            case "host" -> HOST;
            case "none" -> NONE;
            default -> throw new BuildException(where + "=" + value + " is not supported: use default, host or none");
        };
    }

    String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
