package io.berth.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.content.ContentStore;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.plugins.PluginHost;
import io.berth.engine.projection.Projections;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import io.berth.spi.ImageRegistry;
import io.berth.spi.StorageDriver;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.InvalidReferenceException;
import io.berth.spi.registry.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * Images: pull, look up, tag, remove, prune and collect garbage. Every change is an event through
 * the journal; reads come from the image projection. Blobs live in the content store, unpacked
 * layers with the storage driver.
 */
public final class ImageService {
    private final Journal journal;
    private final ContentStore content;
    private final PluginHost plugins;
    private final ObjectMapper mapper;
    private final KeyedLocks locks = new KeyedLocks();
    /** Pulls, loads and builds hold the read side; garbage collection the write side, so it never takes a blob in flight. */
    private final ReadWriteLock collection = new ReentrantReadWriteLock();
    private final int parallelDownloads;
    private volatile Predicate<String> imageInUse = id -> false;

    public ImageService(Journal journal, ContentStore content, PluginHost plugins, ObjectMapper mapper, int parallelDownloads) {
        this.journal = journal;
        this.content = content;
        this.plugins = plugins;
        this.mapper = mapper;
        this.parallelDownloads = parallelDownloads;
    }

    private volatile java.util.function.Supplier<java.util.Collection<String>> retainedBlobs = List::of;

    /** Blobs garbage collection keeps although no image refers to them (a build record's context, Dockerfile and log). */
    public void setRetainedBlobs(java.util.function.Supplier<java.util.Collection<String>> retained) {
        this.retainedBlobs = retained;
    }

    /** Tells the service which images containers use (they are not removed without force). */
    public void setImageInUse(Predicate<String> inUse) {
        this.imageInUse = inUse;
    }

    public ContentStore content() {
        return content;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    Journal journal() {
        return journal;
    }

    public ImageRegistry registry() {
        return plugins.first(ImageRegistry.class).orElseThrow(() -> new ImageException(ImageException.Kind.INTERNAL,
                "no registry plugin is running (see berth plugin ls)"));
    }

    public StorageDriver storage() {
        return plugins.first(StorageDriver.class).orElseThrow(() -> new ImageException(ImageException.Kind.INTERNAL,
                "no storage driver plugin is running (see berth plugin ls)"));
    }

    /** Parses a reference as Docker does; a bad one is an INVALID error naming it. */
    public ImageReference parse(String reference) {
        try {
            return registry().parse(reference);
        } catch (InvalidReferenceException e) {
            throw new ImageException(ImageException.Kind.INVALID, e.getMessage());
        }
    }

    /** The familiar form of a full reference ({@code busybox:latest} for docker.io/library/busybox:latest). */
    public String familiar(String fullReference) {
        try {
            return registry().parse(fullReference).familiarString();
        } catch (RuntimeException e) {
            return fullReference;
        }
    }

    // ---- pull

    /** Pulls an image and tags it with the reference's tag (when it has one). */
    public ImageDescription pull(String reference, String platform, Credentials credentials, PullProgress progress, RequestContext context) {
        ImageReference ref = parse(reference);
        Platform target;
        try {
            target = platform == null || platform.isBlank() ? Platform.host() : Platform.parse(platform);
        } catch (IllegalArgumentException e) {
            throw new ImageException(ImageException.Kind.INVALID, "invalid platform \"" + platform + "\": " + e.getMessage());
        }
        collection.readLock().lock();
        try {
            ImagePuller puller = new ImagePuller(registry(), storage(), content, journal, mapper, locks, parallelDownloads);
            ImagePuller.Pulled pulled = puller.pull(ref, target, credentials, progress, context, lookup());
            String tag = ref.tag() == null ? null : ref.digest() == null ? ref.toString() : ref.withTag(ref.tag()).toString();
            execute(new ImageCommand.RegisterPulled(ref.toString(), pulled.repoDigest(), pulled.image(), pulled.upToDate(), tag), context);
            progress.status(null, pulled.upToDate()
                    ? "Status: Image is up to date for " + ref.familiarString()
                    : "Status: Downloaded newer image for " + ref.familiarString());
            return pulled.image();
        } finally {
            collection.readLock().unlock();
        }
    }

    private ImageLookup lookup() {
        return new ImageLookup() {
            @Override
            public boolean isComplete(String imageId, List<String> chainIds) {
                return journal.projections().read(ImageProjection.INSTANCE, s -> s.images.containsKey(imageId)
                        && chainIds.stream().allMatch(s.layers::containsKey));
            }

            @Override
            public ImageDescription description(String imageId) {
                return journal.projections().read(ImageProjection.INSTANCE, s -> s.images.get(imageId).image);
            }
        };
    }

    /** The events {@code command} decides on the live image state (or its refusal), not yet recorded. */
    List<Event> decide(ImageCommand command) {
        return journal.projections().read(ImageProjection.INSTANCE, state -> ImageDecider.decide(command, state));
    }

    /** Decides {@code command} and records its events in one durable append; returns them. */
    List<Event> execute(ImageCommand command, RequestContext context) {
        List<Event> events = decide(command);
        if (!events.isEmpty()) {
            journal.record(context, events);
        }
        return events;
    }

    // ---- push

    /**
     * Pushes the image {@code name} names. With a tag, that tag; without, every tag of the
     * repository {@code name} names, as {@code docker push} does.
     */
    public void push(String name, String tag, Credentials credentials, PullProgress progress, RequestContext context) {
        ImageReference repo = parse(tag == null || tag.isBlank() ? name : name + ":" + tag);
        List<ImageReference> targets = new ArrayList<>();
        if (tag == null || tag.isBlank()) {
            String prefix = repo.name() + ":";
            journal.projections().read(ImageProjection.INSTANCE, s -> {
                s.tags.keySet().stream().filter(t -> t.startsWith(prefix)).forEach(t -> targets.add(parse(t)));
                return null;
            });
            if (targets.isEmpty()) {
                throw new ImageException(ImageException.Kind.NOT_FOUND, "An image does not exist locally with the tag: " + repo.familiarName());
            }
        } else {
            targets.add(repo);
        }
        for (ImageReference target : targets) {
            Image image = find(target.toString()).orElseThrow(() -> new ImageException(ImageException.Kind.NOT_FOUND,
                    "An image does not exist locally with the tag: " + target.familiarString()));
            new ImagePusher(registry(), content, journal).push(image, target, credentials, progress, context);
        }
    }

    // ---- save and load

    /** Writes the named images as one archive (OCI layout and docker-archive at once). */
    public void save(List<String> names, java.io.OutputStream out) throws java.io.IOException {
        new ImageArchive(this).save(names, out);
    }

    /** Loads images from a docker-archive or OCI layout tar; returns each image's id and tags. */
    public List<String> load(java.io.InputStream archive, java.nio.file.Path scratch, PullProgress progress, RequestContext context)
            throws java.io.IOException {
        collection.readLock().lock();
        try {
            return new ImageArchive(this).load(archive, scratch, progress, context).stream().map(l -> l.imageId()).toList();
        } finally {
            collection.readLock().unlock();
        }
    }

    // ---- builds

    /**
     * Records an image a build made (its blobs already in the content store, its layers with the
     * storage driver) the way a load does: {@code ImageLoaded} with format {@code build}, the tags,
     * then {@code after} (the build's own closing event), all in one durable append.
     *
     * @param tags references as given ({@code demo}, {@code demo:1}); stored in full
     * @return the tags in full
     */
    public List<String> recordBuilt(ImageDescription image, List<String> tags, java.util.function.Function<List<String>, List<? extends Event>> after,
                                    RequestContext context) {
        List<String> full = new ArrayList<>();
        for (String tag : tags) {
            ImageReference ref = parse(tag);
            if (ref.digest() != null) {
                throw new ImageException(ImageException.Kind.INVALID, "invalid tag " + tag + ": a tag cannot hold a digest");
            }
            full.add(ref.toString());
        }
        List<Event> events = new ArrayList<>(decide(new ImageCommand.RegisterImage(image, "build", full, List.of())));
        events.addAll(after.apply(full));
        journal.record(context, events);
        return full;
    }

    /** Held by a build while it runs, so garbage collection does not take the layers it is making. */
    public java.util.concurrent.locks.Lock buildGuard() {
        return collection.readLock();
    }

    // ---- look-ups

    /** A snapshot of one image's record. */
    public record Image(ImageDescription description, List<String> repoTags, List<String> repoDigests, String addedAt, String lastTagTime) {
        public String id() {
            return description.imageId();
        }
    }

    private static Image copy(ImageState.ImageEntry entry) {
        return new Image(entry.image, List.copyOf(entry.repoTags), List.copyOf(entry.repoDigests), entry.addedAt, entry.lastTagTime);
    }

    /** Every image, newest first. */
    public List<Image> list() {
        return list(journal.projections());
    }

    /** Every image as {@code view} (the live projections or a past state) has them, newest first. */
    public List<Image> list(Projections view) {
        List<Image> images = view.read(ImageProjection.INSTANCE,
                s -> s.images.values().stream().map(ImageService::copy).toList());
        List<Image> sorted = new ArrayList<>(images);
        sorted.sort((a, b) -> b.description().created().compareTo(a.description().created()));
        return sorted;
    }

    /**
     * Finds an image by full id, id prefix, tag reference ({@code busybox}, {@code busybox:1}) or
     * digest reference ({@code busybox@sha256:…}).
     */
    public Optional<Image> find(String nameOrId) {
        return find(journal.projections(), nameOrId);
    }

    /** {@link #find(String)} in {@code view} (the live projections or a past state). */
    public Optional<Image> find(Projections view, String nameOrId) {
        return view.read(ImageProjection.INSTANCE, state -> ImageNames.find(state, nameOrId, name -> registry().parse(name)).map(ImageService::copy));
    }

    /** Like {@link #find} but a missing image is a NOT_FOUND error naming it, as Docker words it. */
    public Image require(String nameOrId) {
        return require(journal.projections(), nameOrId);
    }

    public Image require(Projections view, String nameOrId) {
        return find(view, nameOrId).orElseThrow(() -> new ImageException(ImageException.Kind.NOT_FOUND, "No such image: " + nameOrId));
    }

    /**
     * The config blob of an image, parsed, or an empty object when the store no longer has it (an image
     * seen through time travel may have been removed and its blobs collected since).
     */
    public JsonNode configIfPresent(Image image) {
        try {
            return mapper.readTree(content.read(image.id()));
        } catch (java.io.IOException | RuntimeException e) {
            return mapper.createObjectNode();
        }
    }

    /** The config blob of an image, parsed. */
    public JsonNode config(Image image) {
        try {
            return mapper.readTree(content.read(image.id()));
        } catch (java.io.IOException e) {
            throw new ImageException(ImageException.Kind.INTERNAL, "config of image " + image.id() + " is unreadable", e);
        }
    }

    // ---- tag and remove

    /** Puts {@code target} on the image {@code source} names. */
    public void tag(String source, String target, RequestContext context) {
        Image image = require(source);
        ImageReference ref = parse(target);
        if (ref.digest() != null) {
            throw new ImageException(ImageException.Kind.INVALID, "refusing to create a tag with a digest reference: " + target);
        }
        execute(new ImageCommand.TagImage(image.id(), ref.toString()), context);
    }

    /**
     * Removes a tag or an image, as {@code docker rmi} does: a tag reference that is not the image's
     * last tag only untags; the last tag, or an id, deletes the image (refused while containers use it
     * unless {@code force}; an id naming an image with several tags is refused unless {@code force}).
     *
     * @return Docker's answer items: {@code {"Untagged": ref}} and {@code {"Deleted": id}}
     */
    public List<Map<String, String>> remove(String nameOrId, boolean force, RequestContext context) {
        Image image = require(nameOrId);
        String byTag = null;
        try {
            ImageReference ref = registry().parse(nameOrId.strip());
            if (ref.digest() == null && image.repoTags().contains(ref.toString())) {
                byTag = ref.toString();
            }
        } catch (RuntimeException e) {
            // an id, not a reference
        }
        List<Event> events = execute(new ImageCommand.RemoveImage(image.id(), nameOrId, byTag, force, imageInUse.test(image.id())), context);
        List<Map<String, String>> answer = new ArrayList<>();
        for (Event event : events) {
            switch (event) {
                case ImageEvent.ImageUntagged untagged -> answer.add(Map.of("Untagged", familiar(untagged.tag())));
                case ImageEvent.ImageRemoved removed -> {
                    // as Docker answers: the repository digests go with the image
                    image.repoDigests().forEach(digest -> answer.add(Map.of("Untagged", familiar(digest))));
                    answer.add(Map.of("Deleted", removed.imageId()));
                }
                default -> { }
            }
        }
        return answer;
    }

    /** Removes dangling images (no tag), or with {@code all} every image no container uses. */
    public Map<String, Object> prune(boolean all, RequestContext context) {
        return prune(all, image -> true, context);
    }

    /** As {@link #prune(boolean, RequestContext)}, for the images that also pass {@code filter} (labels, until). */
    public Map<String, Object> prune(boolean all, Predicate<Image> filter, RequestContext context) {
        List<String> candidates = list().stream()
                .filter(image -> !imageInUse.test(image.id()) && filter.test(image)).map(Image::id).toList();
        List<Map<String, String>> deleted = new ArrayList<>();
        for (Event event : execute(new ImageCommand.PruneImages(candidates, all), context)) {
            switch (event) {
                case ImageEvent.ImageUntagged untagged -> deleted.add(Map.of("Untagged", familiar(untagged.tag())));
                case ImageEvent.ImageRemoved removed -> deleted.add(Map.of("Deleted", removed.imageId()));
                default -> { }
            }
        }
        long reclaimed = collectGarbage(context);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ImagesDeleted", deleted);
        answer.put("SpaceReclaimed", reclaimed);
        return answer;
    }

    /**
     * Removes every blob and unpacked layer that no image references (a layer under a container's
     * writable layer is kept: the driver refuses to remove it). Each removal is an event. Holds off pulls while it runs so it never takes a blob in flight.
     *
     * @return bytes reclaimed
     */
    public long collectGarbage(RequestContext context) {
        collection.writeLock().lock();
        try {
            return new GarbageCollection(journal, content, storage(), retainedBlobs.get()).run(context);
        } finally {
            collection.writeLock().unlock();
        }
    }

    static String shortId(String id) {
        return ImagePuller.shortId(id);
    }
}
