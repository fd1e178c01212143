package io.berth.spi.registry;

import java.util.Locale;

/**
 * An operating system and CPU architecture, as image indexes and configs name them
 * ({@code linux/amd64}, {@code linux/arm64/v8}, {@code linux/arm/v7}).
 *
 * @param os           the operating system, for example {@code linux}
 * @param architecture the architecture in Go's naming, for example {@code amd64} or {@code arm64}
 * @param variant      the CPU variant, for example {@code v7}, or {@code null} when none applies
 */
public record Platform(String os, String architecture, String variant) {

    /** Checks that os and architecture are present; an empty variant becomes {@code null}. */
    public Platform {
        if (os == null || os.isBlank() || architecture == null || architecture.isBlank()) {
            throw new IllegalArgumentException("a platform needs an os and an architecture, got " + os + "/" + architecture);
        }
        if (variant != null && variant.isBlank()) {
            variant = null;
        }
    }

    /**
     * Parses {@code os/architecture[/variant]}.
     *
     * @param text for example {@code linux/arm64/v8}
     * @return the platform
     * @throws IllegalArgumentException naming the text if it has not two or three parts
     */
    public static Platform parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("invalid platform \"" + text + "\": expected os/architecture[/variant]");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /**
     * The platform this JVM runs on, with the architecture in Go's naming.
     *
     * @return for example {@code linux/amd64}
     */
    public static Platform host() {
        String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> new Platform(os, "amd64", null);
            case "aarch64", "arm64" -> new Platform(os, "arm64", null);
            case "arm" -> new Platform(os, "arm", "v7");
            case "x86", "i386", "i686" -> new Platform(os, "386", null);
            default -> new Platform(os, arch, null);
        };
    }

    /** @return {@code os/architecture[/variant]} */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null ? "/" + variant : "");
    }
}
