package io.berth.plugin.registry;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The plugin's options (daemon config, {@code PluginContext.options()}):
 * <dl>
 *   <dt>{@code insecure-registries}</dt>
 *   <dd>comma-separated registries ({@code host:port} as written in references) reached over
 *       plain HTTP; loopback registries always are.</dd>
 *   <dt>{@code chunk-size}</dt>
 *   <dd>blobs larger than this are uploaded in chunks of this size, smaller ones in one request:
 *       bytes, or with a suffix {@code KiB}, {@code MiB} ({@code k}, {@code m}); default 16 MiB.</dd>
 *   <dt>{@code timeout}</dt>
 *   <dd>seconds to wait for a connection and for an answer's headers; default 30.</dd>
 * </dl>
 *
 * @param insecureRegistries registries reached over plain HTTP, lower case
 * @param chunkSize          the upload chunk size in bytes
 * @param timeout            the connect and answer timeout
 */
record Options(Set<String> insecureRegistries, long chunkSize, Duration timeout) {

    static final long DEFAULT_CHUNK_SIZE = 16L * 1024 * 1024;
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)", Pattern.CASE_INSENSITIVE);

    /**
     * @param options the plugin's options
     * @return the parsed options
     * @throws IllegalArgumentException naming the option whose value is malformed
     */
    static Options from(Map<String, String> options) {
        Set<String> insecure = Arrays.stream(options.getOrDefault("insecure-registries", "").split(","))
                .map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        long chunk = size("chunk-size", options.get("chunk-size"), DEFAULT_CHUNK_SIZE);
        long seconds = size("timeout", options.get("timeout"), 30);
        return new Options(insecure, chunk, Duration.ofSeconds(seconds));
    }

    private static long size(String name, String value, long fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        Matcher m = SIZE.matcher(value.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) <= 0) {
            throw new IllegalArgumentException("registry-oci option " + name + "=\"" + value + "\" is not a positive size like 16MiB");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k", "kb", "kib" -> n * 1024;
            case "m", "mb", "mib" -> n * 1024 * 1024;
            case "g", "gb", "gib" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }
}
