package io.berth.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.content.ContentStore;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.Digests;
import io.berth.spi.StorageDriver;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.TarWriter;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.registry.Platform;
import io.berth.spi.storage.ChainIds;
import io.berth.spi.storage.LayerInfo;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * {@code berth save} and {@code berth load}. A saved archive is both an OCI image layout
 * ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/…}) and a docker-archive
 * ({@code manifest.json} pointing into the same blobs), as Docker 25 writes them, so {@code docker
 * load}, skopeo and umoci all read it, and manifests keep their digests through save and load.
 * Load reads either format; archive entry names are only ever keys, never paths written to.
 */
final class ImageArchive {
    private static final long MAX_JSON_BYTES = 4L << 20;
    private static final long FIXED_MTIME = 0;

    private final ImageService images;
    private final ContentStore content;
    private final ObjectMapper mapper;

    ImageArchive(ImageService images) {
        this.images = images;
        this.content = images.content();
        this.mapper = images.mapper();
    }

    // ---- save

    void save(List<String> names, OutputStream out) throws IOException {
        if (names.isEmpty()) {
            throw new ImageException(ImageException.Kind.INVALID, "nothing to save: name at least one image");
        }
        Map<String, ImageService.Image> byId = new LinkedHashMap<>();
        Map<String, Set<String>> tagsById = new LinkedHashMap<>();
        for (String name : names) {
            ImageService.Image image = images.require(name);
            byId.putIfAbsent(image.id(), image);
            Set<String> tags = tagsById.computeIfAbsent(image.id(), k -> new LinkedHashSet<>());
            ImageReference asRef = tryParse(name);
            if (asRef != null && asRef.digest() == null && image.repoTags().contains(asRef.toString())) {
                tags.add(asRef.toString());
            } else if (asRef == null || asRef.digest() != null) {
                // saved by id: Docker keeps no tag then
            }
        }
        Set<String> written = new LinkedHashSet<>();
        ArrayNode dockerManifest = mapper.createArrayNode();
        ArrayNode ociManifests = mapper.createArrayNode();
        TarWriter tar = new TarWriter(out);
        tar.file("oci-layout", 0644, FIXED_MTIME, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        for (ImageService.Image image : byId.values()) {
            ImageDescription d = image.description();
            writeBlob(tar, d.imageId(), written);
            List<String> layerPaths = new ArrayList<>();
            for (ImageLayer layer : d.layers()) {
                writeBlob(tar, layer.digest(), written);
                layerPaths.add("blobs/sha256/" + Digests.hex(layer.digest()));
            }
            writeBlob(tar, d.manifestDigest(), written);
            Set<String> tags = tagsById.get(image.id());
            ObjectNode entry = dockerManifest.addObject();
            entry.put("Config", "blobs/sha256/" + Digests.hex(d.imageId()));
            ArrayNode repoTags = entry.putArray("RepoTags");
            tags.forEach(t -> repoTags.add(images.familiar(t)));
            ArrayNode layers = entry.putArray("Layers");
            layerPaths.forEach(layers::add);
            long manifestSize = content.size(d.manifestDigest()).orElse(0L);
            if (tags.isEmpty()) {
                ObjectNode descriptor = ociManifests.addObject();
                descriptor.put("mediaType", d.manifestMediaType());
                descriptor.put("digest", d.manifestDigest());
                descriptor.put("size", manifestSize);
            }
            for (String tag : tags) {
                ObjectNode descriptor = ociManifests.addObject();
                descriptor.put("mediaType", d.manifestMediaType());
                descriptor.put("digest", d.manifestDigest());
                descriptor.put("size", manifestSize);
                ObjectNode annotations = descriptor.putObject("annotations");
                annotations.put("io.containerd.image.name", tag);
                annotations.put("org.opencontainers.image.ref.name", tag.substring(tag.lastIndexOf(':') + 1));
            }
        }
        ObjectNode index = mapper.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.set("manifests", ociManifests);
        tar.file("index.json", 0644, FIXED_MTIME, mapper.writeValueAsBytes(index));
        tar.file("manifest.json", 0644, FIXED_MTIME, mapper.writeValueAsBytes(dockerManifest));
        tar.finish();
        out.flush();
    }

    private void writeBlob(TarWriter tar, String digest, Set<String> written) throws IOException {
        if (!written.add(digest)) {
            return;
        }
        if (!content.has(digest)) {
            throw new ImageException(ImageException.Kind.INTERNAL, "blob " + digest + " is missing from the content store");
        }
        if (written.size() == 1) {
            tar.directory("blobs/", 0755, 0, 0, FIXED_MTIME);
            tar.directory("blobs/sha256/", 0755, 0, 0, FIXED_MTIME);
        }
        tar.regularFile("blobs/sha256/" + Digests.hex(digest), 0644, 0, 0, FIXED_MTIME, content.size(digest).orElseThrow());
        try (InputStream in = content.open(digest)) {
            tar.writeFrom(in);
        }
    }

    // ---- load

    /** What a load brought in: per image, its id and tags. */
    record Loaded(String imageId, List<String> tags) {}

    List<Loaded> load(InputStream archive, Path scratchRoot, PullProgress progress, RequestContext context) throws IOException {
        Path scratch = Files.createTempDirectory(Files.createDirectories(scratchRoot), "load-");
        try {
            Map<String, Path> files = unpackEntries(archive, scratch);
            if (files.containsKey("index.json") && files.containsKey("oci-layout")) {
                return loadOciLayout(files, progress, context);
            }
            if (files.containsKey("manifest.json")) {
                return loadDockerArchive(files, progress, context);
            }
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: it has neither manifest.json (docker-archive) nor index.json and oci-layout (OCI layout)");
        } finally {
            deleteTree(scratch);
        }
    }

    /** Copies every regular file of the tar to a numbered scratch file, keyed by its normalised name. */
    private static Map<String, Path> unpackEntries(InputStream archive, Path scratch) throws IOException {
        Map<String, Path> files = new HashMap<>();
        int counter = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(archive, 1 << 16))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = normalise(entry.getName());
                if (name.indexOf('\u0000') >= 0) {
                    // a NUL would make two different names one for the kernel: refused, never cut short
                    throw new ImageException(ImageException.Kind.INVALID, "invalid archive: entry "
                            + SafeRoot.quote(entry.getName()) + " has a NUL byte in its name");
                }
                // the file's name on disk is a counter: no name from the archive ever becomes a path
                Path file = scratch.resolve(Integer.toString(counter++));
                Files.copy(tar, file);
                files.put(name, file);
            }
        } catch (IllegalArgumentException e) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: not a tar file (" + e.getMessage() + ")");
        }
        if (files.isEmpty()) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: empty, or not a tar file");
        }
        return files;
    }

    private static String normalise(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n;
    }

    private List<Loaded> loadDockerArchive(Map<String, Path> files, PullProgress progress, RequestContext context) throws IOException {
        JsonNode manifest = readJson(files, "manifest.json");
        if (!manifest.isArray() || manifest.isEmpty()) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: manifest.json is not a non-empty list");
        }
        List<Loaded> loaded = new ArrayList<>();
        for (JsonNode item : manifest) {
            String configPath = item.path("Config").asText("");
            byte[] configBytes = readBytes(files, configPath, MAX_JSON_BYTES);
            String imageId = content.put(configBytes);
            ImageConfig config = ImageConfig.parse(configBytes, imageId, mapper);
            JsonNode layerPaths = item.path("Layers");
            if (!layerPaths.isArray() || layerPaths.size() != config.diffIds().size()) {
                throw new ImageException(ImageException.Kind.INVALID, "invalid archive: image " + configPath + " lists "
                        + layerPaths.size() + " layers, its config " + config.diffIds().size());
            }
            List<Map.Entry<String, Long>> blobs = new ArrayList<>();
            List<String> mediaTypes = new ArrayList<>();
            for (JsonNode layerPath : layerPaths) {
                Path file = requireFile(files, layerPath.asText());
                blobs.add(Map.entry(storeFile(file), Files.size(file)));
                mediaTypes.add(sniffMediaType(file));
            }
            // a docker-archive carries no manifest: write an OCI one, so the image can be pushed and saved
            List<ManifestWriter.LayerDescriptor> layerDescriptors = new ArrayList<>();
            for (int i = 0; i < blobs.size(); i++) {
                layerDescriptors.add(new ManifestWriter.LayerDescriptor(mediaTypes.get(i), blobs.get(i).getKey(), blobs.get(i).getValue()));
            }
            String manifestDigest = content.put(ManifestWriter.ociManifest(mapper, imageId, configBytes.length, layerDescriptors));
            List<String> tags = new ArrayList<>();
            for (JsonNode tag : item.path("RepoTags")) {
                tags.add(images.parse(tag.asText()).toString());
            }
            loaded.add(register(imageId, manifestDigest, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, config, blobs, mediaTypes,
                    tags, "docker-archive", progress, context));
        }
        return loaded;
    }

    private List<Loaded> loadOciLayout(Map<String, Path> files, PullProgress progress, RequestContext context) throws IOException {
        JsonNode index = readJson(files, "index.json");
        List<Loaded> loaded = new ArrayList<>();
        Map<String, List<String>> tagsByManifest = new LinkedHashMap<>();
        Map<String, JsonNode> descriptors = new LinkedHashMap<>();
        for (JsonNode descriptor : index.path("manifests")) {
            String digest = descriptor.path("digest").asText("");
            descriptors.putIfAbsent(digest, descriptor);
            List<String> tags = tagsByManifest.computeIfAbsent(digest, k -> new ArrayList<>());
            String name = descriptor.path("annotations").path("io.containerd.image.name").asText("");
            if (name.isEmpty()) {
                String refName = descriptor.path("annotations").path("org.opencontainers.image.ref.name").asText("");
                ImageReference asRef = refName.contains("/") || refName.contains(":") ? tryParse(refName) : null;
                name = asRef == null ? "" : asRef.toString();
            }
            if (!name.isEmpty()) {
                tags.add(images.parse(name).toString());
            }
        }
        if (descriptors.isEmpty()) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: index.json lists no manifests");
        }
        for (Map.Entry<String, JsonNode> entry : descriptors.entrySet()) {
            String digest = entry.getKey();
            String mediaType = entry.getValue().path("mediaType").asText("");
            byte[] bytes = readBlob(files, digest, MAX_JSON_BYTES);
            JsonNode manifest = mapper.readTree(bytes);
            if (MediaTypes.isIndex(mediaType) || MediaTypes.isIndex(manifest.path("mediaType").asText(""))) {
                content.put(bytes, digest);
                JsonNode chosen = choosePlatform(manifest, digest);
                digest = chosen.path("digest").asText();
                mediaType = chosen.path("mediaType").asText();
                bytes = readBlob(files, digest, MAX_JSON_BYTES);
                manifest = mapper.readTree(bytes);
            }
            if (mediaType.isEmpty()) {
                mediaType = manifest.path("mediaType").asText(MediaTypes.OCI_MANIFEST);
            }
            content.put(bytes, digest);
            String configDigest = manifest.path("config").path("digest").asText("");
            String configMediaType = manifest.path("config").path("mediaType").asText(MediaTypes.OCI_CONFIG);
            byte[] configBytes = readBlob(files, configDigest, MAX_JSON_BYTES);
            content.put(configBytes, configDigest);
            ImageConfig config = ImageConfig.parse(configBytes, configDigest, mapper);
            List<Map.Entry<String, Long>> blobs = new ArrayList<>();
            List<String> mediaTypes = new ArrayList<>();
            for (JsonNode layer : manifest.path("layers")) {
                String layerDigest = layer.path("digest").asText("");
                Path file = requireFile(files, "blobs/sha256/" + Digests.hex(layerDigest));
                String stored = storeFile(file);
                if (!stored.equals(layerDigest)) {
                    throw new ImageException(ImageException.Kind.INVALID, "invalid archive: blob " + layerDigest + " hashes to " + stored);
                }
                blobs.add(Map.entry(stored, Files.size(file)));
                mediaTypes.add(layer.path("mediaType").asText(MediaTypes.OCI_LAYER_GZIP));
            }
            if (blobs.size() != config.diffIds().size()) {
                throw new ImageException(ImageException.Kind.INVALID, "invalid archive: manifest " + digest + " lists "
                        + blobs.size() + " layers, its config " + config.diffIds().size());
            }
            loaded.add(register(configDigest, digest, mediaType, configMediaType, config, blobs, mediaTypes,
                    tagsByManifest.getOrDefault(entry.getKey(), List.of()), "oci-layout", progress, context));
        }
        return loaded;
    }

    private JsonNode choosePlatform(JsonNode index, String digest) {
        Platform host = Platform.host();
        for (JsonNode candidate : index.path("manifests")) {
            JsonNode platform = candidate.path("platform");
            if (platform.path("os").asText("").equals(host.os()) && platform.path("architecture").asText("").equals(host.architecture())) {
                return candidate;
            }
        }
        throw new ImageException(ImageException.Kind.INVALID, "invalid archive: index " + digest + " has no manifest for " + host);
    }

    /** Unpacks the layers (checking diff ids), records the image and its tags. */
    private Loaded register(String imageId, String manifestDigest, String manifestMediaType, String configMediaType,
                            ImageConfig config, List<Map.Entry<String, Long>> blobs, List<String> mediaTypes,
                            List<String> tags, String format, PullProgress progress, RequestContext context) throws IOException {
        StorageDriver storage = images.storage();
        List<String> chainIds = ChainIds.of(config.diffIds());
        List<ImageLayer> layers = new ArrayList<>();
        long size = 0;
        List<ImageEvent.LayerUnpacked> unpacked = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) {
            String digest = blobs.get(i).getKey();
            String chainId = chainIds.get(i);
            String diffId = config.diffIds().get(i);
            if (!storage.hasLayer(chainId)) {
                progress.status(ImagePuller.shortId(digest), "Loading layer");
                LayerInfo info;
                try (InputStream blob = content.open(digest);
                     InputStream tar = LayerCompression.uncompressed(mediaTypes.get(i), blob)) {
                    info = VerifiedLayers.apply(storage, chainId, i == 0 ? null : chainIds.get(i - 1), tar, diffId,
                            actual -> new ImageException(ImageException.Kind.INVALID, "invalid archive: layer " + digest + " hashes to "
                                    + actual + " uncompressed, its config says " + diffId));
                }
                unpacked.add(new ImageEvent.LayerUnpacked(imageId, chainId, diffId, info.size()));
                size += info.size();
            } else {
                size += storage.layer(chainId).map(LayerInfo::size).orElse(0L);
            }
            layers.add(new ImageLayer(digest, mediaTypes.get(i), blobs.get(i).getValue(), diffId, chainId));
        }
        ImageDescription description = new ImageDescription(imageId, manifestDigest, manifestMediaType, configMediaType, layers,
                config.os(), config.architecture(), config.variant(), config.created(), size);
        images.execute(new ImageCommand.RegisterImage(description, format, tags, unpacked), context);
        if (tags.isEmpty()) {
            progress.status(null, "Loaded image ID: " + imageId);
        }
        for (String tag : tags) {
            progress.status(null, "Loaded image: " + images.familiar(tag));
        }
        return new Loaded(imageId, tags);
    }

    private String storeFile(Path file) throws IOException {
        MessageDigest sha256 = Digests.newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        String digest = Digests.sha256(sha256);
        try (ContentStore.Ingest ingest = content.ingest(digest, Files.size(file)); InputStream in = Files.newInputStream(file)) {
            if (ingest.offset() > 0 && !ingest.alreadyStored()) {
                ingest.restart();
            }
            if (!ingest.alreadyStored()) {
                ingest.writeAll(in);
            }
            ingest.commit();
        }
        return digest;
    }

    private static String sniffMediaType(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return MediaTypes.OCI_LAYER_GZIP;
            }
            if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
                return MediaTypes.OCI_LAYER_ZSTD;
            }
            return MediaTypes.OCI_LAYER_TAR;
        }
    }

    private JsonNode readJson(Map<String, Path> files, String name) throws IOException {
        try {
            return mapper.readTree(readBytes(files, name, MAX_JSON_BYTES));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: " + name + " is not valid JSON");
        }
    }

    private byte[] readBlob(Map<String, Path> files, String digest, long limit) throws IOException {
        if (!Digests.isSha256(digest)) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: bad digest \"" + digest + "\"");
        }
        byte[] bytes = readBytes(files, "blobs/sha256/" + Digests.hex(digest), limit);
        String actual = Digests.sha256(bytes);
        if (!actual.equals(digest)) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: blob " + digest + " hashes to " + actual);
        }
        return bytes;
    }

    private static byte[] readBytes(Map<String, Path> files, String name, long limit) throws IOException {
        Path file = requireFile(files, name);
        if (Files.size(file) > limit) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: " + name + " is over the 4 MiB limit");
        }
        return Files.readAllBytes(file);
    }

    private static Path requireFile(Map<String, Path> files, String name) {
        Path file = files.get(normalise(name));
        if (file == null) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid archive: " + name + " is missing");
        }
        return file;
    }

    private ImageReference tryParse(String name) {
        try {
            return images.registry().parse(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // scratch files are in the root's tmp directory; a later load cleans nothing else up
        }
    }
}
