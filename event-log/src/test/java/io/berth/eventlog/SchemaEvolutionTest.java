package io.berth.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.DaemonEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A log directory written at an older schema (the committed fixture {@code fixtures/schema0-log}, see
 * {@link SchemaZeroFixture}) reads through the upcasters, is never written to, and a log from a newer
 * berth is refused with one line.
 */
class SchemaEvolutionTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/schema0-log");

    /** The upcasters from schema 0's shape (see {@link SchemaZeroFixture}) to schema 1. */
    static final List<Upcaster> SCHEMA_ZERO = List.of(
            upcaster("ContainerCreated", envelope -> {
                ObjectNode payload = (ObjectNode) envelope.get("payload");
                payload.put("configJson", payload.remove("config").toString());
                payload.put("imageId", "");
            }),
            upcaster("ContainerDied", envelope -> {
                envelope.put("type", "ContainerExited");
                ObjectNode payload = (ObjectNode) envelope.get("payload");
                payload.set("exitCode", payload.remove("code"));
                payload.put("signal", 0);
                payload.put("oomKilled", false);
                payload.put("finishedAt", envelope.get("time").asText());
                payload.put("whileDown", false);
            }),
            upcaster("ContainerRemoved", envelope -> ((ObjectNode) envelope.get("payload")).putArray("volumes")));

    private static Upcaster upcaster(String type, java.util.function.Consumer<ObjectNode> change) {
        return new Upcaster() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public int fromVersion() {
                return 0;
            }

            @Override
            public void upcast(ObjectNode envelope) {
                change.accept(envelope);
            }
        };
    }

    @Test
    void givenTheSchemaZeroFixture_whenReadWithItsUpcasters_thenEveryEventHasThisBuildsShape() throws Exception {
        Map<String, String> before = digests(FIXTURE);
        List<EventEnvelope> read = new ArrayList<>();
        try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(FIXTURE, new EventCodec(SCHEMA_ZERO));
             EventReader reader = log.readFromSequence(0)) {
            assertEquals(5, log.lastSequence());
            assertEquals(SchemaZeroFixture.HOST, log.hostId());
            for (Optional<EventEnvelope> e = reader.next(); e.isPresent(); e = reader.next()) {
                read.add(e.get());
            }
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), read.stream().map(EventEnvelope::sequence).toList());
        read.forEach(e -> assertEquals(0, e.schemaVersion(), "the envelope keeps the version it was written with"));

        DaemonEvent.DaemonStarted started = assertInstanceOf(DaemonEvent.DaemonStarted.class, read.get(0).payload());
        assertEquals("0.0.9", started.version());
        ContainerEvent.ContainerCreated created = assertInstanceOf(ContainerEvent.ContainerCreated.class, read.get(1).payload());
        assertEquals("web", created.name());
        assertEquals("{\"Config\":{\"Cmd\":[\"httpd\",\"-f\"]},\"HostConfig\":{}}", created.configJson());
        assertEquals("alice", read.get(1).actor().user());
        assertEquals(31337, assertInstanceOf(ContainerEvent.ContainerStarted.class, read.get(2).payload()).pid());
        assertEquals("ContainerExited", read.get(3).type());
        ContainerEvent.ContainerExited exited = assertInstanceOf(ContainerEvent.ContainerExited.class, read.get(3).payload());
        assertEquals(137, exited.exitCode());
        assertEquals("2025-03-01T09:03:00Z", exited.finishedAt());
        assertEquals(List.of(), assertInstanceOf(ContainerEvent.ContainerRemoved.class, read.get(4).payload()).volumes());

        assertEquals(before, digests(FIXTURE), "reading the fixture changed a file in it");
    }

    @Test
    void givenTheSchemaZeroFixture_whenReadWithoutUpcasters_thenOneLineNamesTheEventThatCannotBeRead() {
        // the open checks the last event (ContainerRemoved without volumes), a reader would meet ContainerDied first
        EventLogException e = assertThrows(EventLogException.class, () -> {
            try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(FIXTURE, new EventCodec());
                 EventReader reader = log.readFromSequence(0)) {
                while (reader.next().isPresent()) {
                    // read everything
                }
            }
        });
        assertTrue(e.getMessage().contains("event 5: cannot read the ContainerRemoved payload")
                || e.getMessage().contains("unknown type ContainerDied"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void givenALogWhoseEventsAreFromANewerSchema_whenOpenedReadOnly_thenOneLineSaysSo() throws Exception {
        Path dir = Files.createTempDirectory("berth-newer-schema");
        try {
            Files.writeString(dir.resolve(LogDirectory.META_FILE), "{\"schemaVersion\":1,\"hostId\":\"abc\",\"createdAt\":\"2026-01-01T00:00:00Z\"}");
            try (var queue = net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.binary(dir)
                    .rollCycle(net.openhft.chronicle.queue.RollCycles.FAST_DAILY).build();
                 var appender = queue.createAppender()) {
                appender.writeBytes(net.openhft.chronicle.bytes.Bytes.wrapForRead(("{\"schemaVersion\":" + (EventEnvelope.CURRENT_SCHEMA_VERSION + 1)
                        + ",\"sequence\":1,\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"NoteRecorded\",\"subject\":\"abc\",\"actor\":null,"
                        + "\"correlationId\":\"x\",\"hostId\":\"abc\",\"payload\":{\"hostId\":\"abc\",\"text\":\"hi\"}}").getBytes()));
            }
            EventLogException e = assertThrows(EventLogException.class, () -> {
                try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(dir); EventReader reader = log.readFromSequence(0)) {
                    reader.next();
                }
            });
            assertTrue(e.getMessage().contains("newer berth"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        } finally {
            TestEvents.deleteTree(dir);
        }
    }

    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                digests.put(dir.relativize(f).toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))) + "@" + Files.getLastModifiedTime(f));
            }
        }
        return digests;
    }
}
