package io.berth.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The log's directory apart from Chronicle's own files: {@code berth-log.json}, which holds the
 * host id and the directory's format version, and {@code berth-log.lock}, an OS file lock that
 * makes the daemon the only writer (Chronicle's own write lock is taken per excerpt, not per
 * process, and is left behind by a writer that is killed).
 *
 * @param dir         the log's directory
 * @param hostId      the host id its meta file names
 * @param lockChannel the writer lock's file, held open while the log is open for writing; {@code null} for a reader
 */
record LogDirectory(Path dir, String hostId, FileChannel lockChannel) implements AutoCloseable {
    static final String META_FILE = "berth-log.json";
    static final String LOCK_FILE = "berth-log.lock";
    /** Format of the directory itself (meta file, Chronicle layout). Independent of the event schema. */
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Creates the directory if needed, takes the writer lock, and reads or creates the meta file. */
    static LogDirectory openForWriting(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new EventLogException("event log directory " + dir + " is not a directory");
        }
        try {
            PrivateFiles.createDirectories(dir); // the log holds every container's environment: root only
        } catch (IOException e) {
            throw new EventLogException("cannot create event log directory " + dir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(dir)) {
            throw new EventLogException("event log directory " + dir + " is not writable");
        }
        FileChannel lock = lock(dir);
        try {
            String hostId = readOrCreateMeta(dir);
            return new LogDirectory(dir, hostId, lock);
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    /** Reads the meta file of an existing log without locking it (a reader beside the daemon). */
    static LogDirectory openForReading(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new EventLogException("event log directory " + dir + " does not exist or is not a directory");
        }
        Path meta = dir.resolve(META_FILE);
        if (!Files.exists(meta)) {
            throw new EventLogException("event log directory " + dir + " holds no berth event log (no " + META_FILE + ")");
        }
        return new LogDirectory(dir, readMeta(dir, meta), null);
    }

    private static FileChannel lock(Path dir) {
        Path file = dir.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), PrivateFiles.fileAttribute());
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new OverlappingFileLockException();
            }
            return channel;
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new EventLogException("event log " + dir + " is already open for writing by another process or in this one (" + LOCK_FILE + " is locked)");
        } catch (AccessDeniedException e) {
            closeQuietly(channel);
            throw new EventLogException("event log directory " + dir + " is not writable");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new EventLogException("cannot lock event log " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String readOrCreateMeta(Path dir) {
        Path meta = dir.resolve(META_FILE);
        if (Files.exists(meta)) {
            return readMeta(dir, meta);
        }
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        String hostId = HexFormat.of().formatHex(id);
        ObjectNode node = JSON.createObjectNode()
                .put("schemaVersion", FORMAT_VERSION)
                .put("hostId", hostId)
                .put("createdAt", Rfc3339.format(Instant.now()));
        Path tmp = dir.resolve(META_FILE + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING), PrivateFiles.fileAttribute())) {
                out.write(ByteBuffer.wrap(JSON.writeValueAsBytes(node)));
                out.force(true);
            }
            try {
                Files.move(tmp, meta, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.delete(tmp);
                return readMeta(dir, meta);
            }
            forceDirectory(dir);
            return hostId;
        } catch (IOException e) {
            throw new EventLogException("cannot write " + meta + ": " + e.getMessage(), e);
        }
    }

    private static String readMeta(Path dir, Path meta) {
        JsonNode node;
        try {
            node = JSON.readTree(Files.readAllBytes(meta));
        } catch (IOException e) {
            throw new EventLogException("event log directory " + dir + " has an unreadable " + META_FILE + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
        int version = node.path("schemaVersion").asInt(-1);
        String hostId = node.path("hostId").asText("");
        if (version > FORMAT_VERSION) {
            throw new EventLogException("event log directory " + dir + " was written by a newer berth (log format "
                    + version + "; this berth reads up to " + FORMAT_VERSION + ")");
        }
        if (version < 1 || hostId.isEmpty()) {
            throw new EventLogException("event log directory " + dir + " has an invalid " + META_FILE
                    + " (needs schemaVersion and hostId)");
        }
        return hostId;
    }

    /** fsync of a directory, so that a file created or renamed in it survives a power loss. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a lock file: nothing to do about a failure
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(lockChannel);
    }
}
