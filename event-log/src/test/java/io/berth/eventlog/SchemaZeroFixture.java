package io.berth.eventlog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * Writes the fixture log {@code src/test/resources/fixtures/schema0-log}: a log directory laid out exactly
 * as {@link ChronicleEventLog} lays it out ({@code berth-log.json}, FAST_DAILY cycle files, one JSON envelope
 * per excerpt) whose envelopes carry {@code "schemaVersion":0} and payloads in an older shape than this
 * build's records. Schema 0 is a shape made up for the test (berth's first released schema is 1), so that
 * the upcasting path reads a real log directory, not only strings:
 * <ul>
 *   <li>{@code ContainerCreated} had the configuration as a JSON object {@code config} and no {@code imageId}
 *       (schema 1: {@code configJson} as text, {@code imageId});</li>
 *   <li>{@code ContainerDied} with {@code code} became {@code ContainerExited} with {@code exitCode}, {@code signal},
 *       {@code oomKilled}, {@code finishedAt} and {@code whileDown};</li>
 *   <li>{@code ContainerRemoved} had no {@code volumes};</li>
 *   <li>{@code DaemonStarted} and {@code ContainerStarted} did not change: they must read without an upcaster.</li>
 * </ul>
 * {@link SchemaEvolutionTest#SCHEMA_ZERO} holds the upcasters from that shape. Run {@link #main} with the
 * target directory to regenerate (the committed copy is what the test reads; it must not change).
 */
public final class SchemaZeroFixture {
    static final String HOST = "00000000000000000000000000f1x7e0";
    static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");
    static final String CONTAINER = "c0ffee" + "0".repeat(58);

    private SchemaZeroFixture() {}

    /** The envelopes as a schema-0 berth wrote them, in order. */
    static List<String> envelopes() {
        String actor = "{\"uid\":1000,\"user\":\"alice\",\"pid\":4242,\"client\":\"berth-cli/0.0.9\"}";
        String daemon = "{\"uid\":0,\"user\":\"root\",\"pid\":1,\"client\":\"berthd\"}";
        return List.of(
                envelope(1, 0, "DaemonStarted", HOST, daemon, "c1",
                        "{\"hostId\":\"" + HOST + "\",\"version\":\"0.0.9\",\"pid\":1,\"root\":\"/var/lib/berth\",\"socket\":\"/run/berth/berth.sock\",\"droppedOnOpen\":\"\"}"),
                envelope(2, 1, "ContainerCreated", CONTAINER, actor, "c2",
                        "{\"id\":\"" + CONTAINER + "\",\"name\":\"web\",\"image\":\"busybox\",\"config\":{\"Config\":{\"Cmd\":[\"httpd\",\"-f\"]},\"HostConfig\":{}}}"),
                envelope(3, 2, "ContainerStarted", CONTAINER, actor, "c3",
                        "{\"id\":\"" + CONTAINER + "\",\"pid\":31337}"),
                envelope(4, 3, "ContainerDied", CONTAINER, daemon, "c4",
                        "{\"id\":\"" + CONTAINER + "\",\"code\":137}"),
                envelope(5, 4, "ContainerRemoved", CONTAINER, actor, "c5",
                        "{\"id\":\"" + CONTAINER + "\"}"));
    }

    private static String envelope(long sequence, int minute, String type, String subject, String actor, String correlation, String payload) {
        return "{\"schemaVersion\":0,\"sequence\":" + sequence + ",\"time\":\"" + T0.plusSeconds(60L * minute) + "\",\"type\":\""
                + type + "\",\"subject\":\"" + subject + "\",\"actor\":" + actor + ",\"correlationId\":\"" + correlation
                + "\",\"hostId\":\"" + HOST + "\",\"payload\":" + payload + "}";
    }

    /** Writes the fixture into {@code dir} (which must not hold a log yet). */
    public static void write(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(LogDirectory.META_FILE),
                "{\"schemaVersion\":1,\"hostId\":\"" + HOST + "\",\"createdAt\":\"" + T0 + "\"}");
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY).blockSize(64 << 10)
                .timeProvider(T0::toEpochMilli).build();
             ExcerptAppender appender = queue.createAppender()) {
            for (String json : envelopes()) {
                appender.writeBytes(Bytes.wrapForRead(json.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        write(Path.of(args[0]));
    }
}
