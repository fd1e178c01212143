package io.berth.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an image config blob (OCI image config / Docker image JSON) the engine reads:
 * {@code rootfs.diff_ids}, platform, creation time and history. The blob itself stays in the
 * content store and is served as is by {@code inspect}.
 *
 * @param json    the parsed config
 * @param diffIds the layers' uncompressed digests, bottom first
 */
public record ImageConfig(JsonNode json, List<String> diffIds) {

    /** Parses a config blob; the message names the image and the problem. */
    public static ImageConfig parse(byte[] blob, String imageId, ObjectMapper mapper) {
        JsonNode json;
        try {
            json = mapper.readTree(blob);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.UPSTREAM, "config " + imageId + " is not valid JSON");
        }
        if (json == null || !json.isObject()) {
            throw new ImageException(ImageException.Kind.UPSTREAM, "config " + imageId + " is not a JSON object");
        }
        List<String> diffIds = new ArrayList<>();
        JsonNode ids = json.path("rootfs").path("diff_ids");
        if (!ids.isArray()) {
            throw new ImageException(ImageException.Kind.UPSTREAM, "config " + imageId + " has no rootfs.diff_ids");
        }
        ids.forEach(id -> diffIds.add(id.asText()));
        return new ImageConfig(json, List.copyOf(diffIds));
    }

    public String os() {
        return json.path("os").asText("");
    }

    public String architecture() {
        return json.path("architecture").asText("");
    }

    public String variant() {
        return json.path("variant").asText("");
    }

    public String created() {
        return json.path("created").asText("");
    }
}
