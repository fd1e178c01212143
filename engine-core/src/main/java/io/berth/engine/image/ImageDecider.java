package io.berth.engine.image;

import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.ImageLayer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The image slice's rules in plain code: from a completed {@link ImageCommand} and the {@link ImageState} the log
 * folds to, the events that record it, or an {@link ImageException} refusing it. Reads the state, never changes
 * it, and touches nothing else (no registry, store or driver), so every rule is tested without a daemon.
 */
final class ImageDecider {
    private ImageDecider() { }

    /**
     * The events that carry out {@code command} on {@code state}, in the order to record them; none when there is
     * nothing to change (a tag the image already has).
     *
     * @throws ImageException NOT_FOUND for an image the state does not hold, CONFLICT for a removal Docker refuses
     */
    static List<Event> decide(ImageCommand command, ImageState state) {
        return switch (command) {
            case ImageCommand.TagImage tag -> {
                requireImage(state, tag.imageId(), tag.imageId());
                yield tagEvents(state, tag.imageId(), tag.tag());
            }
            case ImageCommand.RemoveImage remove -> removeEvents(state, remove);
            case ImageCommand.PruneImages prune -> pruneEvents(state, prune);
            case ImageCommand.RegisterPulled pulled -> {
                List<Event> events = new ArrayList<>();
                events.add(new ImageEvent.ImagePulled(pulled.reference(), pulled.repoDigest(), pulled.image(), pulled.upToDate()));
                if (pulled.tag() != null) {
                    events.addAll(tagEvents(state, pulled.image().imageId(), pulled.tag()));
                }
                yield events;
            }
            case ImageCommand.RegisterImage image -> {
                List<Event> events = new ArrayList<>(image.unpacked());
                events.add(new ImageEvent.ImageLoaded(image.image(), image.format(), image.tags()));
                for (String tag : image.tags()) {
                    events.addAll(tagEvents(state, image.image().imageId(), tag));
                }
                yield events;
            }
        };
    }

    /** The events that put {@code tag} on {@code imageId}: untag its previous holder first; none when it has it already. */
    static List<Event> tagEvents(ImageState state, String imageId, String tag) {
        String previous = state.tags.get(tag);
        List<Event> events = new ArrayList<>();
        if (imageId.equals(previous)) {
            return events;
        }
        if (previous != null) {
            events.add(new ImageEvent.ImageUntagged(previous, tag));
        }
        events.add(new ImageEvent.ImageTagged(imageId, tag));
        return events;
    }

    /**
     * {@code docker rmi}: a tag that is not the image's last only untags; the last tag, or an id, deletes the image,
     * refused while containers use it unless forced, and for an id naming an image with several tags unless forced.
     */
    private static List<Event> removeEvents(ImageState state, ImageCommand.RemoveImage remove) {
        ImageState.ImageEntry entry = requireImage(state, remove.imageId(), remove.asked());
        String id = remove.imageId();
        List<Event> events = new ArrayList<>();
        if (remove.byTag() != null && entry.repoTags.size() > 1) {
            events.add(new ImageEvent.ImageUntagged(id, remove.byTag()));
            return events;
        }
        if (remove.byTag() == null && entry.repoTags.size() > 1 && !remove.force()) {
            throw new ImageException(ImageException.Kind.CONFLICT, "conflict: unable to delete " + ImagePuller.shortId(id)
                    + " (must be forced) - image is referenced in multiple repositories");
        }
        if (remove.usedByContainer() && !remove.force()) {
            throw new ImageException(ImageException.Kind.CONFLICT, "conflict: unable to remove repository reference \""
                    + remove.asked() + "\" (must force) - image " + ImagePuller.shortId(id) + " is being used by a container");
        }
        for (String tag : entry.repoTags) {
            events.add(new ImageEvent.ImageUntagged(id, tag));
        }
        events.add(new ImageEvent.ImageRemoved(id));
        return events;
    }

    /** Each pruned image's untags then its removal; a candidate gone meanwhile is skipped. */
    private static List<Event> pruneEvents(ImageState state, ImageCommand.PruneImages prune) {
        List<Event> events = new ArrayList<>();
        for (String id : prune.candidates()) {
            ImageState.ImageEntry entry = state.images.get(id);
            if (entry == null || !(entry.repoTags.isEmpty() || prune.all())) {
                continue;
            }
            for (String tag : entry.repoTags) {
                events.add(new ImageEvent.ImageUntagged(id, tag));
            }
            events.add(new ImageEvent.ImageRemoved(id));
        }
        return events;
    }

    /**
     * What garbage collection keeps: every blob (config, manifest, repository digests, layers) and every unpacked
     * layer (by chain id) some image in {@code state} refers to.
     */
    static Referenced referenced(ImageState state) {
        Set<String> blobs = new HashSet<>();
        Set<String> layers = new HashSet<>();
        for (ImageState.ImageEntry entry : state.images.values()) {
            blobs.add(entry.image.imageId());
            blobs.add(entry.image.manifestDigest());
            entry.repoDigests.forEach(repoDigest -> blobs.add(repoDigest.substring(repoDigest.indexOf('@') + 1)));
            for (ImageLayer layer : entry.image.layers()) {
                blobs.add(layer.digest());
                layers.add(layer.chainId());
            }
        }
        return new Referenced(blobs, layers);
    }

    /**
     * Blobs and layers some image refers to.
     *
     * @param blobs  digests in the content store
     * @param layers chain ids with the storage driver
     */
    record Referenced(Set<String> blobs, Set<String> layers) { }

    private static ImageState.ImageEntry requireImage(ImageState state, String imageId, String asked) {
        ImageState.ImageEntry entry = state.images.get(imageId);
        if (entry == null) {
            throw new ImageException(ImageException.Kind.NOT_FOUND, "No such image: " + asked);
        }
        return entry;
    }
}
