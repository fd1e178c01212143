package io.berth.plugin.runc;

import io.berth.spi.Probe;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the programs the runtime runs: the path given by the option named after the program, or
 * else the first executable on {@code PATH}, or else in the system directories a non-root
 * {@code PATH} often lacks ({@code runc} lives in {@code /usr/sbin} on Debian).
 */
final class Programs {

    private static final List<String> FALLBACK_DIRECTORIES = List.of(
            "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/libexec/podman");

    private final Map<String, String> options;
    private final String pathVariable;

    Programs(Map<String, String> options, String pathVariable) {
        this.options = Map.copyOf(options);
        this.pathVariable = pathVariable == null ? "" : pathVariable;
    }

    /**
     * What a search found.
     *
     * @param check the probe check: passed with the path first in its detail, or failed saying why
     * @param path  the program's path, or {@code null} when the check failed
     */
    record Lookup(Probe.Check check, Path path) {
    }

    /**
     * Looks for a program.
     *
     * @param name        the program, also the option that may hold its path
     * @param packageName the Debian package that provides it, for the advice
     * @return what was found
     */
    Lookup lookup(String name, String packageName) {
        String configured = options.get(name);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!path.isAbsolute()) {
                return missing(name, configured + " (option " + name + ") is not an absolute path; give the full path to " + name);
            }
            if (!Files.exists(path)) {
                return missing(name, path + " (option " + name + ") does not exist; install " + packageName + " or fix the option");
            }
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                return missing(name, path + " (option " + name + ") is not an executable file");
            }
            return found(name, path, "option " + name);
        }
        Optional<Path> onPath = search(name, directories(pathVariable));
        if (onPath.isPresent()) {
            return found(name, onPath.get(), "found on PATH");
        }
        Optional<Path> elsewhere = search(name, FALLBACK_DIRECTORIES);
        if (elsewhere.isPresent()) {
            return found(name, elsewhere.get(), "found outside PATH");
        }
        return missing(name, "not found on PATH (" + pathVariable + ") nor in "
                + String.join(", ", FALLBACK_DIRECTORIES) + "; install the Debian package " + packageName
                + " or set the option " + name + " to its path");
    }

    private static Lookup found(String name, Path path, String how) {
        return new Lookup(Probe.Check.passed(name, Probe.Kind.PROGRAM, path + " (" + how + ")"), path);
    }

    private static Lookup missing(String name, String why) {
        return new Lookup(Probe.Check.failed(name, Probe.Kind.PROGRAM, why), null);
    }

    private static List<String> directories(String pathVariable) {
        Set<String> dirs = new LinkedHashSet<>();
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (!dir.isBlank() && dir.startsWith("/")) {
                dirs.add(dir);
            }
        }
        return new ArrayList<>(dirs);
    }

    private static Optional<Path> search(String name, List<String> directories) {
        for (String dir : directories) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
