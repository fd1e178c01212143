package io.berth.engine.build;

import io.berth.engine.dockerfile.Location;
import io.berth.engine.image.ImageException;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.RequestContext;
import io.berth.spi.registry.Credentials;
import io.berth.engine.image.PullProgress;
import java.util.Optional;

/**
 * The images a build starts from or copies from ({@code FROM}, {@code COPY --from}, {@code RUN
 * --mount=…,from=}): found among the images here, else pulled anonymously, the pull's status lines
 * in the build's output. A refusal names the Dockerfile line.
 */
final class BaseImages {
    private final ImageService images;

    BaseImages(ImageService images) {
        this.images = images;
    }

    /** A base image, pulled when it is not here. */
    ImageService.Image find(String reference, BuildOutput out, RequestContext context, Location location) {
        return find(reference, out, context, location, false);
    }

    /** @param copyFrom for {@code COPY --from}: a bare unknown name is refused instead of pulled */
    ImageService.Image find(String reference, BuildOutput out, RequestContext context, Location location, boolean copyFrom) {
        Optional<ImageService.Image> found;
        try {
            found = images.find(reference);
        } catch (ImageException e) {
            throw new BuildException(BuildExecution.where(location) + ": invalid image reference " + reference + ": " + e.getMessage());
        }
        if (found.isPresent()) {
            return found.get();
        }
        if (copyFrom && !reference.contains("/") && !reference.contains(":") && !reference.contains("@")) {
            // a bare word that names no stage is far more often a typo than an image to fetch from a public registry
            throw new BuildException(BuildExecution.where(location) + ": no stage or image named " + reference
                    + " (no stage has that name and no such image is here; name an image with its tag to pull it, e.g. "
                    + reference + ":latest)");
        }
        try {
            images.parse(reference);
            images.pull(reference, null, Credentials.anonymous(), new PullProgress() {
                @Override
                public void status(String id, String status) {
                    if (id == null) {
                        out.stream(status + "\n");
                    }
                }

                @Override
                public void progress(String id, String status, long current, long total) {
                }
            }, context);
        } catch (ImageException e) {
            throw new BuildException(BuildExecution.where(location) + ": no stage or image named " + reference + ": "
                    + (e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("")));
        }
        return images.find(reference).orElseThrow(() -> new BuildException(BuildExecution.where(location) + ": image " + reference + " is not here after its pull"));
    }
}
