package io.berth.engine.content;

import io.berth.spi.Digests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Blobs by digest under {@code <root>/content}: {@code blobs/sha256/<hex>} for committed blobs and
 * {@code ingest/<hex>} for downloads in progress. Nothing becomes visible under {@code blobs/}
 * before {@link Ingest#commit()} has checked its size and digest, synced it and renamed it in
 * atomically; so a blob that {@link #has} answers for is always complete and correct.
 *
 * <p>An interrupted download leaves its bytes in {@code ingest/}; opening the same ingest again
 * resumes after them (the bytes already there are re-hashed, so resumption trusts nothing it did
 * not check).
 *
 * <p>Writes keep a reserve free on the file system ({@link #reserveBytes}: a tenth of it, at most
 * 64 MiB) for the event log, which cannot append on a full disk: a write that would eat into it fails
 * with "no space left on device" and its partial bytes are deleted (a resume could not finish either).
 *
 * <p>One ingest of a digest at a time: two pulls or builds making the same blob would otherwise write one
 * partial file together. A second ingest waits for the first to close and then finds the blob committed
 * (or, if the first failed, starts on what it left).
 */
public final class ContentStore {
    private final Path blobs;
    private final Path ingest;
    private final Map<String, DigestLock> ingestLocks = new ConcurrentHashMap<>();

    /** A lock and the number of ingests holding or waiting for it, so that an idle digest's entry goes away. */
    private static final class DigestLock {
        final ReentrantLock lock = new ReentrantLock();
        int users; // changed only inside ConcurrentHashMap.compute, which runs one at a time per key
    }

    public ContentStore(Path root) {
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.ingest = root.resolve("ingest");
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(ingest);
        } catch (IOException e) {
            throw new ContentException("cannot create the content store under " + root + ": " + e.getMessage(), e);
        }
    }

    /** Space kept free for the event log on a file system of {@code total} bytes: a tenth, at most 64 MiB. */
    static long reserveBytes(long total) {
        return Math.min(64L << 20, total / 10);
    }

    /** Whether a verified blob with this digest is stored. */
    public boolean has(String digest) {
        return Files.isRegularFile(path(digest));
    }

    /** The file holding a committed blob (read-only by convention). */
    public Path path(String digest) {
        return blobs.resolve(Digests.hex(digest));
    }

    /** Size of a committed blob, or empty when it is not stored. */
    public Optional<Long> size(String digest) {
        try {
            return Optional.of(Files.size(path(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens a committed blob for reading. */
    public InputStream open(String digest) {
        try {
            return Files.newInputStream(path(digest));
        } catch (NoSuchFileException e) {
            throw new ContentException("blob " + digest + " is not in the content store");
        } catch (IOException e) {
            throw new ContentException("cannot read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    public byte[] read(String digest) {
        try (InputStream in = open(digest)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ContentException("cannot read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Stores {@code bytes}, verified against {@code expectedDigest}; returns the digest. */
    public String put(byte[] bytes, String expectedDigest) {
        try (Ingest writer = ingest(expectedDigest, bytes.length)) {
            if (writer.offset() > 0) {
                writer.restart();
            }
            writer.write(bytes, 0, bytes.length);
            writer.commit();
        }
        return expectedDigest;
    }

    /** Stores {@code bytes} under their own digest; returns it. */
    public String put(byte[] bytes) {
        return put(bytes, Digests.sha256(bytes));
    }

    /**
     * Opens (or resumes) the ingest of a blob. When the blob is already committed the ingest is
     * already complete: {@link Ingest#offset()} equals the size and {@link Ingest#commit()} is a no-op.
     *
     * @param expectedSize the size the blob must have, or -1 when unknown
     */
    public Ingest ingest(String digest, long expectedSize) {
        Digests.requireSha256(digest, "digest");
        return new Ingest(digest, expectedSize);
    }

    /** Removes a committed blob; no-op when absent. */
    public void delete(String digest) {
        try {
            Files.deleteIfExists(path(digest));
        } catch (IOException e) {
            throw new ContentException("cannot delete blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Every committed blob's digest. */
    public List<String> list() {
        try (Stream<Path> files = Files.list(blobs)) {
            List<String> digests = new ArrayList<>();
            files.map(p -> "sha256:" + p.getFileName()).filter(Digests::isSha256).sorted().forEach(digests::add);
            return digests;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes every unfinished ingest (e.g. at start-up, when no pull is running). */
    public void clearIngests() {
        try (Stream<Path> files = Files.list(ingest)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A blob being written. Write the remaining bytes (from {@link #offset()}), then {@link #commit()};
     * {@link #close()} without commit keeps the partial bytes for a later resume.
     */
    public final class Ingest implements AutoCloseable {
        private final String digest;
        private final long expectedSize;
        private final Path partial;
        private final boolean alreadyStored;
        private FileChannel channel;
        private MessageDigest sha256;
        private long offset;
        private long unchecked;
        private FileStore store; // found once per ingest: finding it reads the mount table
        private long reserve;
        private boolean committed;
        private DigestLock held;

        private Ingest(String digest, long expectedSize) {
            this.digest = digest;
            this.expectedSize = expectedSize;
            this.partial = ingest.resolve(Digests.hex(digest));
            this.held = acquire(digest);
            try {
                this.alreadyStored = has(digest);
            } catch (RuntimeException e) {
                release();
                throw e;
            }
            if (alreadyStored) {
                offset = size(digest).orElse(0L);
                return;
            }
            try {
                channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                sha256 = Digests.newSha256();
                long existing = channel.size();
                if (expectedSize >= 0 && existing > expectedSize) {
                    channel.truncate(0);
                    existing = 0;
                }
                // re-hash what an earlier attempt wrote: resuming trusts only what it checks
                ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
                long position = 0;
                while (position < existing) {
                    buffer.clear();
                    int read = channel.read(buffer, position);
                    if (read < 0) {
                        break;
                    }
                    sha256.update(buffer.array(), 0, read);
                    position += read;
                }
                offset = position;
                channel.position(offset);
            } catch (IOException e) {
                close();
                throw new ContentException("cannot open ingest for blob " + digest + ": " + e.getMessage(), e);
            }
        }

        private void release() {
            if (held != null) {
                DigestLock lock = held;
                held = null;
                lock.lock.unlock();
                ingestLocks.compute(digest, (key, current) -> --current.users == 0 ? null : current);
            }
        }

        /** Bytes already written (and hashed); a download resumes from here. */
        public long offset() {
            return offset;
        }

        /** Whether the blob was already committed when this ingest was opened. */
        public boolean alreadyStored() {
            return alreadyStored;
        }

        /** Discards what was written so far. */
        public void restart() {
            if (alreadyStored) {
                return;
            }
            try {
                channel.truncate(0);
                channel.position(0);
                sha256.reset();
                offset = 0;
            } catch (IOException e) {
                throw new ContentException("cannot restart ingest of blob " + digest + ": " + e.getMessage(), e);
            }
        }

        public void write(byte[] bytes, int from, int length) {
            if (alreadyStored) {
                return;
            }
            if (expectedSize >= 0 && offset + length > expectedSize) {
                throw new ContentException("blob " + digest + " is larger than its descriptor's size " + expectedSize);
            }
            requireSpace(length);
            try {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, from, length);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                sha256.update(bytes, from, length);
                offset += length;
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains("No space left")) {
                    discard();
                }
                throw new ContentException("cannot write blob " + digest + ": " + e.getMessage(), e);
            }
        }

        /** Fails, and drops the partial bytes, when writing {@code length} more would eat into the reserve. */
        private void requireSpace(long length) {
            unchecked += length;
            if (unchecked < (1 << 20) && offset > 0) {
                return; // statvfs once a MiB
            }
            unchecked = 0;
            long free;
            try {
                if (store == null) {
                    FileStore found = Files.getFileStore(ingest);
                    reserve = reserveBytes(found.getTotalSpace());
                    store = found;
                }
                free = store.getUsableSpace(); // one statvfs
            } catch (IOException e) {
                return; // cannot tell: the write itself will say
            }
            if (free - length < reserve) {
                discard();
                throw new ContentException("cannot write blob " + digest + ": no space left on device (" + (free >> 20)
                        + " MiB free on " + ingest.getParent() + ", " + (reserve >> 20) + " MiB of it kept for the event log)");
            }
        }

        /** Copies {@code in} to the end; returns the bytes copied. */
        public long writeAll(InputStream in) throws IOException {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = in.read(buffer)) >= 0) {
                write(buffer, 0, read);
                total += read;
            }
            return total;
        }

        /** An OutputStream view of {@link #write}. */
        public OutputStream outputStream() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    Ingest.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    Ingest.this.write(b, off, len);
                }
            };
        }

        /**
         * Verifies size and digest, syncs, and renames the blob into place.
         *
         * @throws ContentException naming the blob, expected and actual values on a mismatch; the
         *                          partial bytes are discarded then, since they can never become this blob
         */
        public void commit() {
            if (alreadyStored || committed) {
                return;
            }
            if (expectedSize >= 0 && offset != expectedSize) {
                discard();
                throw new ContentException("blob " + digest + " is truncated: got " + offset + " bytes, expected " + expectedSize);
            }
            String actual = Digests.sha256(sha256);
            if (!actual.equals(digest)) {
                discard();
                throw new ContentException("digest mismatch for blob " + digest + ": content hashes to " + actual);
            }
            try {
                channel.force(true);
                channel.close();
                try {
                    Files.move(partial, path(digest), StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(partial, path(digest), StandardCopyOption.REPLACE_EXISTING);
                }
                committed = true;
            } catch (IOException e) {
                throw new ContentException("cannot commit blob " + digest + ": " + e.getMessage(), e);
            }
        }

        private void discard() {
            closeChannel(); // the lock stays held until the owner's close: no other ingest sees a half-deleted partial
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // a leftover partial is re-verified on resume anyway
            }
        }

        /** Closes the partial file, keeping it for a resume; a failure to close loses nothing written. */
        private void closeChannel() {
            try (FileChannel closing = channel) {
                // only closed here; a null resource (an ingest of a stored blob has no file) is skipped
            } catch (IOException e) {
                // the written bytes were handed to the kernel already; a resume re-hashes them anyway
            }
        }

        /** Closes the partial file and lets the next ingest of this digest go ahead. */
        @Override
        public void close() {
            closeChannel();
            release();
        }
    }

    private DigestLock acquire(String digest) {
        DigestLock lock = ingestLocks.compute(digest, (key, current) -> {
            DigestLock entry = current == null ? new DigestLock() : current;
            entry.users++;
            return entry;
        });
        lock.lock.lock();
        return lock;
    }
}
