package io.berth.engine.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.content.ContentStore;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.Digests;
import io.berth.spi.StorageDriver;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.storage.ChainIds;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Makes an image of one more layer on top of another image (or of nothing): {@code commit} puts a container's
 * writable layer on its image, {@code import} a tar on nothing. The layer tar is hashed (its diff id),
 * gzip-compressed into the content store, unpacked by the storage driver under its chain id; the config gets the
 * diff id and a history entry; config and an OCI manifest go into the content store; {@code ImageLoaded} (with the
 * format {@code commit} or {@code import}) and the tags are recorded in one append, as a load records its images.
 */
public final class LayerOnTop {
    private final ImageService images;
    private final ObjectMapper mapper;

    public LayerOnTop(ImageService images, ObjectMapper mapper) {
        this.images = images;
        this.mapper = mapper;
    }

    /**
     * @param parent     the image below, or {@code null} for a first layer
     * @param layerTar   the uncompressed layer tar (read once)
     * @param config     the new image's whole config blob without the new layer's diff id (its {@code config},
     *                   {@code history}, {@code rootfs} of the parent, {@code created}, {@code author}, …)
     * @param history    the new layer's history entry
     * @param format     {@code commit} or {@code import}, recorded in {@code ImageLoaded}
     * @param tags       references to tag it with, as given
     * @param scratch    a directory for the temporary files
     * @return the new image
     */
    public ImageDescription make(ImageService.Image parent, InputStream layerTar, ObjectNode config, ObjectNode history,
                                 String format, List<String> tags, Path scratch, RequestContext context) throws IOException {
        List<String> full = new ArrayList<>();
        for (String tag : tags) {
            ImageReference ref = images.parse(tag);
            if (ref.digest() != null) {
                throw new ImageException(ImageException.Kind.INVALID, "invalid reference format: a tag cannot hold a digest: " + tag);
            }
            full.add(ref.toString());
        }
        StorageDriver storage = images.storage();
        ContentStore content = images.content();
        Files.createDirectories(scratch);
        Path tar = Files.createTempFile(scratch, "layer-", ".tar");
        Path gz = Files.createTempFile(scratch, "layer-", ".tar.gz");
        var guard = images.buildGuard(); // garbage collection must not take the parent's layers meanwhile
        guard.lock();
        try {
            MessageDigest diffDigest = Digests.newSha256();
            try (InputStream in = new DigestInputStream(layerTar, diffDigest); OutputStream out = Files.newOutputStream(tar)) {
                in.transferTo(out);
            }
            String diffId = Digests.sha256(diffDigest);
            MessageDigest blobDigest = Digests.newSha256();
            try (OutputStream file = new DigestOutputStream(Files.newOutputStream(gz), blobDigest);
                 GZIPOutputStream zip = new FixedGzip(file); InputStream in = Files.newInputStream(tar)) {
                in.transferTo(zip);
            }
            String blob = Digests.sha256(blobDigest);
            long blobSize = Files.size(gz);
            try (ContentStore.Ingest ingest = content.ingest(blob, blobSize); InputStream in = Files.newInputStream(gz)) {
                if (!ingest.alreadyStored()) {
                    if (ingest.offset() > 0) {
                        ingest.restart();
                    }
                    ingest.writeAll(in);
                }
                ingest.commit();
            }
            List<ImageLayer> layers = new ArrayList<>(parent == null ? List.of() : parent.description().layers());
            String parentChain = layers.isEmpty() ? null : layers.getLast().chainId();
            String chainId = ChainIds.next(parentChain, diffId);
            try {
                if (!storage.hasLayer(chainId)) {
                    try (InputStream in = Files.newInputStream(tar)) {
                        storage.applyLayer(chainId, parentChain, in);
                    }
                }
            } catch (StorageException e) {
                throw new ImageException(ImageException.Kind.INVALID, "cannot unpack the layer: " + e.getMessage(), e);
            }
            layers.add(new ImageLayer(blob, MediaTypes.OCI_LAYER_GZIP, blobSize, diffId, chainId));

            ObjectNode rootfs = config.putObject("rootfs");
            rootfs.put("type", "layers");
            ArrayNode diffIds = rootfs.putArray("diff_ids");
            layers.forEach(l -> diffIds.add(l.diffId()));
            ArrayNode historyList = config.has("history") && config.get("history").isArray()
                    ? (ArrayNode) config.get("history") : config.putArray("history");
            historyList.add(history);
            byte[] configBytes = mapper.writeValueAsBytes(config);
            ImageDescription description = ManifestWriter.storeImage(content, storage, mapper, configBytes, layers,
                    config.path("os").asText("linux"), config.path("architecture").asText("amd64"),
                    config.path("variant").asText(""), config.path("created").asText(""));
            images.execute(new ImageCommand.RegisterImage(description, format, full, List.of()), context);
            return description;
        } finally {
            guard.unlock();
            Files.deleteIfExists(tar);
            Files.deleteIfExists(gz);
        }
    }

    /** gzip with a fixed header (no time, no name): the same layer always gives the same blob. */
    private static final class FixedGzip extends GZIPOutputStream {
        FixedGzip(OutputStream out) throws IOException {
            super(out, 65536);
            def.setLevel(Deflater.DEFAULT_COMPRESSION);
        }
    }
}
