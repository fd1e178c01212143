package io.berth.engine.image;

import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import java.util.List;

/**
 * What a caller asks of the image slice, completed: references are already parsed and written in full, the image a
 * name or id denotes is already resolved to its id, and facts from outside the slice (is a container using the
 * image?) are already looked up. {@link ImageDecider#decide} turns a command and the image state into the events
 * to record, or refuses it; the service then performs the side effects and records the events.
 */
public sealed interface ImageCommand {

    /**
     * Put a tag on an image ({@code docker tag}); the tag's previous holder loses it.
     *
     * @param imageId the image
     * @param tag     the full tag reference ({@code docker.io/library/busybox:1}), no digest
     */
    record TagImage(String imageId, String tag) implements ImageCommand { }

    /**
     * Remove a tag or an image, as {@code docker rmi} does.
     *
     * @param imageId         the image the name resolved to
     * @param asked           the name or id as the user gave it (for messages)
     * @param byTag           the full tag reference when {@code asked} named one of the image's tags, else null (an id)
     * @param force           {@code --force}
     * @param usedByContainer a container (running or not) uses the image
     */
    record RemoveImage(String imageId, String asked, String byTag, boolean force, boolean usedByContainer) implements ImageCommand { }

    /**
     * Remove the images among {@code candidates} that a prune takes: dangling ones, or with {@code all} any.
     *
     * @param candidates ids of the images no container uses that pass the prune's filters (labels, until)
     * @param all        {@code dangling=false}: tagged images too
     */
    record PruneImages(List<String> candidates, boolean all) implements ImageCommand { }

    /**
     * Register an image a pull completed, tagging it with the reference's tag.
     *
     * @param reference  the reference pulled, in full
     * @param repoDigest {@code repository@digest} the registry served
     * @param image      the image
     * @param upToDate   it was complete here already
     * @param tag        the full tag reference to put on it, or null for a pull by digest alone
     */
    record RegisterPulled(String reference, String repoDigest, ImageDescription image, boolean upToDate, String tag)
            implements ImageCommand { }

    /**
     * Register an image made here or read from an archive: a load, an import, a commit or a build.
     *
     * @param image    the image (blobs in the content store, layers with the storage driver)
     * @param format   {@code docker-archive}, {@code oci-layout}, {@code import}, {@code commit} or {@code build}
     * @param tags     full tag references to put on it, no digests
     * @param unpacked the layers unpacked for it, recorded before the image
     */
    record RegisterImage(ImageDescription image, String format, List<String> tags, List<ImageEvent.LayerUnpacked> unpacked)
            implements ImageCommand {
        public RegisterImage {
            tags = List.copyOf(tags);
            unpacked = List.copyOf(unpacked);
        }
    }
}
