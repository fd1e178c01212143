package io.berth.engine.build;

import io.berth.spi.Digests;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.TreeCopy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The daemon's build cache directories ({@code RUN --mount=type=cache}), one per id, under
 * {@code <root>/builds/cache-mounts/<sha256 of the id>/data} (the id itself beside it in
 * {@code id}). They outlive builds, {@code --no-cache} ones included, and the daemon: a cache is
 * created on its id's first use (empty with the mount's mode and owner, or seeded from its
 * {@code from}) and kept until removed by hand. Sharing as the reference defines it:
 * {@code shared} gives every step the same directory at once, {@code locked} makes a second step
 * wait until the first releases it, {@code private} gives a step a fresh throw-away directory when
 * another step holds the cache.
 */
final class CacheMounts {
    private final Path root;
    private final Map<String, ReentrantLock> locks = new HashMap<>();
    private final Map<String, Integer> inUse = new HashMap<>();

    CacheMounts(Path root) {
        this.root = root;
    }

    /** Fills a new cache directory (the mount's {@code from}); called once, before anyone sees it. */
    @FunctionalInterface
    interface Seed {
        void into(Path dir) throws IOException;
    }

    /** A cache directory held by one step; {@link #close()} releases it (and removes a private copy). */
    final class Lease implements AutoCloseable {
        private final String key;
        private final Path dir;
        private final boolean created;
        private final boolean throwAway;
        private final ReentrantLock lock;
        private boolean closed;

        private Lease(String key, Path dir, boolean created, boolean throwAway, ReentrantLock lock) {
            this.key = key;
            this.dir = dir;
            this.created = created;
            this.throwAway = throwAway;
            this.lock = lock;
        }

        /** @return the directory to bind at the target */
        Path dir() {
            return dir;
        }

        /** @return whether this step created the directory */
        boolean created() {
            return created;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (throwAway) {
                BuildService.deleteTree(dir.getParent());
                return;
            }
            synchronized (CacheMounts.this) {
                inUse.merge(key, -1, Integer::sum);
            }
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    /**
     * Holds the cache of a mount for one step, creating it when its id is new.
     *
     * @param scratch the build's scratch directory, for a private copy
     */
    Lease acquire(RunMount mount, Path scratch, Seed seed) throws IOException {
        String key = Digests.hex(Digests.sha256(mount.id().getBytes(StandardCharsets.UTF_8)));
        ReentrantLock lock = null;
        if (mount.sharing().equals("locked")) {
            synchronized (this) {
                lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
            }
            lock.lock();
        }
        boolean throwAway;
        synchronized (this) {
            throwAway = mount.sharing().equals("private") && inUse.getOrDefault(key, 0) > 0;
            if (!throwAway) {
                inUse.merge(key, 1, Integer::sum);
            }
        }
        try {
            if (throwAway) {
                Path dir = Files.createTempDirectory(scratch, "cache-private-");
                Path data = dir.resolve("data");
                create(data, mount, seed);
                return new Lease(key, data, true, true, null);
            }
            Path entry = root.resolve(key);
            Path data = entry.resolve("data");
            boolean created = false;
            synchronized (this) {
                if (!Files.isDirectory(data)) {
                    Files.createDirectories(root);
                    Path fresh = Files.createTempDirectory(root, "new-");
                    create(fresh.resolve("data"), mount, seed);
                    Files.writeString(fresh.resolve("id"), mount.id() + "\n");
                    BuildService.deleteTree(entry); // a half-made entry of a daemon that stopped
                    Files.move(fresh, entry, StandardCopyOption.ATOMIC_MOVE);
                    created = true;
                }
            }
            return new Lease(key, data, created, false, lock);
        } catch (IOException | RuntimeException e) {
            if (!throwAway) {
                synchronized (this) {
                    inUse.merge(key, -1, Integer::sum);
                }
            }
            if (lock != null) {
                lock.unlock();
            }
            throw e;
        }
    }

    /** A cache directory removed by {@link #prune()}: its id and the bytes it held. */
    record Pruned(String id, long bytes) {
    }

    /** Removes every cache directory no step holds now; what was removed. */
    synchronized java.util.List<Pruned> prune() throws IOException {
        java.util.List<Pruned> removed = new java.util.ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(root)) {
            for (Path entry : entries.sorted().toList()) {
                String key = entry.getFileName().toString();
                if (inUse.getOrDefault(key, 0) > 0) {
                    continue;
                }
                Path idFile = entry.resolve("id");
                String id = Files.isRegularFile(idFile) ? Files.readString(idFile).strip() : key;
                long bytes;
                try (java.util.stream.Stream<Path> walk = Files.walk(entry)) {
                    bytes = walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0;
                        }
                    }).sum();
                }
                BuildService.deleteTree(entry);
                removed.add(new Pruned(id, bytes));
            }
        }
        return removed;
    }

    private static void create(Path data, RunMount mount, Seed seed) throws IOException {
        Files.createDirectories(data);
        if (seed != null) {
            seed.into(data);
        }
        // the reference's mode, uid and gid are the new directory's (a seed keeps its files' own)
        setOwnerAndMode(data, mount.uid(), mount.gid(), mount.mode());
    }

    /** Sets a path of berth's own (never a link) to an owner and an octal mode. */
    static void setOwnerAndMode(Path path, int uid, int gid, int mode) throws IOException {
        Files.setAttribute(path, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", gid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:mode", mode & 07777, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Copies the contents of {@code path} under {@code tree} into {@code into}, owners and modes kept. */
    static void copyTree(Path tree, String path, Path into) throws IOException {
        try (SafeRoot from = SafeRoot.open(tree, SafeRoot.Symlinks.FOLLOW_IN_ROOT);
             SafeRoot to = SafeRoot.open(into, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            TreeCopy.copyContents(from, path.isEmpty() ? "/" : path, to, "/", TreeCopy.Rules.preserving());
        }
    }
}
