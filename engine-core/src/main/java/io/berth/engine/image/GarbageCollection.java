package io.berth.engine.image;

import io.berth.engine.content.ContentStore;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.ImageEvent;
import io.berth.spi.StorageDriver;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.StorageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One pass of image garbage collection: every blob and unpacked layer no image refers to ({@link ImageDecider#referenced})
 * is removed, each removal recorded. The caller holds off pulls, loads and builds meanwhile.
 */
final class GarbageCollection {
    private final Journal journal;
    private final ContentStore content;
    private final StorageDriver driver;
    private final Collection<String> retained;

    /** @param retained blobs kept although no image refers to them (a build record's context, Dockerfile and log) */
    GarbageCollection(Journal journal, ContentStore content, StorageDriver driver, Collection<String> retained) {
        this.journal = journal;
        this.content = content;
        this.driver = driver;
        this.retained = retained;
    }

    /**
     * Removes what no image refers to (a layer under a container's writable layer is kept: the driver refuses to remove it).
     *
     * @return bytes reclaimed
     */
    long run(RequestContext context) {
        ImageDecider.Referenced referenced = journal.projections().read(ImageProjection.INSTANCE, ImageDecider::referenced);
        Set<String> blobs = new HashSet<>(referenced.blobs());
        Set<String> layers = referenced.layers();
        blobs.addAll(retained);
        long reclaimed = 0;
        List<Event> events = new ArrayList<>();
        for (String digest : content.list()) {
            if (!blobs.contains(digest)) {
                long size = content.size(digest).orElse(0L);
                content.delete(digest);
                reclaimed += size;
                events.add(new ImageEvent.BlobRemoved(digest, size));
            }
        }
        List<LayerInfo> unpacked;
        try {
            unpacked = driver.listLayers();
        } catch (StorageException e) {
            throw new ImageException(ImageException.Kind.INTERNAL, "cannot list layers: " + e.getMessage(), e);
        }
        for (var layer : unpacked) {
            if (!layers.contains(layer.chainId())) {
                try {
                    driver.removeLayer(layer.chainId());
                    reclaimed += layer.size();
                    events.add(new ImageEvent.LayerRemoved(layer.chainId()));
                } catch (StorageException e) {
                    // in use by a snapshot: kept until that goes
                }
            }
        }
        if (!events.isEmpty()) {
            journal.record(context, events);
        }
        return reclaimed;
    }
}
