package io.berth.engine.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.content.ContentException;
import io.berth.engine.content.ContentStore;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.ImageRegistry;
import io.berth.spi.StorageDriver;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.Platform;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.ResolvedManifest;
import io.berth.spi.storage.ChainIds;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * One pull, as a pipeline of steps: resolve the manifest → store manifest and config → download
 * every layer blob into the content store (verified; resumed where an earlier attempt stopped) →
 * unpack each layer with the storage driver as soon as it is downloaded (checking its diff id) →
 * record the image. Downloads run {@code parallelDownloads} at a time, unpacking one per core.
 * Any failure records {@code PullFailed}; no image becomes visible unless every step succeeded.
 */
final class ImagePuller {
    private static final long MAX_CONFIG_BYTES = 4L << 20;

    private final ImageRegistry registry;
    private final StorageDriver storage;
    private final ContentStore content;
    private final Journal journal;
    private final ObjectMapper mapper;
    private final KeyedLocks locks;
    private final int parallelDownloads;
    private final Semaphore unpackSlots;

    ImagePuller(ImageRegistry registry, StorageDriver storage, ContentStore content, Journal journal, ObjectMapper mapper,
                KeyedLocks locks, int parallelDownloads) {
        this.registry = registry;
        this.storage = storage;
        this.content = content;
        this.journal = journal;
        this.mapper = mapper;
        this.locks = locks;
        this.parallelDownloads = Math.max(1, parallelDownloads);
        this.unpackSlots = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /** What a pull produced. */
    record Pulled(ImageDescription image, ImageReference reference, String repoDigest, boolean upToDate) {}

    Pulled pull(ImageReference reference, Platform platform, Credentials credentials, PullProgress progress,
                RequestContext context, ImageLookup existing) {
        String ref = reference.toString();
        journal.record(context, new ImageEvent.PullStarted(ref, platform.toString()));
        progress.status(reference.manifestReference(), "Pulling from " + reference.repository());
        try {
            ResolvedManifest resolved = registry.resolve(reference, platform, credentials);
            if (resolved.index() != null) {
                content.put(resolved.indexBytes(), resolved.index().digest());
            }
            content.put(resolved.manifestBytes(), resolved.manifest().digest());

            Descriptor configDescriptor = resolved.config();
            if (configDescriptor.size() > MAX_CONFIG_BYTES) {
                throw new ImageException(ImageException.Kind.UPSTREAM, "config " + configDescriptor.digest() + " of " + ref
                        + " is " + configDescriptor.size() + " bytes, over the 4 MiB limit");
            }
            String imageId = configDescriptor.digest();
            byte[] configBytes = resolved.configBytes();
            if (configBytes != null) {
                content.put(configBytes, imageId); // verified again on the way in
            } else {
                download(reference, configDescriptor, credentials, PullProgress.NONE, context, false);
            }
            ImageConfig config = ImageConfig.parse(content.read(imageId), imageId, mapper);
            List<Descriptor> layerBlobs = resolved.layers();
            if (config.diffIds().size() != layerBlobs.size()) {
                throw new ImageException(ImageException.Kind.UPSTREAM, "image " + ref + " is inconsistent: its manifest lists "
                        + layerBlobs.size() + " layers, its config " + config.diffIds().size());
            }
            List<String> chainIds = ChainIds.of(config.diffIds());
            String repoDigest = reference.name() + "@" + resolved.repoDigest();

            if (existing.isComplete(imageId, chainIds) && allLayersPresent(chainIds)) {
                progress.status(null, "Digest: " + resolved.repoDigest());
                ImageDescription known = existing.description(imageId);
                return new Pulled(known, reference, repoDigest, true);
            }

            List<ImageLayer> layers = fetchAndUnpack(reference, layerBlobs, config.diffIds(), chainIds, credentials, progress, context);
            long size = 0;
            for (ImageLayer layer : layers) {
                size += storage.layer(layer.chainId()).map(LayerInfo::size).orElse(0L);
            }
            ImageDescription image = new ImageDescription(imageId, resolved.manifest().digest(), resolved.manifest().mediaType(),
                    configDescriptor.mediaType(), layers, config.os(), config.architecture(), config.variant(), config.created(), size);
            progress.status(null, "Digest: " + resolved.repoDigest());
            return new Pulled(image, reference, repoDigest, false);
        } catch (IOException | RuntimeException e) {
            journal.record(context, new ImageEvent.PullFailed(ref, oneLine(e)));
            throw asImageException(ref, e);
        }
    }

    /** Maps a step's failure to the error the caller sees, keeping its one-line message. */
    private static ImageException asImageException(String ref, Exception e) {
        if (e instanceof ImageException ie) {
            return ie;
        }
        if (e instanceof RegistryException re) {
            ImageException.Kind kind = switch (re.reason()) {
                case NOT_FOUND -> ImageException.Kind.NOT_FOUND;
                case UNAUTHORIZED, DENIED -> ImageException.Kind.UPSTREAM;
                default -> ImageException.Kind.UPSTREAM;
            };
            return new ImageException(kind, oneLine(e), e);
        }
        if (e instanceof StorageException || e instanceof ContentException) {
            return new ImageException(ImageException.Kind.UPSTREAM, oneLine(e), e);
        }
        if (e instanceof IOException) {
            return new ImageException(ImageException.Kind.UPSTREAM, "pull of " + ref + " failed: " + oneLine(e), e);
        }
        return new ImageException(ImageException.Kind.INTERNAL, "pull of " + ref + " failed: " + oneLine(e), e);
    }

    private boolean allLayersPresent(List<String> chainIds) {
        for (String chainId : chainIds) {
            if (!storage.hasLayer(chainId)) {
                return false;
            }
        }
        return true;
    }

    private List<ImageLayer> fetchAndUnpack(ImageReference reference, List<Descriptor> blobs, List<String> diffIds,
                                            List<String> chainIds, Credentials credentials, PullProgress progress,
                                            RequestContext context) {
        for (Descriptor blob : blobs) {
            progress.status(shortId(blob.digest()), "Pulling fs layer");
        }
        Semaphore downloadSlots = new Semaphore(parallelDownloads);
        List<Future<ImageLayer>> pending = new ArrayList<>();
        // layers download in parallel but are applied bottom up: the storage driver records each layer on its parent
        List<java.util.concurrent.CompletableFuture<Void>> applied = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) {
            applied.add(new java.util.concurrent.CompletableFuture<>());
        }
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < blobs.size(); i++) {
                Descriptor blob = blobs.get(i);
                String diffId = diffIds.get(i);
                String chainId = chainIds.get(i);
                String parent = i == 0 ? null : chainIds.get(i - 1);
                java.util.concurrent.CompletableFuture<Void> below = i == 0 ? java.util.concurrent.CompletableFuture.completedFuture(null) : applied.get(i - 1);
                java.util.concurrent.CompletableFuture<Void> mine = applied.get(i);
                pending.add(executor.submit(() -> {
                    try {
                        downloadSlots.acquire();
                        try {
                            download(reference, blob, credentials, progress, context, true);
                        } finally {
                            downloadSlots.release();
                        }
                        below.join();
                        unpackSlots.acquire();
                        try {
                            unpack(reference, blob, diffId, chainId, parent, progress, context);
                        } finally {
                            unpackSlots.release();
                        }
                        mine.complete(null);
                    } catch (Throwable e) {
                        mine.completeExceptionally(e);
                        throw e;
                    }
                    progress.status(shortId(blob.digest()), "Pull complete");
                    return new ImageLayer(blob.digest(), blob.mediaType(), blob.size(), diffId, chainId);
                }));
            }
            List<ImageLayer> layers = new ArrayList<>();
            RuntimeException first = null;
            for (Future<ImageLayer> future : pending) {
                try {
                    layers.add(future.get());
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException re ? re
                                : new ImageException(ImageException.Kind.INTERNAL, oneLine(e.getCause()), e.getCause());
                        pending.forEach(f -> f.cancel(true));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ImageException(ImageException.Kind.INTERNAL, "pull of " + reference + " was interrupted");
                } catch (java.util.concurrent.CancellationException e) {
                    // cancelled after the first failure
                }
            }
            if (first != null) {
                throw first;
            }
            return layers;
        }
    }

    /** Downloads one blob into the content store, resuming a partial download once if the transfer breaks. */
    private void download(ImageReference reference, Descriptor blob, Credentials credentials, PullProgress progress,
                          RequestContext context, boolean recordEvent) throws IOException {
        String id = shortId(blob.digest());
        synchronized (locks.lockFor(blob.digest())) {
            if (content.has(blob.digest())) {
                progress.status(id, "Already exists");
                if (recordEvent) {
                    journal.record(context, new ImageEvent.LayerDownloaded(reference.toString(), blob.digest(), blob.size(), 0, true));
                }
                return;
            }
            long resumedAt = -1;
            for (int attempt = 1; ; attempt++) {
                try (ContentStore.Ingest ingest = content.ingest(blob.digest(), blob.size())) {
                    if (resumedAt < 0) {
                        resumedAt = ingest.offset();
                    }
                    long offset = ingest.offset();
                    if (offset < blob.size()) {
                        try (InputStream in = registry.fetchBlob(reference, blob, offset, credentials)) {
                            byte[] buffer = new byte[1 << 16];
                            long done = offset;
                            long lastReport = 0;
                            int read;
                            while ((read = in.read(buffer)) >= 0) {
                                ingest.write(buffer, 0, read);
                                done += read;
                                if (done - lastReport >= (512 << 10) || done == blob.size()) {
                                    progress.progress(id, "Downloading", done, blob.size());
                                    lastReport = done;
                                }
                            }
                        }
                    }
                    ingest.commit();
                    break;
                } catch (IOException e) {
                    if (attempt >= 2) {
                        throw new ImageException(ImageException.Kind.UPSTREAM, "download of blob " + blob.digest() + " for "
                                + reference + " broke off: " + oneLine(e), e);
                    }
                    // resume from the verified bytes on a second attempt
                }
            }
            progress.status(id, "Download complete");
            if (recordEvent) {
                journal.record(context, new ImageEvent.LayerDownloaded(reference.toString(), blob.digest(), blob.size(),
                        Math.max(0, resumedAt), false));
            }
        }
    }

    private void unpack(ImageReference reference, Descriptor blob, String diffId, String chainId, String parentChainId,
                        PullProgress progress, RequestContext context) throws IOException {
        String id = shortId(blob.digest());
        synchronized (locks.lockFor(chainId)) {
            if (storage.hasLayer(chainId)) {
                return;
            }
            progress.status(id, "Extracting");
            LayerInfo info;
            try (InputStream compressed = content.open(blob.digest());
                 InputStream tar = LayerCompression.uncompressed(blob.mediaType(), compressed)) {
                // verified before it is visible under its chain id: a mismatch fails the driver's last read
                info = VerifiedLayers.apply(storage, chainId, parentChainId, tar, diffId,
                        actual -> new ImageException(ImageException.Kind.UPSTREAM, "layer " + blob.digest() + " of " + reference
                                + " does not match its config: uncompressed it hashes to " + actual + ", the config says " + diffId));
            }
            journal.record(context, new ImageEvent.LayerUnpacked(reference.toString(), chainId, diffId, info.size()));
        }
    }

    static String shortId(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
