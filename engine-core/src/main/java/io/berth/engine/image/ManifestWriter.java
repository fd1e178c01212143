package io.berth.engine.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.spi.registry.MediaTypes;
import java.io.IOException;
import java.util.List;

/**
 * The one writer of the OCI image manifests berth makes itself: for a built image and for a
 * docker-archive that {@code load} reads (which carries none). The same config and layers always
 * give the same bytes (fields in a fixed order), so the manifest's digest is reproducible.
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
}
