package io.berth.engine.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.image.ImageService;
import io.berth.engine.image.ManifestWriter;
import io.berth.eventlog.events.ImageDescription;
import java.io.IOException;
import java.util.Map;

/**
 * The last step of a build: the final stage's state becomes an image. Its config is written from the
 * state (with the build's {@code --label}s), then stored with its manifest by the image slice's one
 * writer ({@link ManifestWriter#storeImage}), the same that {@code commit}, {@code import} and
 * {@code load} use, so a built image and a loaded one are stored alike.
 */
final class ImageAssembler {
    private final ImageService images;
    private final ObjectMapper mapper;

    ImageAssembler(ImageService images, ObjectMapper mapper) {
        this.images = images;
        this.mapper = mapper;
    }

    /**
     * @param labels  the build's labels, over the stage's own
     * @param created the image's creation time (the build's epoch)
     */
    ImageDescription assemble(StageState image, Map<String, String> labels, String created) throws IOException {
        image.labels.putAll(labels);
        byte[] config = image.configJson(mapper, created);
        return ManifestWriter.storeImage(images.content(), images.storage(), mapper, config, image.layers, image.os,
                image.architecture, image.variant, created);
    }
}
