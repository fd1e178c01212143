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
