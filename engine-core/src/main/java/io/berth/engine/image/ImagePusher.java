package io.berth.engine.image;

import io.berth.engine.content.ContentStore;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.ImageRegistry;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One push: for each blob (layers, then config) ask the registry whether it has it, else mount it
 * from a repository of the same registry the image came from, else upload it; then put the
 * manifest by tag. Pushing an image whose blobs are all there uploads nothing. The manifest pushed
 * is the one stored with the image, byte for byte, so its digest is the same everywhere.
 */
final class ImagePusher {
    private final ImageRegistry registry;
    private final ContentStore content;
    private final Journal journal;

    ImagePusher(ImageRegistry registry, ContentStore content, Journal journal) {
        this.registry = registry;
        this.content = content;
        this.journal = journal;
    }

    /** Pushes {@code image} to {@code target}; returns the manifest digest the registry holds. */
    String push(ImageService.Image image, ImageReference target, Credentials credentials, PullProgress progress, RequestContext context) {
        ImageDescription description = image.description();
        progress.status(null, "The push refers to repository [" + target.name() + "]");
        int uploaded = 0;
        int mounted = 0;
        try {
            List<ImageReference> mountSources = sameRegistrySources(image, target);
            List<Descriptor> blobs = new ArrayList<>();
            for (ImageLayer layer : description.layers()) {
                blobs.add(Descriptor.of(layer.mediaType(), layer.digest(), layer.size()));
            }
            String configDigest = description.imageId();
            blobs.add(Descriptor.of(description.configMediaType(), configDigest, content.size(configDigest).orElse(0L)));
            for (Descriptor blob : blobs) {
                String id = ImagePuller.shortId(blob.digest());
                boolean isConfig = blob.digest().equals(configDigest);
                if (!content.has(blob.digest())) {
                    throw new ImageException(ImageException.Kind.INTERNAL, "blob " + blob.digest() + " of image "
                            + ImagePuller.shortId(image.id()) + " is missing from the content store; pull the image again");
                }
                if (!isConfig) {
                    progress.status(id, "Preparing");
                }
                if (registry.blobExists(target, blob, credentials)) {
                    if (!isConfig) {
                        progress.status(id, "Layer already exists");
                    }
                    continue;
                }
                String mountedFrom = null;
                for (ImageReference source : mountSources) {
                    if (registry.mountBlob(target, blob, source, credentials)) {
                        mountedFrom = source.repository();
                        break;
                    }
                }
                if (mountedFrom != null) {
                    mounted++;
                    if (!isConfig) {
                        progress.status(id, "Mounted from " + mountedFrom);
                    }
                    continue;
                }
                if (!isConfig) {
                    progress.progress(id, "Pushing", 0, blob.size());
                }
                registry.pushBlob(target, blob, () -> content.open(blob.digest()), credentials);
                uploaded++;
                if (!isConfig) {
                    progress.status(id, "Pushed");
                }
            }
            byte[] manifest = content.read(description.manifestDigest());
            Descriptor pushed = registry.pushManifest(target, description.manifestMediaType(), manifest, credentials);
            progress.status(null, target.manifestReference() + ": digest: " + pushed.digest() + " size: " + manifest.length);
            journal.record(context, new ImageEvent.ImagePushed(image.id(), target.toString(), pushed.digest(), uploaded, mounted));
            return pushed.digest();
        } catch (IOException | RuntimeException e) {
            String reason = ImagePuller.oneLine(e);
            journal.record(context, new ImageEvent.PushFailed(target.toString(), reason));
            if (e instanceof ImageException ie) {
                throw ie;
            }
            ImageException.Kind kind = e instanceof RegistryException re && re.reason() == RegistryException.Reason.NOT_FOUND
                    ? ImageException.Kind.NOT_FOUND : ImageException.Kind.UPSTREAM;
            throw new ImageException(kind, reason, e);
        }
    }

    /** Repositories of the target's registry this image came from, to mount blobs from. */
    private static List<ImageReference> sameRegistrySources(ImageService.Image image, ImageReference target) {
        Set<String> seen = new LinkedHashSet<>();
        List<ImageReference> sources = new ArrayList<>();
        List<String> names = new ArrayList<>(image.repoDigests());
        names.addAll(image.repoTags());
        for (String name : names) {
            int at = name.indexOf('@');
            String repo = at >= 0 ? name.substring(0, at) : name.substring(0, Math.max(name.lastIndexOf(':'), name.lastIndexOf('/') + 1));
            if (!repo.startsWith(target.registry() + "/")) {
                continue;
            }
            String repository = repo.substring(target.registry().length() + 1);
            if (repository.isEmpty() || repository.equals(target.repository()) || !seen.add(repository)) {
                continue;
            }
            sources.add(new ImageReference(target.registry(), repository, "latest", null));
        }
        return sources;
    }
}
