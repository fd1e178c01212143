package io.berth.engine.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last few build contexts, unpacked and kept by their digest, so that a build sending the same
 * context again (the usual cached rebuild) neither unpacks it nor hashes its files again. An
 * unpacked context is never written to by a build (COPY and ADD only read it; heredocs and
 * downloads go to the build's scratch directory), which is what makes sharing it safe. A build
 * holds a {@link Lease} while it runs; only contexts no build holds are evicted, oldest first. The
 * directory is private to the running daemon: it is emptied when the daemon starts.
 */
final class ContextCache {
    private static final int KEEP = 4;

    private final Path dir;
    private final Map<String, Entry> entries = new HashMap<>();
    private long clock;

    private static final class Entry {
        final Path root;
        final Map<String, String> fileDigests = new ConcurrentHashMap<>();
        int users;
        long lastUsed;

        Entry(Path root) {
            this.root = root;
        }
    }

    /** A build's use of one unpacked context; closing it lets the context be evicted. */
    final class Lease implements AutoCloseable {
        private final String digest;
        private final Entry entry;
        private final boolean reused;
        private boolean closed;

        private Lease(String digest, Entry entry, boolean reused) {
            this.digest = digest;
            this.entry = entry;
            this.reused = reused;
        }

        Path root() {
            return entry.root;
        }

        /** Whether the context was unpacked by an earlier build. */
        boolean reused() {
            return reused;
        }

        /**
         * Content digests of the context's files, by path and mode rule: valid for the lease's life
         * because the unpacked context never changes.
         */
        Map<String, String> fileDigests() {
            return entry.fileDigests;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(entry);
            }
        }
    }

    /** An unpacker of a context tar into an empty directory. */
    @FunctionalInterface
    interface Unpacker {
        void unpack(InputStream tar, Path into) throws IOException;
    }

    ContextCache(Path dir) {
        this.dir = dir;
        BuildService.deleteTree(dir);
    }

    /**
     * The unpacked context of {@code digest}: the kept one, or {@code tarFile} unpacked now. A failed
     * unpack leaves nothing behind.
     */
    Lease acquire(String digest, Path tarFile, Unpacker unpacker) throws IOException {
        synchronized (this) {
            Entry kept = entries.get(digest);
            if (kept != null) {
                kept.users++;
                kept.lastUsed = ++clock;
                return new Lease(digest, kept, true);
            }
        }
        Files.createDirectories(dir);
        // not createTempDirectory: its 0700 would be the mode of a `COPY . …` source's root
        Path fresh = Files.createDirectory(dir.resolve("unpacked-" + System.nanoTime() + "-" + Thread.currentThread().threadId()));
        try (InputStream in = Files.newInputStream(tarFile)) {
            unpacker.unpack(in, fresh);
        } catch (IOException | RuntimeException e) {
            BuildService.deleteTree(fresh);
            throw e;
        }
        Entry entry;
        boolean duplicate = false;
        synchronized (this) {
            Entry raced = entries.get(digest);
            if (raced != null) {
                entry = raced; // another build unpacked the same context meanwhile
                duplicate = true;
            } else {
                entry = new Entry(fresh);
                entries.put(digest, entry);
            }
            entry.users++;
            entry.lastUsed = ++clock;
        }
        if (duplicate) {
            BuildService.deleteTree(fresh);
        }
        return new Lease(digest, entry, duplicate);
    }

    private void release(Entry entry) {
        List<Path> evicted = new ArrayList<>();
        synchronized (this) {
            entry.users--;
            entry.lastUsed = ++clock;
            List<Map.Entry<String, Entry>> idle = new ArrayList<>(entries.entrySet().stream()
                    .filter(e -> e.getValue().users == 0).toList());
            idle.sort(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().lastUsed).reversed());
            for (Map.Entry<String, Entry> e : idle.subList(Math.min(KEEP, idle.size()), idle.size())) {
                entries.remove(e.getKey());
                evicted.add(e.getValue().root);
            }
        }
        evicted.forEach(BuildService::deleteTree);
    }
}
