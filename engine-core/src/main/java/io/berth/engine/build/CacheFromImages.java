package io.berth.engine.build;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.engine.image.ImageService;
import io.berth.eventlog.events.ImageLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code build --cache-from IMAGE}: images whose history can serve a step, as Docker's builder
 * uses them. An image's history is its chain of cache keys: a step is served by the image when the
 * stage so far (its history entries and layers) is a prefix of the image's, and the image's next
 * history entry was made by the same instruction ({@code created_by}, which for COPY and ADD holds
 * the sources' digest and for RUN the command and the build args it saw). A layer step then reuses
 * the image's next layer. The images must be here (pulled or loaded); a missing one is named in a
 * warning and skipped.
 */
final class CacheFromImages {
    /** One image offered as cache. */
    private record Candidate(String reference, String imageId, List<JsonNode> history, List<ImageLayer> layers) {
    }

    /** A step served by an image: that image, and the layer reused (null for a step without one). */
    record Hit(String reference, String imageId, ImageLayer layer) {
    }

    private final List<Candidate> candidates;

    private CacheFromImages(List<Candidate> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    static CacheFromImages load(BuildService service, List<String> references, BuildOutput out) {
        List<Candidate> candidates = new ArrayList<>();
        for (String reference : references) {
            Optional<ImageService.Image> image;
            try {
                image = service.images().find(reference);
            } catch (RuntimeException e) {
                image = Optional.empty();
            }
            if (image.isEmpty()) {
                out.stream("[Warning] --cache-from " + reference + ": no such image here (pull or load it first); not used\n");
                continue;
            }
            JsonNode config = service.images().config(image.get());
            List<JsonNode> history = new ArrayList<>();
            config.path("history").forEach(history::add);
            candidates.add(new Candidate(reference, image.get().id(), history, image.get().description().layers()));
        }
        return new CacheFromImages(candidates);
    }

    boolean isEmpty() {
        return candidates.isEmpty();
    }

    /** The image that can serve the next step of {@code state}, if any. */
    Hit find(StageState state, String createdBy, boolean producesLayer, BuildService service) {
        for (Candidate c : candidates) {
            int n = state.history.size();
            if (c.history.size() <= n || c.layers.size() < state.layers.size()) {
                continue;
            }
            if (!samePrefix(state, c)) {
                continue;
            }
            JsonNode next = c.history.get(n);
            boolean emptyLayer = next.path("empty_layer").asBoolean(false);
            if (!next.path("created_by").asText("").equals(createdBy) || !emptyLayer && !producesLayer) {
                continue;
            }
            if (emptyLayer) {
                return new Hit(c.reference, c.imageId, null); // a metadata step, or a RUN that changed nothing
            }
            if (c.layers.size() <= state.layers.size()) {
                continue;
            }
            ImageLayer layer = c.layers.get(state.layers.size());
            if (!service.images().storage().hasLayer(layer.chainId()) || !service.images().content().has(layer.digest())) {
                continue;
            }
            return new Hit(c.reference, c.imageId, layer);
        }
        return null;
    }

    private static boolean samePrefix(StageState state, Candidate c) {
        for (int i = 0; i < state.history.size(); i++) {
            JsonNode mine = state.history.get(i);
            JsonNode theirs = c.history.get(i);
            if (!mine.path("created_by").asText("").equals(theirs.path("created_by").asText(""))
                    || mine.path("empty_layer").asBoolean(false) != theirs.path("empty_layer").asBoolean(false)) {
                return false;
            }
        }
        for (int i = 0; i < state.layers.size(); i++) {
            if (!state.layers.get(i).diffId().equals(c.layers.get(i).diffId())) {
                return false;
            }
        }
        return true;
    }
}
