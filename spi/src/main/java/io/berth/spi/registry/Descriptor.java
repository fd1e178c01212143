package io.berth.spi.registry;

import io.berth.spi.Digests;

import java.util.List;
import java.util.Map;

/**
 * Points at a piece of content by media type, digest and size, as in the OCI image spec's
 * descriptor.md.
 *
 * @param mediaType   what the content is, for example {@link MediaTypes#OCI_LAYER_GZIP}
 * @param digest      its digest
 * @param size        its size in bytes
 * @param urls        where else it may be fetched from (foreign layers); usually empty
 * @param annotations arbitrary metadata; usually empty
 * @param platform    the platform, for entries of an index; {@code null} elsewhere
 */
public record Descriptor(String mediaType, String digest, long size, List<String> urls,
                         Map<String, String> annotations, Platform platform) {

    /** Validates the digest and size and copies the lists. */
    public Descriptor {
        if (mediaType == null || mediaType.isBlank()) {
            throw new IllegalArgumentException("descriptor " + digest + " has no media type");
        }
        Digests.requireSha256(digest, "descriptor digest");
        if (size < 0) {
            throw new IllegalArgumentException("descriptor " + digest + " has a negative size " + size);
        }
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /**
     * A descriptor with no urls, annotations or platform.
     *
     * @param mediaType what the content is
     * @param digest    its digest
     * @param size      its size in bytes
     * @return the descriptor
     */
    public static Descriptor of(String mediaType, String digest, long size) {
        return new Descriptor(mediaType, digest, size, List.of(), Map.of(), null);
    }
}
