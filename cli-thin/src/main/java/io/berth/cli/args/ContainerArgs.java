package io.berth.cli.args;

import io.berth.text.time.GoDuration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of {@code run} and {@code create} options, parsed as Docker's CLI parses them. Every method
 * throws {@link IllegalArgumentException} with Docker's message for a bad value; the command turns it into
 * {@code invalid argument "V" for "FLAG" flag: MESSAGE} and exit 125.
 */
public final class ContainerArgs {
    private ContainerArgs() {
    }

    /**
     * Docker's {@code RAMInBytes}: a number with an optional fraction, an optional space, then an optional
     * unit {@code b k m g t p} (either case, optionally followed by {@code i} and/or {@code b}), in powers of
     * 1024: {@code 6m} is 6291456, {@code 1g} 1073741824, {@code 512} bytes.
     *
     * @throws IllegalArgumentException {@code invalid size: 'x'}
     */
    public static long memoryBytes(String value) {
        String s = value;
        int i = 0;
        int n = s.length();
        while (i < n && (Character.isDigit(s.charAt(i)) || (s.charAt(i) == '.' && i > 0))) {
            i++;
        }
        if (i == 0 || s.charAt(i - 1) == '.') {
            throw new IllegalArgumentException("invalid size: '" + value + "'");
        }
        String number = s.substring(0, i);
        if (i < n && s.charAt(i) == ' ') {
            i++;
        }
        String unit = s.substring(i).toLowerCase(java.util.Locale.ROOT);
        long multiplier;
        String rest;
        if (unit.isEmpty()) {
            multiplier = 1;
            rest = "";
        } else {
            int power = "bkmgtp".indexOf(unit.charAt(0));
            if (power < 0) {
                throw new IllegalArgumentException("invalid size: '" + value + "'");
            }
            multiplier = 1L << (10 * power);
            rest = unit.substring(1);
            if (power == 0 && !rest.isEmpty()) { // "b" is the whole unit; "bb", "bib" are not sizes
                throw new IllegalArgumentException("invalid size: '" + value + "'");
            }
        }
        if (!rest.isEmpty() && !rest.equals("b") && !rest.equals("i") && !rest.equals("ib")) {
            throw new IllegalArgumentException("invalid size: '" + value + "'");
        }
        double d;
        try {
            d = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size: '" + value + "'");
        }
        double bytes = d * multiplier;
        if (bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("invalid size: '" + value + "'");
        }
        return (long) bytes;
    }

    /**
     * {@code --cpus}: a decimal number of CPUs as nano-CPUs ({@code 1.5} is 1500000000).
     *
     * @throws IllegalArgumentException Docker's {@code failed to parse X as a rational number}
     */
    public static long nanoCpus(String value) {
        if (!value.matches("[0-9]+(\\.[0-9]+)?|\\.[0-9]+")) {
            throw new IllegalArgumentException("failed to parse " + value + " as a rational number");
        }
        java.math.BigDecimal nanos = new java.math.BigDecimal(value).movePointRight(9);
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("value is too precise");
        }
        return nanos.longValueExact();
    }

    /**
     * A Go duration as Docker's CLI takes it ({@code 30s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}), in
     * nanoseconds: {@link GoDuration}'s grammar.
     *
     * @throws IllegalArgumentException Go's message ({@code time: missing unit in duration "10"})
     */
    public static long durationNanos(String value) {
        return GoDuration.parseNanos(value);
    }

    /** A restart policy: {@code {"Name":…,"MaximumRetryCount":N}}. */
    public record RestartPolicy(String name, int maximumRetryCount) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Name", name);
            m.put("MaximumRetryCount", maximumRetryCount);
            return m;
        }
    }

    /**
     * {@code --restart no|always|unless-stopped|on-failure[:N]}, with Docker's checks.
     *
     * @throws IllegalArgumentException an unknown policy, a count on a policy that takes none, a bad count
     */
    public static RestartPolicy restartPolicy(String value) {
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        String count = colon < 0 ? null : value.substring(colon + 1);
        switch (name) {
            case "", "no", "always", "unless-stopped" -> {
                if (count != null) {
                    throw new IllegalArgumentException("maximum retry count cannot be used with restart policy '"
                            + name + "'");
                }
                return new RestartPolicy(name.isEmpty() ? "no" : name, 0);
            }
            case "on-failure" -> {
                if (count == null) {
                    return new RestartPolicy(name, 0);
                }
                try {
                    int n = Integer.parseInt(count);
                    if (n < 0) {
                        throw new IllegalArgumentException("invalid restart policy: maximum retry count cannot be negative");
                    }
                    return new RestartPolicy(name, n);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("maximum retry count must be an integer");
                }
            }
            default -> throw new IllegalArgumentException("invalid restart policy '" + name + "'");
        }
    }

    /**
     * {@code -e KEY=VALUE} as is; {@code -e KEY} takes {@code KEY}'s value from this process's environment and
     * is left out when it has none (Docker sends the bare name, which the daemon ignores).
     *
     * @return the entry, or {@code null} to leave out
     */
    public static String envEntry(String value, Map<String, String> environment) {
        if (value.isEmpty() || value.startsWith("=")) {
            throw new IllegalArgumentException("invalid environment variable: " + value);
        }
        int eq = value.indexOf('=');
        if (eq > 0) {
            return value;
        }
        String v = environment.get(value);
        return v == null ? null : value + "=" + v;
    }

    /**
     * An {@code --env-file} (Docker's format): one {@code KEY=VALUE} per line, taken as is (no quotes
     * removed, no expansion); blank lines and lines starting with {@code #} skipped; leading white space
     * trimmed; a line with only {@code KEY} takes its value from this process's environment, or is left out.
     *
     * @throws IllegalArgumentException the file cannot be read, or a name holds white space
     */
    public static List<String> envFile(Path file, Map<String, String> environment) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("open " + file + ": no such file or directory");
        } catch (IOException e) {
            throw new IllegalArgumentException("open " + file + ": " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        List<String> entries = new ArrayList<>();
        int lineNumber = 0;
        for (String raw : text.split("\n", -1)) {
            lineNumber++;
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            line = line.stripLeading();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String name = eq < 0 ? line : line.substring(0, eq);
            if (name.isEmpty()) {
                throw new IllegalArgumentException(file + ": line " + lineNumber + ": no variable name");
            }
            if (hasWhitespace(name)) {
                throw new IllegalArgumentException(file + ": line " + lineNumber + ": variable '" + name.strip()
                        + "' contains whitespaces");
            }
            if (eq >= 0) {
                entries.add(line);
            } else if (environment.get(name) != null) {
                entries.add(name + "=" + environment.get(name));
            }
        }
        return entries;
    }

    private static boolean hasWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return true;
            }
        }
        return false;
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
                case "tmpfs-size" -> tmpfsSize = memoryBytes(require(key, value));
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

    /** {@code KEY=VALUE} (or {@code KEY}, an empty value) for {@code --label} and {@code --sysctl}. */
    public static String[] keyValue(String value) {
        int eq = value.indexOf('=');
        String key = eq < 0 ? value : value.substring(0, eq);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("invalid key=value pair: '" + value + "'");
        }
        return new String[] {key, eq < 0 ? "" : value.substring(eq + 1)};
    }

    /** {@code --sysctl KEY=VALUE}: a value is required. */
    public static String[] sysctl(String value) {
        int eq = value.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("sysctl '" + value + "' is not allowed: expected KEY=VALUE");
        }
        return new String[] {value.substring(0, eq), value.substring(eq + 1)};
    }

    /** {@code -a stdin|stdout|stderr} (any case). */
    public static String attachStream(String value) {
        String s = value.toLowerCase(java.util.Locale.ROOT);
        if (!s.equals("stdin") && !s.equals("stdout") && !s.equals("stderr")) {
            throw new IllegalArgumentException("valid streams are STDIN, STDOUT and STDERR");
        }
        return s;
    }

    /** {@code --network}: {@code bridge}, {@code host}, {@code none}, {@code container:NAME} or a network's name; the daemon checks it. */
    public static String network(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("network name is empty");
        }
        return value;
    }

    /**
     * One {@code -p} value as Docker's CLI sends it.
     *
     * @param exposed  the container ports it exposes ({@code "80/tcp" → {}})
     * @param bindings each container port's host bindings ({@code "80/tcp" → [{"HostIp", "HostPort"}]})
     */
    public record Published(Map<String, Object> exposed, Map<String, List<Map<String, Object>>> bindings) { }

    /**
     * {@code -p [ip:][hostPort:]containerPort[/proto]} with ranges ({@code 8080-8081:80-81}), as Docker's
     * nat.ParsePortSpec reads it: a container range is expanded port by port; a host range against one
     * container port lets the daemon choose in it.
     */
    public static Published publish(String spec) {
        String rest = spec.strip();
        String protocol = "tcp";
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            protocol = rest.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
            rest = rest.substring(0, slash);
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new IllegalArgumentException("invalid proto: " + protocol);
            }
        }
        if (rest.startsWith("[")) {
            throw new IllegalArgumentException("invalid port " + spec + ": berth publishes on IPv4 addresses only");
        }
        String[] parts = rest.split(":", -1);
        String hostIp = "";
        String hostPorts = "";
        String containerPorts;
        switch (parts.length) {
            case 1 -> containerPorts = parts[0];
            case 2 -> {
                hostPorts = parts[0];
                containerPorts = parts[1];
            }
            case 3 -> {
                hostIp = parts[0];
                hostPorts = parts[1];
                containerPorts = parts[2];
            }
            default -> throw new IllegalArgumentException("invalid port specification: \"" + spec + "\"");
        }
        if (!hostIp.isEmpty() && !hostIp.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("invalid IP address: " + hostIp);
        }
        if (containerPorts.isEmpty()) {
            throw new IllegalArgumentException("no port specified: " + spec + "<empty>");
        }
        int[] container = portRange(containerPorts, "containerPort", spec);
        int[] host = hostPorts.isEmpty() ? new int[] {0, 0} : portRange(hostPorts, "hostPort", spec);
        int containerSize = container[1] - container[0] + 1;
        int hostSize = host[1] - host[0] + 1;
        if (host[0] != 0 && containerSize > 1 && hostSize != containerSize) {
            throw new IllegalArgumentException("invalid ranges specified for container and host Ports: " + containerPorts + " and " + hostPorts);
        }
        Map<String, Object> exposed = new java.util.LinkedHashMap<>();
        Map<String, List<Map<String, Object>>> bindings = new java.util.LinkedHashMap<>();
        for (int i = 0; i < containerSize; i++) {
            String key = (container[0] + i) + "/" + protocol;
            exposed.put(key, new java.util.LinkedHashMap<>());
            String hostPort = host[0] == 0 ? "" : containerSize > 1 ? String.valueOf(host[0] + i)
                    : hostSize > 1 ? host[0] + "-" + host[1] : String.valueOf(host[0]);
            Map<String, Object> binding = new java.util.LinkedHashMap<>();
            binding.put("HostIp", hostIp);
            binding.put("HostPort", hostPort);
            bindings.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(binding);
        }
        return new Published(exposed, bindings);
    }

    /** {@code --expose 80}, {@code 80/udp} or {@code 8000-8002}: the port keys. */
    public static List<String> expose(String spec) {
        String rest = spec.strip();
        String protocol = "tcp";
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            protocol = rest.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
            rest = rest.substring(0, slash);
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new IllegalArgumentException("invalid proto: " + protocol);
            }
        }
        int[] range = portRange(rest, "port", spec);
        List<String> keys = new java.util.ArrayList<>();
        for (int p = range[0]; p <= range[1]; p++) {
            keys.add(p + "/" + protocol);
        }
        return keys;
    }

    private static int[] portRange(String text, String what, String spec) {
        try {
            int dash = text.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(text.substring(dash + 1));
            if (first < 1 || last > 65535 || last < first) {
                throw new NumberFormatException();
            }
            return new int[] {first, last};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + what + ": " + text + " in " + spec + " (a port or range between 1 and 65535)");
        }
    }

    /** {@code --add-host name:ip} (also {@code name=ip}), as Docker's CLI sends it: {@code name:ip}. */
    public static String addHost(String value) {
        int sep = value.indexOf('=') >= 0 ? value.indexOf('=') : value.indexOf(':');
        if (sep <= 0 || sep == value.length() - 1) {
            throw new IllegalArgumentException("bad format for add-host: \"" + value + "\"");
        }
        return value.substring(0, sep) + ":" + value.substring(sep + 1);
    }

    /**
     * {@code --security-opt}, as Docker's CLI sends it: {@code seccomp=FILE} becomes {@code seccomp=}
     * followed by the file's JSON (whitespace outside strings removed), {@code seccomp=unconfined|builtin} and
     * every other option go as given (the daemon checks them).
     */
    public static String securityOpt(String value) {
        int eq = value.indexOf('=');
        int colon = value.indexOf(':');
        int at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
        if (at < 0 || !value.substring(0, at).equals("seccomp")) {
            return value;
        }
        String profile = value.substring(at + 1);
        if (profile.equals("unconfined") || profile.equals("builtin") || profile.isEmpty()) {
            return value;
        }
        String json;
        try {
            json = java.nio.file.Files.readString(java.nio.file.Path.of(profile));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("opening seccomp profile (" + profile + ") failed: "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file or directory" : e.getMessage()));
        }
        return "seccomp=" + compactJson(json);
    }

    /** JSON text without the whitespace between its tokens (strings are kept as they are). */
    static String compactJson(String json) {
        StringBuilder out = new StringBuilder(json.length());
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\' && i + 1 < json.length()) {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code --cgroupns}: {@code host} or {@code private}. */
    public static String cgroupns(String value) {
        if (value.equals("host") || value.equals("private")) {
            return value;
        }
        throw new IllegalArgumentException("invalid cgroup namespace mode \"" + value + "\": use host or private");
    }
}
