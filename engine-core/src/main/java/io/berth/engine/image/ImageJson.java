package io.berth.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.events.ImageDescription;
import io.berth.spi.storage.StorageException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Docker's JSON shapes of an image: inspect and history, read from the image's record and its config blob. */
final class ImageJson {
    private final ImageService images;
    private final ObjectMapper mapper;

    ImageJson(ImageService images, ObjectMapper mapper) {
        this.images = images;
        this.mapper = mapper;
    }


    /** Docker's image inspect; for a past state the config may be gone from the store since, and is then left empty. */
    ObjectNode inspect(ImageService.Image image, boolean past) {
        JsonNode config = past ? images.configIfPresent(image) : images.config(image);
        ImageDescription description = image.description();
        ObjectNode body = mapper.createObjectNode();
        body.put("Id", image.id());
        ArrayNode tags = body.putArray("RepoTags");
        image.repoTags().forEach(t -> tags.add(images.familiar(t)));
        ArrayNode digests = body.putArray("RepoDigests");
        image.repoDigests().forEach(d -> digests.add(images.familiar(d)));
        body.put("Parent", "");
        body.put("Comment", config.path("comment").asText(""));
        body.put("Created", description.created());
        body.put("DockerVersion", config.path("docker_version").asText(""));
        body.put("Author", config.path("author").asText(""));
        body.set("Config", config.path("config").isObject() ? config.get("config") : mapper.createObjectNode());
        body.put("Architecture", description.architecture());
        if (!description.variant().isEmpty()) {
            body.put("Variant", description.variant());
        }
        body.put("Os", description.os());
        body.put("Size", description.size());
        body.put("VirtualSize", description.size());
        ObjectNode driver = body.putObject("GraphDriver");
        driver.put("Name", "overlayfs");
        ObjectNode driverData = driver.putObject("Data");
        List<String> chainIds = description.layers().stream().map(l -> l.chainId()).toList();
        driverData.put("Layers", String.join(":", chainIds));
        ObjectNode rootfs = body.putObject("RootFS");
        rootfs.put("Type", "layers");
        ArrayNode layers = rootfs.putArray("Layers");
        description.layers().forEach(l -> layers.add(l.diffId()));
        body.putObject("Metadata").put("LastTagTime", image.lastTagTime() == null ? "0001-01-01T00:00:00Z" : image.lastTagTime());
        ObjectNode berth = body.putObject("Berth");
        berth.put("ManifestDigest", description.manifestDigest());
        berth.put("ManifestMediaType", description.manifestMediaType());
        berth.put("AddedAt", image.addedAt());
        return body;
    }

    /** Docker's image history: the config's history, newest first, with layer sizes. */
    ArrayNode history(ImageService.Image image) {
        JsonNode history = images.config(image).path("history");
        List<ObjectNode> entries = new ArrayList<>();
        int layerIndex = 0;
        List<Long> sizes = layerSizes(image);
        for (JsonNode step : history) {
            boolean empty = step.path("empty_layer").asBoolean(false);
            ObjectNode entry = mapper.createObjectNode();
            entry.put("Id", "<missing>");
            entry.put("Created", epochSeconds(step.path("created").asText("")));
            entry.put("CreatedBy", step.path("created_by").asText(""));
            entry.putArray("Tags");
            entry.put("Size", empty || layerIndex >= sizes.size() ? 0 : sizes.get(layerIndex));
            entry.put("Comment", step.path("comment").asText(""));
            if (!empty) {
                layerIndex++;
            }
            entries.add(entry);
        }
        if (!entries.isEmpty()) {
            ObjectNode newest = entries.getLast();
            newest.put("Id", image.id());
            ArrayNode tags = newest.putArray("Tags");
            image.repoTags().forEach(t -> tags.add(images.familiar(t)));
        }
        ArrayNode answer = mapper.createArrayNode();
        for (int i = entries.size() - 1; i >= 0; i--) {
            answer.add(entries.get(i));
        }
        return answer;
    }

    private List<Long> layerSizes(ImageService.Image image) {
        List<Long> sizes = new ArrayList<>();
        for (var layer : image.description().layers()) {
            try {
                sizes.add(images.storage().layer(layer.chainId()).map(l -> l.size()).orElse(layer.size()));
            } catch (StorageException e) {
                sizes.add(layer.size());
            }
        }
        return sizes;
    }

    static long epochSeconds(String rfc3339) {
        if (rfc3339 == null || rfc3339.isBlank()) {
            return 0;
        }
        try {
            return OffsetDateTime.parse(rfc3339).toEpochSecond();
        } catch (RuntimeException e) {
            try {
                return Instant.parse(rfc3339).getEpochSecond();
            } catch (RuntimeException ignored) {
                return 0;
            }
        }
    }
}
