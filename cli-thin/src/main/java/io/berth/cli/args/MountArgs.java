package io.berth.cli.args;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The storage options of {@code run} and {@code create}: {@code -v}, {@code --mount} and {@code --tmpfs}, parsed
 * as Docker's CLI parses them. A bad value throws {@link IllegalArgumentException} with Docker's message, as in
 * {@link ContainerArgs}.
 */
public final class MountArgs {
    private MountArgs() {
    }

    /** Where a {@code -v} spec goes in the create body: a bind or named volume, or an anonymous volume. */
    public record VolumeSpec(String bind, String anonymousPath) {
    }

    /**
     * {@code -v SOURCE:TARGET[:OPTIONS]} (a host path when SOURCE is absolute, else a volume name) or
     * {@code -v TARGET} (an anonymous volume). Options: {@code ro}, {@code rw}, {@code z}, {@code Z},
     * {@code nocopy}, comma-separated.
     *
     * @throws IllegalArgumentException Docker's {@code invalid volume specification} messages
     */
    public static VolumeSpec volume(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length == 1) {
            if (!spec.startsWith("/")) {
                throw new IllegalArgumentException("invalid volume specification: '" + spec
                        + "': invalid mount config for type \"volume\": invalid mount path: '" + spec
                        + "' mount path must be absolute");
            }
            if (spec.equals("/")) {
                throw new IllegalArgumentException("invalid volume specification: '" + spec
                        + "': invalid mount config: destination can't be '/'");
            }
            return new VolumeSpec(null, spec);
        }
        if (parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("invalid volume specification: '" + spec + "'");
        }
        String target = parts[1];
        if (!target.startsWith("/")) {
            String type = parts[0].startsWith("/") ? "bind" : "volume";
            throw new IllegalArgumentException("invalid volume specification: '" + spec + "': invalid mount config for type \""
                    + type + "\": invalid mount path: '" + target + "' mount path must be absolute");
        }
        if (target.equals("/")) {
            throw new IllegalArgumentException("invalid volume specification: '" + spec
                    + "': invalid mount config: destination can't be '/'");
        }
        if (parts.length == 3) {
            for (String option : parts[2].split(",", -1)) {
                if (!option.equals("ro") && !option.equals("rw") && !option.equals("z") && !option.equals("Z")
                        && !option.equals("nocopy")) {
                    throw new IllegalArgumentException("invalid mode: " + option);
                }
            }
        }
        if (!parts[0].startsWith("/") && !parts[0].matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+")) {
            throw new IllegalArgumentException("invalid volume specification: '" + spec + "': \"" + parts[0]
                    + "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed."
                    + " If you intended to pass a host directory, use absolute path");
        }
        return new VolumeSpec(spec, null);
    }

    /**
     * {@code --mount type=bind|volume|tmpfs,source=…,target=…[,readonly][,tmpfs-size=…][,tmpfs-mode=…]} as
     * one entry of {@code HostConfig.Mounts}. Keys as Docker's: {@code src}/{@code source},
     * {@code dst}/{@code destination}/{@code target}, {@code ro}/{@code readonly} (alone, or
     * {@code =true|false|1|0}); the type defaults to {@code volume}.
     *
     * @throws IllegalArgumentException an unknown key or type, a missing target, a source on a tmpfs
     */
    public static Map<String, Object> mount(String spec) {
        String type = "volume";
        String source = null;
        String target = null;
        boolean readOnly = false;
        Long tmpfsSize = null;
        Integer tmpfsMode = null;
        for (String field : spec.split(",", -1)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).strip().toLowerCase(java.util.Locale.ROOT);
            String value = eq < 0 ? null : field.substring(eq + 1);
            switch (key) {
                case "type" -> type = require(key, value);
                case "source", "src" -> source = require(key, value);
                case "target", "destination", "dst" -> target = require(key, value);
                case "readonly", "ro" -> readOnly = bool(key, value);
                case "tmpfs-size" -> tmpfsSize = ContainerArgs.memoryBytes(require(key, value));
                case "tmpfs-mode" -> {
                    try {
                        tmpfsMode = Integer.parseInt(require(key, value), 8);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("invalid value for tmpfs-mode: " + value);
                    }
                }
                case "bind-propagation", "consistency", "volume-nocopy", "volume-driver", "volume-label", "volume-opt" -> {
                    // accepted and not used by berth's local volumes
                }
                default -> throw new IllegalArgumentException("unexpected key '" + key + "' in '" + field + "'");
            }
        }
        if (!type.equals("bind") && !type.equals("volume") && !type.equals("tmpfs")) {
            throw new IllegalArgumentException("invalid mount type: '" + type + "', only bind, volume and tmpfs are supported");
        }
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("target is required");
        }
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("invalid mount path: '" + target + "' mount path must be absolute");
        }
        if (type.equals("tmpfs") && source != null) {
            throw new IllegalArgumentException("source is not supported for tmpfs mounts");
        }
        if (type.equals("bind") && (source == null || source.isEmpty())) {
            throw new IllegalArgumentException("source is required when type is bind");
        }
        if (!type.equals("tmpfs") && (tmpfsSize != null || tmpfsMode != null)) {
            throw new IllegalArgumentException("tmpfs options are only valid for type=tmpfs");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Type", type);
        if (source != null) {
            m.put("Source", source);
        }
        m.put("Target", target);
        m.put("ReadOnly", readOnly);
        if (tmpfsSize != null || tmpfsMode != null) {
            Map<String, Object> options = new LinkedHashMap<>();
            if (tmpfsSize != null) {
                options.put("SizeBytes", tmpfsSize);
            }
            if (tmpfsMode != null) {
                options.put("Mode", tmpfsMode);
            }
            m.put("TmpfsOptions", options);
        }
        return m;
    }

    private static String require(String key, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("invalid field '" + key + "' must be a key=value pair");
        }
        return value;
    }

    private static boolean bool(String key, String value) {
        if (value == null) {
            return true;
        }
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw new IllegalArgumentException("invalid value for " + key + ": " + value);
        };
    }

    /** {@code --tmpfs /path[:options]}: the path and its mount options ({@code ""} when none). */
    public static String[] tmpfs(String spec) {
        int colon = spec.indexOf(':');
        String path = colon < 0 ? spec : spec.substring(0, colon);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("invalid mount path: '" + path + "' mount path must be absolute");
        }
        return new String[] {path, colon < 0 ? "" : spec.substring(colon + 1)};
    }
}
