package io.berth.engine.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.content.ContentStore;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.StorageDriver;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.util.List;

/**
 * The one writer of the OCI image manifests berth makes itself: for a built image, a committed or
 * imported one, and a docker-archive that {@code load} reads (which carries none). The same config
 * and layers always give the same bytes (fields in a fixed order), so the manifest's digest is
 * reproducible. {@link #storeImage} is the one way an image berth makes reaches the content store.
 */
public final class ManifestWriter {
    private ManifestWriter() {}

    /**
     * A layer as the manifest names it.
     *
     * @param mediaType the blob's media type (gzip, zstd or plain tar)
     * @param digest    the blob's digest
     * @param size      the blob's size in bytes
     */
    public record LayerDescriptor(String mediaType, String digest, long size) {}

    /**
     * @param configDigest the config blob's digest (the image id)
     * @param configSize   the config blob's size
     * @param layers       the layers, bottom first
     * @return the manifest's bytes, {@code application/vnd.oci.image.manifest.v1+json}
     */
    public static byte[] ociManifest(ObjectMapper mapper, String configDigest, long configSize, List<LayerDescriptor> layers)
            throws IOException {
        ObjectNode manifest = mapper.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        ObjectNode config = manifest.putObject("config");
        config.put("mediaType", MediaTypes.OCI_CONFIG);
        config.put("digest", configDigest);
        config.put("size", configSize);
        ArrayNode descriptors = manifest.putArray("layers");
        for (LayerDescriptor layer : layers) {
            ObjectNode l = descriptors.addObject();
            l.put("mediaType", layer.mediaType());
            l.put("digest", layer.digest());
            l.put("size", layer.size());
        }
        return mapper.writeValueAsBytes(manifest);
    }

    /**
     * Stores an image berth made (a build, a commit, an import): its config blob, then its manifest,
     * and describes it for the image records. The size is the unpacked layers' as the storage driver
     * counts them (a layer it cannot tell counts 0: the size is informative).
     *
     * @param config  the config blob's bytes, exactly as the image id hashes them
     * @param layers  the layers, bottom first, already stored and unpacked
     * @param created the config's creation time, as written in it
     */
    public static ImageDescription storeImage(ContentStore content, StorageDriver storage, ObjectMapper mapper, byte[] config,
                                              List<ImageLayer> layers, String os, String architecture, String variant,
                                              String created) throws IOException {
        String imageId = content.put(config);
        long size = 0;
        for (ImageLayer layer : layers) {
            try {
                size += storage.layer(layer.chainId()).map(LayerInfo::size).orElse(0L);
            } catch (StorageException e) {
                // the size is informative: an unreadable one counts as 0
            }
        }
        String manifestDigest = content.put(ociManifest(mapper, imageId, config.length,
                layers.stream().map(l -> new LayerDescriptor(l.mediaType(), l.digest(), l.size())).toList()));
        return new ImageDescription(imageId, manifestDigest, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layers, os,
                architecture, variant, created, size);
    }
}
