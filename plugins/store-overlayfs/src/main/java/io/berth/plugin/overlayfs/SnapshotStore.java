package io.berth.plugin.overlayfs;

import io.berth.spi.Digests;
import io.berth.spi.fs.MountTable;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.TarWriter;
import io.berth.spi.storage.Keys;
import io.berth.spi.storage.Mount;
import io.berth.spi.storage.Snapshot;
import io.berth.spi.storage.StorageException;
import io.berth.spi.storage.StorageException.Reason;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Active snapshots under {@code snapshots/}, the writable roots of containers and build steps: an
 * upper and a work directory over a chain of layers, mounted as an overlay at {@code merged/}, and
 * their changes written as a layer tar ({@link UpperDiff}). Operations on one key run one at a time.
 */
final class SnapshotStore {

    private final StoreLayout layout;
    private final LayerStore layers;
    private final ConcurrentHashMap<String, Object> keyLocks = new ConcurrentHashMap<>();

    SnapshotStore(StoreLayout layout, LayerStore layers) {
        this.layout = layout;
        this.layers = layers;
    }

    Snapshot prepare(String key, String parentChainId) throws StorageException {
        Keys.requireValid(key);
        if (parentChainId != null) {
            Digests.requireSha256(parentChainId, "parent chain id");
        }
        Path dest = layout.snapshot(key);
        synchronized (keyLock(key)) {
            layout.state.lock();
            try {
                if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    throw new StorageException(Reason.ALREADY_EXISTS, "prepare " + key + ": a snapshot with this key exists; remove it first");
                }
                if (parentChainId != null && !layers.has(parentChainId)) {
                    throw new StorageException(Reason.NOT_FOUND, "prepare " + key + ": the parent layer " + parentChainId + " is not present");
                }
                Path tmp = layout.newTmpDirectory("snap-", "prepare " + key);
                try (Sys sys = new Sys()) {
                    byte[] upper = StoreLayout.nativePath(tmp.resolve("upper"));
                    sys.mkdir(upper, 0755);
                    // The root of the container is the upper directory: it takes the owner and mode of the layer's root.
                    Sys.Stat rootOfParent = parentChainId == null ? null
                            : sys.lstat(StoreLayout.nativePath(layers.diffDirectory(parentChainId)));
                    if (rootOfParent != null) {
                        sys.lchown(upper, rootOfParent.uid(), rootOfParent.gid());
                        sys.chmod(upper, rootOfParent.mode() & 07777);
                    } else {
                        sys.chmod(upper, 0755);
                    }
                    Files.createDirectory(tmp.resolve("work"));
                    Files.createDirectory(tmp.resolve("merged"));
                    Files.writeString(tmp.resolve("parent"), parentChainId == null ? "" : parentChainId, StandardCharsets.US_ASCII);
                    Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    StoreLayout.removeQuietly(tmp);
                    throw new StorageException(Reason.IO, "prepare " + key + ": " + e.getMessage(), e);
                }
            } finally {
                layout.state.unlock();
            }
            return describe(key, dest, parentChainId, false);
        }
    }

    Optional<Snapshot> get(String key) throws StorageException {
        Keys.requireValid(key);
        Path dir = layout.snapshot(key);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(describe(key, dir, layout.snapshotParent(dir), OverlayMounts.isMounted(dir.resolve("merged"))));
    }

    List<Snapshot> list() throws StorageException {
        List<Path> mounts = MountTable.mountPoints();
        List<Snapshot> out = new ArrayList<>();
        for (String key : StoreLayout.names(layout.snapshots(), "listSnapshots")) {
            if (Keys.isValid(key)) {
                Path dir = layout.snapshot(key);
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(describe(key, dir, layout.snapshotParent(dir), mounts.contains(dir.resolve("merged"))));
                }
            }
        }
        return out;
    }

    private Snapshot describe(String key, Path dir, String parent, boolean mounted) throws StorageException {
        Map<String, String> details = new LinkedHashMap<>();
        List<String> lowers = new ArrayList<>();
        for (String id : layers.chain(parent, "snapshot " + key)) {
            lowers.add(layers.diffDirectory(id).toString());
        }
        details.put("LowerDir", lowers.isEmpty() ? layout.empty().toString() : String.join(":", lowers));
        details.put("UpperDir", dir.resolve("upper").toString());
        details.put("WorkDir", dir.resolve("work").toString());
        details.put("MergedDir", dir.resolve("merged").toString());
        return new Snapshot(key, parent, dir.resolve("merged"), mounted, details);
    }

    Mount mount(String key) throws StorageException {
        Keys.requireValid(key);
        synchronized (keyLock(key)) {
            Path dir = requireSnapshot(key, "mount");
            List<Path> lowers = new ArrayList<>();
            for (String id : layers.chain(layout.snapshotParent(dir), "mount " + key)) {
                lowers.add(layers.link(id, "mount " + key));
            }
            if (lowers.isEmpty()) {
                lowers.add(layout.empty());
            }
            return OverlayMounts.mount(key, dir.resolve("merged"), lowers, dir);
        }
    }

    void unmount(String key) throws StorageException {
        Keys.requireValid(key);
        synchronized (keyLock(key)) {
            Path dir = requireSnapshot(key, "unmount");
            OverlayMounts.unmountIfMounted(key, dir.resolve("merged"), "unmount");
        }
    }

    /** Writes the snapshot's changes as a layer tar; times after {@code clampTimesTo} (if given) become it. */
    void diff(String key, OutputStream tarOut, Instant clampTimesTo) throws StorageException {
        Keys.requireValid(key);
        Path dir = requireSnapshot(key, "diff");
        long clamp = clampTimesTo == null ? Long.MAX_VALUE : clampTimesTo.getEpochSecond();
        BufferedOutputStream out = new BufferedOutputStream(nonClosing(tarOut), 256 * 1024);
        try (SafeRoot upper = SafeRoot.open(dir.resolve("upper"), SafeRoot.Symlinks.REFUSE)) {
            new UpperDiff(upper, new TarWriter(out), clamp).write();
            out.flush();
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "diff " + key + ": " + e.getMessage(), e);
        }
    }

    void remove(String key) throws StorageException {
        Keys.requireValid(key);
        synchronized (keyLock(key)) {
            Path dir = layout.snapshot(key);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            OverlayMounts.unmountIfMounted(key, dir.resolve("merged"), "removeSnapshot");
            Path doomed = layout.tmp().resolve("rm-snap-" + System.nanoTime());
            layout.state.lock();
            try {
                Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new StorageException(Reason.IO, "removeSnapshot " + key + ": " + e.getMessage(), e);
            } finally {
                layout.state.unlock();
            }
            layout.remove(doomed, "removeSnapshot " + key);
        }
    }

    private Object keyLock(String key) {
        return keyLocks.computeIfAbsent(key, k -> new Object());
    }

    private Path requireSnapshot(String key, String op) throws StorageException {
        Path dir = layout.snapshot(key);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new StorageException(Reason.NOT_FOUND, op + " " + key + ": there is no snapshot with this key");
        }
        return dir;
    }

    /** The caller's stream stays open: closing the buffer around it only flushes. */
    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
