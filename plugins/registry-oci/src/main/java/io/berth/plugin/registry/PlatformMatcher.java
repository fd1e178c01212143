package io.berth.plugin.registry;

import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.Platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks an index's manifest for a platform as Docker does (containerd's platform matcher):
 * architecture names normalised ({@code x86_64} is {@code amd64}, {@code aarch64} is
 * {@code arm64}), {@code arm64} without variant is {@code arm64/v8}, {@code amd64} has no
 * variant ({@code v1}), {@code arm} without variant is {@code arm/v7}; an {@code arm/vN} platform
 * also runs {@code arm/v(N-1)} … {@code arm/v5} images, preferring the highest.
 */
final class PlatformMatcher {

    private PlatformMatcher() {
    }

    /**
     * @param platform a platform as written in an index or given by a user
     * @return the same platform in canonical form: lower case, normalised architecture, default
     *         variant removed ({@code arm64/v8} becomes {@code arm64}) or added ({@code arm} becomes
     *         {@code arm/v7})
     */
    static Platform normalize(Platform platform) {
        String os = platform.os().toLowerCase(Locale.ROOT);
        String arch = platform.architecture().toLowerCase(Locale.ROOT);
        String variant = platform.variant() == null ? null : platform.variant().toLowerCase(Locale.ROOT);
        switch (arch) {
            case "i386", "i686", "x86" -> { arch = "386"; variant = null; }
            case "x86_64", "x86-64", "amd64" -> {
                arch = "amd64";
                if ("v1".equals(variant)) {
                    variant = null;
                }
            }
            case "aarch64", "arm64" -> {
                arch = "arm64";
                if ("8".equals(variant) || "v8".equals(variant)) {
                    variant = null;
                }
            }
            case "armhf" -> { arch = "arm"; variant = "v7"; }
            case "armel" -> { arch = "arm"; variant = "v6"; }
            case "arm" -> {
                if (variant == null) {
                    variant = "v7";
                } else if (variant.matches("[5-8]")) {
                    variant = "v" + variant;
                }
            }
            default -> { }
        }
        return new Platform(os, arch, variant);
    }

    /**
     * @param manifests an index's entries, in index order
     * @param wanted    the platform asked for
     * @return the best entry, if one runs on {@code wanted}
     */
    static Optional<Descriptor> select(List<Descriptor> manifests, Platform wanted) {
        for (Platform candidate : acceptable(normalize(wanted))) {
            for (Descriptor d : manifests) {
                if (d.platform() != null && normalize(d.platform()).equals(candidate)) {
                    return Optional.of(d);
                }
            }
        }
        return Optional.empty();
    }

    private static List<Platform> acceptable(Platform wanted) {
        List<Platform> order = new ArrayList<>();
        order.add(wanted);
        if (wanted.architecture().equals("arm") && wanted.variant() != null && wanted.variant().matches("v[5-8]")) {
            for (int v = wanted.variant().charAt(1) - '0' - 1; v >= 5; v--) {
                order.add(new Platform(wanted.os(), "arm", "v" + v));
            }
        }
        return order;
    }

    /**
     * @param manifests an index's entries
     * @return the platforms they name, for an error message: {@code linux/amd64, linux/arm64/v8}
     */
    static String listed(List<Descriptor> manifests) {
        List<String> names = manifests.stream().filter(d -> d.platform() != null).map(d -> d.platform().toString()).distinct().toList();
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
