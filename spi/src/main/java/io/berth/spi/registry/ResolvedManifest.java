package io.berth.spi.registry;

import java.util.List;
import java.util.Objects;

/**
 * What a reference resolved to for one platform: the manifest's exact bytes and what it names.
 * The implementation has parsed the manifest and checked it against its digest. It may also have
 * fetched the image config and checked it against the config descriptor ({@link #configBytes()});
 * when it has not, the engine reads the config blob itself.
 *
 * @param reference     the reference that was resolved, as given
 * @param index         the index the tag or digest named, or {@code null} when it named a
 *                      manifest directly
 * @param indexBytes    the index's exact bytes, or {@code null} when there is no index
 * @param manifest      the descriptor of the platform's manifest
 * @param manifestBytes the manifest's exact bytes (their digest is {@code manifest.digest()})
 * @param config        the descriptor of the image config blob
 * @param layers        the layer blobs, bottom first
 * @param platform      the platform the manifest is for (the one asked for, when it came from an
 *                      index)
 * @param configBytes   the image config's exact bytes, already checked against {@code config}'s
 *                      digest and size, or {@code null} when the implementation did not fetch it
 */
public record ResolvedManifest(ImageReference reference, Descriptor index, byte[] indexBytes,
                               Descriptor manifest, byte[] manifestBytes, Descriptor config,
                               List<Descriptor> layers, Platform platform, byte[] configBytes) {

    /**
     * A resolved manifest without the config's bytes (the engine fetches the config itself).
     *
     * @param reference     the reference that was resolved, as given
     * @param index         the index, or {@code null}
     * @param indexBytes    the index's bytes, or {@code null}
     * @param manifest      the platform's manifest
     * @param manifestBytes the manifest's bytes
     * @param config        the config's descriptor
     * @param layers        the layers, bottom first
     * @param platform      the platform the manifest is for
     */
    public ResolvedManifest(ImageReference reference, Descriptor index, byte[] indexBytes,
                            Descriptor manifest, byte[] manifestBytes, Descriptor config,
                            List<Descriptor> layers, Platform platform) {
        this(reference, index, indexBytes, manifest, manifestBytes, config, layers, platform, null);
    }

    /** Checks for nulls and copies the arrays and the list. */
    public ResolvedManifest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(platform, "platform");
        if ((index == null) != (indexBytes == null)) {
            throw new IllegalArgumentException("an index descriptor and its bytes come together");
        }
        indexBytes = indexBytes == null ? null : indexBytes.clone();
        manifestBytes = Objects.requireNonNull(manifestBytes, "manifestBytes").clone();
        layers = List.copyOf(layers);
        if (configBytes != null && configBytes.length != config.size()) {
            throw new IllegalArgumentException("the config bytes (" + configBytes.length + ") do not have the config descriptor's size "
                    + config.size());
        }
        configBytes = configBytes == null ? null : configBytes.clone();
    }

    /** @return a copy of the config's bytes, or {@code null} when the implementation did not fetch them */
    @Override
    public byte[] configBytes() {
        return configBytes == null ? null : configBytes.clone();
    }

    /** @return a copy of the index's bytes, or {@code null} */
    @Override
    public byte[] indexBytes() {
        return indexBytes == null ? null : indexBytes.clone();
    }

    /** @return a copy of the manifest's bytes */
    @Override
    public byte[] manifestBytes() {
        return manifestBytes.clone();
    }

    /**
     * The digest Docker reports as the image's repo digest: the index's when there is one, else
     * the manifest's.
     *
     * @return a digest
     */
    public String repoDigest() {
        return index != null ? index.digest() : manifest.digest();
    }
}
