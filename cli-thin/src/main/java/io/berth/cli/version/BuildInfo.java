package io.berth.cli.version;

import java.util.Locale;

/** The CLI's own version and platform, as shown by {@code berth version}. */
public final class BuildInfo {
    private static final String VERSION = Version.VALUE;

    private BuildInfo() {
    }

    /** The berth version this CLI was built as. */
    public static String version() {
        return VERSION;
    }

    /** The {@code User-Agent} of the CLI's requests; the daemon records it as the actor's client. */
    public static String userAgent() {
        return "berth-cli/" + VERSION;
    }

    /** Docker's name for the operating system: {@code linux}. */
    public static String os() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    }

    /** Docker's (Go's) name for the architecture: {@code amd64}, {@code arm64}, … */
    public static String arch() {
        String a = System.getProperty("os.arch", "");
        return switch (a) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> a;
        };
    }
}
