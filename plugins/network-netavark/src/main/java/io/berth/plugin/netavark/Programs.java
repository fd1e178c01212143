package io.berth.plugin.netavark;

import io.berth.spi.Probe;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds a program the driver runs: the path in the option named after it, or else on {@code PATH},
 * or else in the directories Debian installs it into ({@code /usr/lib/podman} for netavark and
 * aardvark-dns, which are not on {@code PATH}).
 */
final class Programs {

    private static final List<String> FALLBACK = List.of("/usr/lib/podman", "/usr/libexec/podman", "/usr/local/libexec/podman",
            "/usr/local/lib/podman", "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private Programs() {
    }

    /**
     * What a search found.
     *
     * @param check passed with the path first in its detail, or failed saying what to do
     * @param path  the program, or {@code null} when missing
     */
    record Lookup(Probe.Check check, Path path) {
    }

    static Lookup lookup(Map<String, String> options, String name, String debianPackage) {
        String configured = options.get(name);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!path.isAbsolute() || !Files.isRegularFile(path) || !Files.isExecutable(path)) {
                return new Lookup(Probe.Check.failed(name, Probe.Kind.PROGRAM, configured + " (option " + name
                        + ") is not an executable file; install " + debianPackage + " or fix the option"), null);
            }
            return new Lookup(Probe.Check.passed(name, Probe.Kind.PROGRAM, path + " (option " + name + ")"), path);
        }
        List<String> dirs = new ArrayList<>();
        String pathVariable = System.getenv("PATH");
        for (String dir : (pathVariable == null ? "" : pathVariable).split(File.pathSeparator)) {
            if (dir.startsWith("/")) {
                dirs.add(dir);
            }
        }
        dirs.addAll(FALLBACK);
        for (String dir : dirs) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return new Lookup(Probe.Check.passed(name, Probe.Kind.PROGRAM, candidate.toString()), candidate);
            }
        }
        return new Lookup(Probe.Check.failed(name, Probe.Kind.PROGRAM, "not found on PATH nor in " + String.join(", ", FALLBACK)
                + "; install the Debian package " + debianPackage + " or set the option " + name + " to its path"), null);
    }
}
