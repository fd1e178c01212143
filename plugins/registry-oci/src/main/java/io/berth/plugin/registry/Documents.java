package io.berth.plugin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.registry.Platform;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads manifests and indexes (OCI and Docker schema 2) into descriptors, refusing what berth does
 * not handle with a message naming the media type.
 */
final class Documents {

    /** What a manifest names. */
    record Manifest(String mediaType, Descriptor config, List<Descriptor> layers) {
    }

    /** What an index names. */
    record Index(String mediaType, List<Descriptor> manifests) {
    }

    private static final Set<String> DOCUMENT_TYPES = Set.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);
    private static final Set<String> CONFIG_TYPES = Set.of(MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG);
    private static final Set<String> LAYER_TYPES = Set.of(MediaTypes.OCI_LAYER_TAR, MediaTypes.OCI_LAYER_GZIP,
            MediaTypes.OCI_LAYER_ZSTD, MediaTypes.DOCKER_LAYER_GZIP, MediaTypes.DOCKER_FOREIGN_LAYER_GZIP,
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");
    private static final String SCHEMA1 = "application/vnd.docker.distribution.manifest.v1";

    private Documents() {
    }

    /**
     * Decides what a document is from its {@code mediaType} field and the answer's
     * {@code Content-Type}.
     *
     * @param root        the parsed document
     * @param contentType the answer's content type, lower case without parameters
     * @param call        for error messages
     * @return one of the four manifest and index media types
     * @throws RegistryException {@code UNSUPPORTED} for anything else, {@code PROTOCOL} if the
     *                           field and the header disagree
     */
    static String mediaType(JsonNode root, String contentType, Call call) throws RegistryException {
        String field = Json.text(root, "mediaType").orElse(null);
        JsonNode schemaVersion = root.get("schemaVersion");
        if (contentType.startsWith(SCHEMA1) || (schemaVersion != null && schemaVersion.asInt() == 1)) {
            throw new RegistryException(Reason.UNSUPPORTED, call.registry(), call.subject(),
                    "Docker schema 1 manifests are not supported: push the image again with a current client");
        }
        if (field != null) {
            if (!DOCUMENT_TYPES.contains(field)) {
                throw unsupported(call, field);
            }
            if (DOCUMENT_TYPES.contains(contentType) && !contentType.equals(field)) {
                throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                        "the registry served a document of media type " + field + " as " + contentType);
            }
            return field;
        }
        if (DOCUMENT_TYPES.contains(contentType)) {
            return contentType;
        }
        if (contentType.isEmpty() || contentType.equals("application/json")) {
            if (root.has("manifests")) {
                return MediaTypes.OCI_INDEX;
            }
            if (root.has("config") && root.has("layers")) {
                return MediaTypes.OCI_MANIFEST;
            }
        }
        throw unsupported(call, contentType.isEmpty() ? "(none)" : contentType);
    }

    private static RegistryException unsupported(Call call, String mediaType) {
        return new RegistryException(Reason.UNSUPPORTED, call.registry(), call.subject(),
                "unsupported manifest media type " + mediaType + ": berth reads OCI and Docker schema 2 manifests and indexes");
    }

    /**
     * @param root      a manifest
     * @param mediaType its media type
     * @param call      for error messages
     * @return its config and layers
     * @throws RegistryException {@code PROTOCOL} if malformed, {@code UNSUPPORTED} if it is not a
     *                           container image
     */
    static Manifest manifest(JsonNode root, String mediaType, Call call) throws RegistryException {
        JsonNode configNode = root.get("config");
        JsonNode layersNode = root.get("layers");
        if (configNode == null || !configNode.isObject() || layersNode == null || !layersNode.isArray()) {
            throw malformed(call, "the manifest has no config object or no layers array");
        }
        Descriptor config = descriptor(configNode, "config", call);
        if (!CONFIG_TYPES.contains(config.mediaType())) {
            throw new RegistryException(Reason.UNSUPPORTED, call.registry(), call.subject(),
                    "not a container image: its config has media type " + config.mediaType());
        }
        List<Descriptor> layers = new ArrayList<>();
        int i = 0;
        for (JsonNode layer : layersNode) {
            Descriptor d = descriptor(layer, "layer " + i++, call);
            if (!LAYER_TYPES.contains(d.mediaType())) {
                throw new RegistryException(Reason.UNSUPPORTED, call.registry(), call.subject(),
                        "layer " + d.digest() + " has the unsupported media type " + d.mediaType());
            }
            layers.add(d);
        }
        return new Manifest(mediaType, config, layers);
    }

    /**
     * @param root      an index
     * @param mediaType its media type
     * @param call      for error messages
     * @return its entries
     * @throws RegistryException {@code PROTOCOL} if malformed
     */
    static Index index(JsonNode root, String mediaType, Call call) throws RegistryException {
        JsonNode manifests = root.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw malformed(call, "the index has no manifests array");
        }
        List<Descriptor> entries = new ArrayList<>();
        int i = 0;
        for (JsonNode m : manifests) {
            entries.add(descriptor(m, "manifests[" + i++ + "]", call));
        }
        return new Index(mediaType, entries);
    }

    private static Descriptor descriptor(JsonNode node, String where, Call call) throws RegistryException {
        if (!node.isObject()) {
            throw malformed(call, where + " is not a descriptor object");
        }
        String mediaType = Json.text(node, "mediaType").orElse(null);
        String digest = Json.text(node, "digest").orElse(null);
        JsonNode size = node.get("size");
        if (mediaType == null || digest == null || size == null || !size.canConvertToLong()) {
            throw malformed(call, where + " lacks a mediaType, digest or size");
        }
        List<String> urls = new ArrayList<>();
        JsonNode urlsNode = node.get("urls");
        if (urlsNode != null && urlsNode.isArray()) {
            urlsNode.forEach(u -> urls.add(u.asText()));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        JsonNode annotationsNode = node.get("annotations");
        if (annotationsNode != null && annotationsNode.isObject()) {
            annotationsNode.properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
        }
        Platform platform = null;
        JsonNode p = node.get("platform");
        if (p != null && p.isObject()) {
            platform = platform(p).orElse(null);
        }
        try {
            return new Descriptor(mediaType, digest, size.asLong(), urls, annotations, platform);
        } catch (IllegalArgumentException e) {
            throw malformed(call, where + ": " + e.getMessage());
        }
    }

    /**
     * @param node an object with {@code os}, {@code architecture} and optional {@code variant}
     *             (an index entry's platform, or an image config)
     * @return the platform, if os and architecture are there
     */
    static java.util.Optional<Platform> platform(JsonNode node) {
        String os = Json.text(node, "os").orElse(null);
        String arch = Json.text(node, "architecture").orElse(null);
        if (os == null || arch == null || os.isBlank() || arch.isBlank()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Platform(os, arch, Json.text(node, "variant").orElse(null)));
    }

    private static RegistryException malformed(Call call, String problem) {
        return new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(), "malformed manifest: " + problem);
    }
}
