package io.berth.eventlog.events;

import java.util.List;

/**
 * Events about images. Pull and push progress events have the reference as subject (there is no
 * image id yet, or it may not be known to the caller); the others have the image id.
 * References are written in full ({@code docker.io/library/busybox:latest}).
 */
public sealed interface ImageEvent extends Event permits ImageEvent.PullStarted, ImageEvent.LayerDownloaded,
        ImageEvent.LayerUnpacked, ImageEvent.ImagePulled, ImageEvent.PullFailed, ImageEvent.ImagePushed,
        ImageEvent.PushFailed, ImageEvent.ImageTagged, ImageEvent.ImageUntagged, ImageEvent.ImageRemoved,
        ImageEvent.ImageLoaded, ImageEvent.LayerRemoved, ImageEvent.BlobRemoved {

    /**
     * A pull began.
     *
     * @param reference the reference as resolved
     * @param platform  the platform asked for ({@code linux/amd64})
     */
    record PullStarted(String reference, String platform) implements ImageEvent {
        @Override
        public String subject() {
            return reference;
        }
    }

    /**
     * A layer blob is in the content store, verified against its digest.
     *
     * @param reference      the reference being pulled
     * @param digest         the blob's digest
     * @param size           its size
     * @param resumedAt      bytes that were already there from an interrupted download (0 when none)
     * @param alreadyPresent the blob was stored before this pull, nothing was downloaded
     */
    record LayerDownloaded(String reference, String digest, long size, long resumedAt, boolean alreadyPresent) implements ImageEvent {
        @Override
        public String subject() {
            return reference;
        }
    }

    /**
     * A layer was unpacked by the storage driver and its uncompressed digest checked.
     *
     * @param reference the reference being pulled (or the image loaded)
     * @param chainId   the layer's chain id
     * @param diffId    the digest of its uncompressed tar
     * @param size      bytes unpacked
     */
    record LayerUnpacked(String reference, String chainId, String diffId, long size) implements ImageEvent {
        @Override
        public String subject() {
            return reference;
        }
    }

    /**
     * A pull finished: the image is complete and usable.
     *
     * @param reference  the reference pulled
     * @param repoDigest {@code repository@digest} of what the registry served (index or manifest)
     * @param image      the image
     * @param upToDate   the image was already complete here; nothing was downloaded
     */
    record ImagePulled(String reference, String repoDigest, ImageDescription image, boolean upToDate) implements ImageEvent {
        @Override
        public String subject() {
            return image.imageId();
        }
    }

    /**
     * A pull failed; no image became visible.
     *
     * @param reference the reference (as given when it could not be parsed)
     * @param reason    one line: what failed, on which blob or manifest
     */
    record PullFailed(String reference, String reason) implements ImageEvent {
        @Override
        public String subject() {
            return reference;
        }
    }

    /**
     * An image was pushed.
     *
     * @param imageId        the image
     * @param reference      where to
     * @param manifestDigest the digest the registry holds it under
     * @param blobsUploaded  blobs uploaded (0 when the registry had them all)
     * @param blobsMounted   blobs mounted from another repository
     */
    record ImagePushed(String imageId, String reference, String manifestDigest, int blobsUploaded, int blobsMounted) implements ImageEvent {
        @Override
        public String subject() {
            return imageId;
        }
    }

    /**
     * A push failed.
     *
     * @param reference where to
     * @param reason    one line
     */
    record PushFailed(String reference, String reason) implements ImageEvent {
        @Override
        public String subject() {
            return reference;
        }
    }

    /**
     * A tag now names the image (a tag names one image at a time: it moved, if it named another before).
     *
     * @param imageId the image
     * @param tag     the full reference {@code registry/repository:tag}
     */
    record ImageTagged(String imageId, String tag) implements ImageEvent {
        @Override
        public String subject() {
            return imageId;
        }
    }

    /**
     * A tag no longer names the image.
     *
     * @param imageId the image
     * @param tag     the full reference
     */
    record ImageUntagged(String imageId, String tag) implements ImageEvent {
        @Override
        public String subject() {
            return imageId;
        }
    }

    /**
     * An image was deleted (its tags are removed by earlier {@code ImageUntagged} events).
     *
     * @param imageId the image
     */
    record ImageRemoved(String imageId) implements ImageEvent {
        @Override
        public String subject() {
            return imageId;
        }
    }

    /**
     * An image came from an archive ({@code berth load}).
     *
     * @param image  the image
     * @param format {@code docker-archive} or {@code oci-layout}
     * @param tags   the tags the archive gave it (applied by following {@code ImageTagged} events)
     */
    record ImageLoaded(ImageDescription image, String format, List<String> tags) implements ImageEvent {
        public ImageLoaded {
            tags = List.copyOf(tags);
        }

        @Override
        public String subject() {
            return image.imageId();
        }
    }

    /**
     * Garbage collection removed an unpacked layer no image uses.
     *
     * @param chainId the layer
     */
    record LayerRemoved(String chainId) implements ImageEvent {
        @Override
        public String subject() {
            return chainId;
        }
    }

    /**
     * Garbage collection removed a blob no image references.
     *
     * @param digest the blob
     * @param size   its size
     */
    record BlobRemoved(String digest, long size) implements ImageEvent {
        @Override
        public String subject() {
            return digest;
        }
    }
}
