package io.berth.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Cycle files moved out of the log by a compaction, and the one number that keeps sequence numbers
 * stable afterwards: the first sequence still in the log. Sequence numbers are excerpt ordinals counted
 * from the first cycle file ({@link CycleIndex}), so once older files are gone the count must start there.
 *
 * <p>{@code berth-log-archive.json} in the log directory: {@code {"firstSequence":N,"archive":"archive",
 * "files":["20260101F.cq4",…]}}. It is written (synced, renamed) before any file moves; opening the log for
 * writing finishes a move a crash interrupted, so the files present always agree with the number.
 */
final class LogArchive {
    static final String FILE = "berth-log-archive.json";
    static final String DIRECTORY = "archive";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LogArchive() {}

    /** The first sequence in the log directory: 1 unless cycle files were archived. */
    static long firstSequence(Path dir) {
        JsonNode record = read(dir);
        return record == null ? 1 : Math.max(1, record.path("firstSequence").asLong(1));
    }

    /** Moves files a crash left behind after their archive record was written (writers only). */
    static void finishPendingMoves(Path dir) {
        JsonNode record = read(dir);
        if (record == null) {
            return;
        }
        Path archive = dir.resolve(record.path("archive").asText(DIRECTORY));
        for (JsonNode name : record.path("files")) {
            Path file = dir.resolve(name.asText());
            if (Files.exists(file)) {
                move(file, archive);
            }
        }
    }

    /** Records that {@code files} leave the log and {@code firstSequence} is its new start, then moves them. */
    static void archive(Path dir, List<Path> files, long firstSequence) {
        JsonNode previous = read(dir);
        List<String> names = new ArrayList<>();
        if (previous != null) {
            previous.path("files").forEach(n -> names.add(n.asText()));
        }
        files.forEach(f -> names.add(f.getFileName().toString()));
        ObjectNode record = JSON.createObjectNode().put("firstSequence", firstSequence).put("archive", DIRECTORY);
        ArrayNode list = record.putArray("files");
        names.forEach(list::add);
        Path target = dir.resolve(FILE);
        Path temporary = dir.resolve(FILE + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temporary, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING), PrivateFiles.fileAttribute())) {
                out.write(ByteBuffer.wrap(JSON.writeValueAsBytes(record)));
                out.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LogDirectory.forceDirectory(dir);
        } catch (IOException e) {
            throw new EventLogException("cannot write " + target + ": " + e.getMessage(), e);
        }
        Path archive = dir.resolve(DIRECTORY);
        for (Path file : files) {
            move(file, archive);
        }
    }

    private static void move(Path file, Path archive) {
        try {
            PrivateFiles.createDirectories(archive);
            Files.move(file, archive.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            LogDirectory.forceDirectory(archive);
            LogDirectory.forceDirectory(file.getParent());
        } catch (IOException e) {
            throw new EventLogException("cannot move " + file + " to " + archive + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new EventLogException("event log directory " + dir + " has an unreadable " + FILE + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
