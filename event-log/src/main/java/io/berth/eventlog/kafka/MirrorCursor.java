package io.berth.eventlog.kafka;

import io.berth.eventlog.PrivateFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.EventLogException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The mirror's own cursor, {@code kafka-mirror.json} in the log's directory: the last sequence the
 * brokers acknowledged (every event up to it is in the topic), per topic. Written to a temporary file,
 * synced and renamed over the old one, so a crash leaves either the old or the new cursor, never half.
 * Only the mirror writes it; the log itself never reads it.
 */
final class MirrorCursor {
    static final String FILE_NAME = "kafka-mirror.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;

    MirrorCursor(Path logDirectory) {
        this.file = logDirectory.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    /**
     * The acknowledged sequence for {@code topic}, 0 when there is no cursor or it belongs to another
     * topic (the new topic gets every event from the first).
     *
     * @throws EventLogException when the file exists but is not a cursor (the mirror will not guess)
     */
    long read(String topic) {
        if (!Files.exists(file)) {
            return 0;
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            String reason = e instanceof com.fasterxml.jackson.core.JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            throw new EventLogException("Kafka mirror cursor " + file + " is unreadable: " + String.valueOf(reason).replaceAll("\\s+", " ")
                    + " (remove it to mirror every event again)");
        }
        if (node == null || !node.path("acknowledged").canConvertToLong() || node.path("acknowledged").asLong() < 0) {
            throw new EventLogException("Kafka mirror cursor " + file + " has no valid \"acknowledged\" sequence"
                    + " (remove it to mirror every event again)");
        }
        return topic.equals(node.path("topic").asText()) ? node.path("acknowledged").asLong() : 0;
    }

    void write(String topic, long acknowledged) {
        ObjectNode node = MAPPER.createObjectNode().put("topic", topic).put("acknowledged", acknowledged);
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING), PrivateFiles.fileAttribute())) {
                channel.write(ByteBuffer.wrap(MAPPER.writeValueAsBytes(node)));
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new EventLogException("cannot write the Kafka mirror cursor " + file + ": " + e.getMessage(), e);
        }
    }
}
