package io.berth.plugin.runc;

import io.berth.spi.Probe;
import io.berth.spi.runtime.RuntimeInfo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what {@code runc --version} and {@code conmon --version} print, for example:
 *
 * <pre>
 * runc version 1.1.5+ds1
 * commit: 1.1.5+ds1-1+deb12u1
 * spec: 1.0.2-dev
 * go: go1.19.8
 * libseccomp: 2.5.4
 * </pre>
 */
final class VersionOutput {

    private VersionOutput() {
    }

    /**
     * @param output what {@code runc --version} printed
     * @return the runtime info, or empty if there is no {@code runc version} line
     */
    static Optional<RuntimeInfo> parseRunc(String output) {
        String version = null;
        String commit = "";
        String spec = "";
        Map<String, String> details = new LinkedHashMap<>();
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("runc version ")) {
                version = line.substring("runc version ".length()).strip();
            } else if (line.contains(":")) {
                String key = line.substring(0, line.indexOf(':')).strip();
                String value = line.substring(line.indexOf(':') + 1).strip();
                switch (key) {
                    case "commit" -> commit = value;
                    case "spec" -> spec = value;
                    default -> {
                        if (!key.isEmpty() && !value.isEmpty()) {
                            details.put(key, value);
                        }
                    }
                }
            }
        }
        if (version == null || version.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RuntimeInfo("runc", version, commit, spec, details));
    }

    /**
     * @param output what {@code conmon --version} printed
     * @return the version from its {@code conmon version} line, if there is one
     */
    static Optional<String> conmonVersion(String output) {
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("conmon version ")) {
                return Optional.of(line.substring("conmon version ".length()).strip());
            }
        }
        return Optional.empty();
    }

    /** The first runc release with the fix for CVE-2024-21626 (a container escape through a leaked directory descriptor). */
    static final int[] FIXED = {1, 1, 12};

    /**
     * Debian 12's runc package: 1.1.5 with the fix for CVE-2024-21626 backported in its security
     * update {@code 1.1.5+ds1-1+deb12u1} (changelog: "CVE-2024-21626: several container breakouts due
     * to internally leaked fds"); later {@code deb12uN} updates keep it.
     */
    private static final java.util.regex.Pattern DEBIAN_PATCHED = java.util.regex.Pattern.compile("1\\.1\\.5\\+ds1-1\\+deb12u([1-9][0-9]*)");

    /**
     * Whether this runc may run containers: 1.1.12 or later, or Debian 12's patched 1.1.5 build
     * (recognised by its exact package version in the {@code commit:} line).
     *
     * @return a {@link Probe.Kind#SECURITY} check named {@code runc version}
     */
    static Probe.Check safety(RuntimeInfo runc) {
        String name = "runc version";
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^v?(\\d+)\\.(\\d+)\\.(\\d+)").matcher(runc.version());
        String found = "runc " + runc.version() + (runc.commit().isEmpty() ? "" : " (commit " + runc.commit() + ")");
        if (!m.find()) {
            return Probe.Check.failed(name, Probe.Kind.SECURITY, "cannot tell whether " + found
                    + " has the fix for CVE-2024-21626: its version is not major.minor.patch; install runc 1.1.12 or later");
        }
        int[] version = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        if (java.util.Arrays.compare(version, FIXED) >= 0) {
            return Probe.Check.passed(name, Probe.Kind.SECURITY, found + ": has the fix for CVE-2024-21626");
        }
        if (DEBIAN_PATCHED.matcher(runc.commit()).matches()) {
            return Probe.Check.passed(name, Probe.Kind.SECURITY, found
                    + ": Debian's security update carries the fix for CVE-2024-21626");
        }
        return Probe.Check.failed(name, Probe.Kind.SECURITY, found
                + " is older than 1.1.12 and open to CVE-2024-21626 (a container escape): install runc 1.1.12 or later"
                + " (or Debian 12's 1.1.5+ds1-1+deb12u1), or point the runtime-runc option \"runc\" at one");
    }
}
