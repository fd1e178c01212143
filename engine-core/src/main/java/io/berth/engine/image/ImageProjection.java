package io.berth.engine.image;

import io.berth.engine.projection.Projection;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.ImageLayer;

/** Folds image events into {@link ImageState}. */
public final class ImageProjection implements Projection<ImageState> {
    public static final ImageProjection INSTANCE = new ImageProjection();

    @Override
    public String name() {
        return "images";
    }

    private static final java.util.Set<String> TYPES = java.util.Set.of("ImagePulled", "ImageLoaded", "ImageTagged", "ImagePushed",
            "ImageUntagged", "ImageRemoved", "LayerUnpacked", "LayerRemoved");

    @Override
    public boolean folds(String eventType) {
        return TYPES.contains(eventType);
    }

    @Override
    public ImageState initialState() {
        return new ImageState();
    }

    @Override
    public Class<ImageState> stateType() {
        return ImageState.class;
    }

    @Override
    public void apply(ImageState state, EventEnvelope event) {
        if (!(event.payload() instanceof ImageEvent imageEvent)) {
            return;
        }
        // the time is formatted only where it is kept: Instant.toString is a measurable part of a replay
        java.time.Instant time = event.time();
        switch (imageEvent) {
            case ImageEvent.ImagePulled pulled -> {
                ImageState.ImageEntry entry = arrive(state, pulled.image(), time);
                entry.repoDigests.add(pulled.repoDigest());
            }
            case ImageEvent.ImageLoaded loaded -> arrive(state, loaded.image(), time);
            case ImageEvent.ImageTagged tagged -> {
                ImageState.ImageEntry entry = state.images.get(tagged.imageId());
                if (entry == null) {
                    return;
                }
                String previous = state.tags.put(tagged.tag(), tagged.imageId());
                if (previous != null && !previous.equals(tagged.imageId()) && state.images.containsKey(previous)) {
                    state.images.get(previous).repoTags.remove(tagged.tag());
                }
                entry.repoTags.add(tagged.tag());
                entry.lastTagTime = time.toString();
            }
            case ImageEvent.ImageUntagged untagged -> {
                if (untagged.imageId().equals(state.tags.get(untagged.tag()))) {
                    state.tags.remove(untagged.tag());
                }
                ImageState.ImageEntry entry = state.images.get(untagged.imageId());
                if (entry != null) {
                    entry.repoTags.remove(untagged.tag());
                }
            }
            case ImageEvent.ImageRemoved removed -> {
                ImageState.ImageEntry entry = state.images.remove(removed.imageId());
                if (entry != null) {
                    entry.repoTags.forEach(tag -> state.tags.remove(tag, removed.imageId()));
                }
            }
            case ImageEvent.LayerUnpacked unpacked -> state.layers.put(unpacked.chainId(), unpacked.diffId());
            case ImageEvent.LayerRemoved removed -> state.layers.remove(removed.chainId());
            case ImageEvent.PullStarted ignored -> { }
            case ImageEvent.LayerDownloaded ignored -> { }
            case ImageEvent.PullFailed ignored -> { }
            case ImageEvent.ImagePushed pushed -> {
                ImageState.ImageEntry entry = state.images.get(pushed.imageId());
                if (entry != null) {
                    // as Docker does, the image now also has the digest the registry holds it under
                    String reference = pushed.reference();
                    int at = reference.indexOf('@');
                    String base = at >= 0 ? reference.substring(0, at) : reference;
                    int colon = base.lastIndexOf(':');
                    String repository = colon > base.lastIndexOf('/') ? base.substring(0, colon) : base;
                    entry.repoDigests.add(repository + "@" + pushed.manifestDigest());
                }
            }
            case ImageEvent.PushFailed ignored -> { }
            case ImageEvent.BlobRemoved ignored -> { }
        }
    }

    private static ImageState.ImageEntry arrive(ImageState state, ImageDescription image, java.time.Instant time) {
        ImageState.ImageEntry entry = state.images.computeIfAbsent(image.imageId(), id -> {
            ImageState.ImageEntry created = new ImageState.ImageEntry();
            created.addedAt = time.toString();
            return created;
        });
        entry.image = image;
        for (ImageLayer layer : image.layers()) {
            state.layers.put(layer.chainId(), layer.diffId());
        }
        return entry;
    }
}
