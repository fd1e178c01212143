package io.berth.spi.registry;

/**
 * The media types berth reads and writes: OCI's and the Docker schema 2 equivalents that
 * registries still serve.
 */
public final class MediaTypes {

    private MediaTypes() {
    }

    /** OCI image manifest. */
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** OCI image index. */
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** OCI image config. */
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    /** OCI layer, uncompressed tar. */
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    /** OCI layer, gzip-compressed tar. */
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** OCI layer, zstd-compressed tar. */
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    /** Docker image manifest, schema 2. */
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** Docker manifest list (index). */
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** Docker image config. */
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    /** Docker layer, gzip-compressed tar. */
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** Docker foreign layer (fetched from its URLs, never pushed). */
    public static final String DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /**
     * Whether a media type is an index (OCI image index or Docker manifest list).
     *
     * @param mediaType a media type
     * @return {@code true} for an index
     */
    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    /**
     * Whether a media type is a single-image manifest (OCI or Docker schema 2).
     *
     * @param mediaType a media type
     * @return {@code true} for a manifest
     */
    public static boolean isManifest(String mediaType) {
        return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }
}
