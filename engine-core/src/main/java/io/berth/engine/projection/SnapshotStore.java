package io.berth.engine.projection;

import io.berth.eventlog.PrivateFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Projection snapshots on disk: {@code <dir>/projections-<sequence>.json}, written to a temporary
 * file, synced and renamed into place so a crash never leaves a half-written snapshot under a
 * snapshot's name.
 *
 * <p>Retention: the newest {@value #KEEP} are kept for start-up, and older ones are thinned to one per
 * {@value #CHECKPOINT_SPAN} sequence numbers (the newest in each span), so that time travel
 * ({@code --at}) starts from a snapshot at most about two spans before any point and never folds the
 * whole log.
 */
public final class SnapshotStore {
    private static final String PREFIX = "projections-";
    /** Compaction snapshots: the state at a compaction point, never pruned (events before it may be archived). */
    private static final String COMPACTION_PREFIX = "compacted-";
    private static final String SUFFIX = ".json";
    private static final int KEEP = 2;
    /** Older snapshots are kept one per this many sequence numbers, as starting points for time travel. */
    static final long CHECKPOINT_SPAN = 50_000;

    private final Path directory;
    private final ObjectMapper mapper;

    public SnapshotStore(Path directory, ObjectMapper mapper) {
        this.directory = directory;
        this.mapper = mapper;
    }

    /** Writes a snapshot taken at {@code snapshot.sequence}. */
    public void write(JsonNode snapshot) {
        write(snapshot, PREFIX);
    }

    /** Writes a compaction snapshot, which retention never removes; returns its file name. */
    public String writeCompaction(JsonNode snapshot) {
        return write(snapshot, COMPACTION_PREFIX);
    }

    private String write(JsonNode snapshot, String prefix) {
        long sequence = snapshot.path("sequence").asLong();
        try {
            PrivateFiles.createDirectories(directory); // snapshots hold every container's environment
            Path target = directory.resolve(String.format("%s%020d%s", prefix, sequence, SUFFIX));
            Path temporary = directory.resolve(target.getFileName() + ".tmp");
            byte[] bytes = mapper.writeValueAsBytes(snapshot);
            try (FileChannel channel = FileChannel.open(temporary, java.util.Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), PrivateFiles.fileAttribute())) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            prune();
            return target.getFileName().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write projection snapshot in " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest snapshot at or below {@code maxSequence} that can be parsed. A snapshot beyond the
     * log's end (the log lost its tail) is never used.
     */
    public Optional<JsonNode> latestAtOrBelow(long maxSequence) {
        List<Path> candidates = new ArrayList<>(snapshotsNewestFirst());
        candidates.addAll(list(COMPACTION_PREFIX));
        candidates.sort(Comparator.comparingLong(SnapshotStore::sequenceOf).reversed());
        for (Path path : candidates) {
            long sequence = sequenceOf(path);
            if (sequence > maxSequence) {
                continue;
            }
            try {
                return Optional.of(mapper.readTree(path.toFile()));
            } catch (IOException e) {
                // an unreadable snapshot is skipped: an older one, or a full replay, still gives the state
            }
        }
        return Optional.empty();
    }

    /** The sequence numbers of the snapshots on disk, newest first. */
    public List<Long> sequences() {
        return snapshotsNewestFirst().stream().map(SnapshotStore::sequenceOf).toList();
    }

    private void prune() throws IOException {
        List<Path> snapshots = snapshotsNewestFirst();
        long lastSpanKept = Long.MAX_VALUE;
        for (int i = 0; i < snapshots.size(); i++) {
            long span = sequenceOf(snapshots.get(i)) / CHECKPOINT_SPAN;
            if (i < KEEP) {
                lastSpanKept = span;
                continue;
            }
            if (span < lastSpanKept) {
                lastSpanKept = span; // the newest snapshot of an older span: a starting point for --at
                continue;
            }
            Files.deleteIfExists(snapshots.get(i));
        }
    }

    private List<Path> snapshotsNewestFirst() {
        List<Path> found = new ArrayList<>(list(PREFIX));
        found.sort(Comparator.comparingLong(SnapshotStore::sequenceOf).reversed());
        return found;
    }

    private List<Path> list(String prefix) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(SUFFIX))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long sequenceOf(Path path) {
        String name = path.getFileName().toString();
        try {
            return Long.parseLong(name.substring(name.indexOf('-') + 1, name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
