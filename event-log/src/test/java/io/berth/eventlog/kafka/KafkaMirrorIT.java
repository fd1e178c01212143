package io.berth.eventlog.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.eventlog.Actor;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventCodec;
import io.berth.eventlog.EventReader;
import io.berth.eventlog.LoggedEvent;
import io.berth.eventlog.PendingEvent;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.NoteEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The mirror against a real broker: delivery, order per subject, a broker outage, resuming from the cursor. */
class KafkaMirrorIT {
    private static final Actor ACTOR = new Actor(1000, "alice", 4242, "berth-cli/test");
    private static Path scratch;
    private static KafkaBroker broker;

    private Path logDir;
    private ChronicleEventLog log;
    private String topic;

    @BeforeAll
    static void startBroker() throws Exception {
        scratch = Files.createTempDirectory("berth-kafka-mirror-it");
        broker = KafkaBroker.start(scratch);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
        deleteTree(scratch);
    }

    @BeforeEach
    void openLog(TestInfo test) throws Exception {
        logDir = Files.createTempDirectory(scratch, "log-").resolve("events");
        log = ChronicleEventLog.open(logDir, ChronicleEventLog.Options.defaults().withSync(false), new EventCodec());
        topic = "berth.test." + test.getTestMethod().orElseThrow().getName().hashCode();
    }

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    @Test
    void givenTheMirrorOnWhenEventsAreAppendedThenEachArrivesOnceInOrderPerSubjectWithTheLogsBytes() throws Exception {
        try (KafkaMirror mirror = KafkaMirror.start(log, logDir, config())) {
            appendMixed(1, 3000);
            awaitAcknowledged(mirror, 3000, Duration.ofSeconds(60));
            assertEquals("connected", mirror.status().state());
            assertEquals(0, mirror.status().lag());
        }
        List<TopicRecords.Consumed> records = readTopic(3000);
        assertEquals(3000, records.size(), "one record per event, no duplicate without a fault");
        Map<Long, TopicRecords.Consumed> bySequence = new HashMap<>();
        records.forEach(r -> bySequence.put(r.sequence(), r));
        try (EventReader reader = log.readFromSequence(0)) {
            for (Optional<LoggedEvent> e = reader.nextLogged(Duration.ZERO); e.isPresent(); e = reader.nextLogged(Duration.ZERO)) {
                TopicRecords.Consumed record = bySequence.get(e.get().envelope().sequence());
                assertArrayEquals(e.get().bytes(), record.value(), "the value is the log's bytes for " + e.get().envelope().sequence());
                assertEquals(e.get().envelope().subject(), record.key());
                assertEquals(log.hostId(), record.hostId());
                assertEquals(e.get().envelope().type(), record.type());
            }
        }
        assertInOrderPerSubject(records);
        assertEquals(3000, Long.parseLong(Files.readString(logDir.resolve(MirrorCursor.FILE_NAME)).replaceAll(".*\"acknowledged\":(\\d+).*", "$1")));
    }

    @Test
    void givenABrokerStoppedWhileEventsAreAppendedWhenItRestartsThenNoSequenceIsMissing() throws Exception {
        try (KafkaMirror mirror = KafkaMirror.start(log, logDir, config())) {
            appendMixed(1, 500);
            awaitAcknowledged(mirror, 500, Duration.ofSeconds(60));
            broker.stop();
            try {
                long slowest = appendMixed(501, 1000);
                assertTrue(slowest < 1_000_000_000L, "appending never waits for Kafka (slowest append " + slowest / 1_000_000 + " ms)");
                awaitState(mirror, "down", Duration.ofSeconds(60));
                MirrorStatus down = mirror.status();
                assertTrue(down.lag() > 0, "lag while the broker is down: " + down);
                assertFalse(down.lastError().isEmpty());
                assertEquals(1500, down.lastSequence());
            } finally {
                broker.restart();
            }
            appendMixed(1501, 500);
            awaitAcknowledged(mirror, 2000, Duration.ofSeconds(90));
        }
        List<TopicRecords.Consumed> records = readTopic(2000);
        assertEverySequenceOnce(records, 2000);
        assertInOrderPerSubject(records);
    }

    @Test
    void givenAStoppedMirrorWhenItStartsAgainThenItResumesAfterItsCursor() throws Exception {
        try (KafkaMirror mirror = KafkaMirror.start(log, logDir, config())) {
            appendMixed(1, 200);
            awaitAcknowledged(mirror, 200, Duration.ofSeconds(60));
        }
        appendMixed(201, 300);
        try (KafkaMirror mirror = KafkaMirror.start(log, logDir, config())) {
            awaitAcknowledged(mirror, 500, Duration.ofSeconds(60));
        }
        List<TopicRecords.Consumed> records = readTopic(500);
        assertEquals(500, records.size(), "a graceful stop leaves no duplicate");
        assertEverySequenceOnce(records, 500);
    }

    @Test
    void givenAnUnreachableBrokerWhenEventsAreAppendedThenTheMirrorIsDownAndCountsTheLag() throws Exception {
        KafkaMirrorConfig nowhere = new KafkaMirrorConfig("127.0.0.1:1", topic, Map.of());
        try (KafkaMirror mirror = KafkaMirror.start(log, logDir, nowhere)) {
            long slowest = appendMixed(1, 50);
            assertTrue(slowest < 1_000_000_000L, "appending never waits for Kafka");
            awaitState(mirror, "down", Duration.ofSeconds(30));
            MirrorStatus status = mirror.status();
            assertEquals(50, status.lag());
            assertEquals(0, status.acknowledged());
            assertFalse(status.lastError().isEmpty(), status.toString());
        }
        assertFalse(Files.exists(logDir.resolve(MirrorCursor.FILE_NAME)), "no cursor without an acknowledgement");
    }

    @Test
    void givenFixedProducerSettingsWhenPropertiesContradictThemThenTheConfigIsRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new KafkaMirrorConfig(broker.bootstrapServers(), topic, Map.of("acks", "1")));
        assertEquals("kafka-properties: acks=1 is not allowed: the mirror needs acks=all", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new KafkaMirrorConfig("localhost", topic, Map.of()));
        assertEquals("kafka-bootstrap-servers: \"localhost\" is not HOST:PORT", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> KafkaMirror.validate(new KafkaMirrorConfig(broker.bootstrapServers(), topic, Map.of("linger.ms", "soon"))));
        assertTrue(e.getMessage().startsWith("kafka-properties: ") && e.getMessage().contains("linger.ms"), e.getMessage());
    }

    private KafkaMirrorConfig config() {
        return new KafkaMirrorConfig(broker.bootstrapServers(), topic, Map.of());
    }

    /** Appends notes and container events over seven subjects, one event per append; returns the slowest append in ns. */
    private long appendMixed(int from, int count) {
        long slowest = 0;
        for (int i = from; i < from + count; i++) {
            var event = i % 4 == 0 ? new NoteEvent.NoteRecorded(log.hostId(), "note " + i)
                    : new ContainerEvent.ContainerStarted(Integer.toString(i % 6).repeat(64), i);
            long t0 = System.nanoTime();
            log.append(List.of(new PendingEvent(event, ACTOR, "corr-" + i)));
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        return slowest;
    }

    private List<TopicRecords.Consumed> readTopic(int lastSequence) {
        Predicate<List<TopicRecords.Consumed>> complete = records -> {
            Set<Long> seen = new HashSet<>();
            records.forEach(r -> seen.add(r.sequence()));
            return seen.size() >= lastSequence;
        };
        List<TopicRecords.Consumed> records = TopicRecords.read(broker.bootstrapServers(), topic, complete, Duration.ofSeconds(60));
        // what arrives after "complete" would be a late duplicate: read a moment longer to see it
        return TopicRecords.read(broker.bootstrapServers(), topic, r -> r.size() > records.size(), Duration.ofSeconds(2));
    }

    static void assertEverySequenceOnce(List<TopicRecords.Consumed> records, long last) {
        Set<Long> seen = new HashSet<>();
        records.forEach(r -> seen.add(r.sequence()));
        List<Long> missing = new ArrayList<>();
        for (long s = 1; s <= last; s++) {
            if (!seen.contains(s)) {
                missing.add(s);
            }
        }
        assertEquals(List.of(), missing, "sequences missing from the topic");
        assertEquals(last, seen.size());
    }

    /** Within a partition, the first copy of each sequence comes in log order for every subject. */
    static void assertInOrderPerSubject(List<TopicRecords.Consumed> records) {
        Map<String, Long> lastBySubject = new HashMap<>();
        Set<Long> seen = new HashSet<>();
        for (TopicRecords.Consumed r : records) {
            if (!seen.add(r.sequence())) {
                continue; // a documented duplicate, dropped by host id + sequence
            }
            Long previous = lastBySubject.put(r.key(), r.sequence());
            assertTrue(previous == null || previous < r.sequence(),
                    "subject " + r.key() + ": sequence " + r.sequence() + " after " + previous);
        }
    }

    private static void awaitAcknowledged(KafkaMirror mirror, long sequence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (mirror.status().acknowledged() < sequence) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not acknowledged up to " + sequence + " within " + timeout + ": " + mirror.status());
            }
            Thread.sleep(50);
        }
    }

    private static void awaitState(KafkaMirror mirror, String state, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!state.equals(mirror.status().state())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("mirror not " + state + " within " + timeout + ": " + mirror.status());
            }
            Thread.sleep(100);
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
