package io.berth.engine.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about the host that {@code /version} and {@code /info} report, read from /proc and /etc. */
public final class HostFacts {
    private HostFacts() {}

    public static String kernelVersion() {
        return read("/proc/sys/kernel/osrelease", System.getProperty("os.version"));
    }

    public static String hostname() {
        return read("/proc/sys/kernel/hostname", "localhost");
    }

    /** {@code PRETTY_NAME} from /etc/os-release, e.g. "Debian GNU/Linux 12 (bookworm)". */
    public static String operatingSystem() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "Linux";
    }

    /** Total memory in bytes from /proc/meminfo. */
    public static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** Docker's architecture names: amd64, arm64, … */
    public static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    /** The kernel's architecture name (x86_64, aarch64), as Docker's /info reports it. */
    public static String kernelArchitecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") ? "x86_64" : arch;
    }

    private static String read(String path, String otherwise) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return otherwise;
        }
    }
}
