package io.berth.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChronicleEventLogTest {
    private Path dir;

    @BeforeEach
    void createDir() throws Exception {
        dir = Files.createTempDirectory("berth-log-test");
    }

    @AfterEach
    void deleteDir() {
        TestEvents.deleteTree(dir);
    }

    /** A clock the test moves by hand, to put events into several daily cycle files. */
    static final class ManualClock extends Clock {
        volatile Instant now;

        ManualClock(Instant start) {
            now = start;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static List<EventEnvelope> readAll(EventReader reader) {
        List<EventEnvelope> all = new ArrayList<>();
        for (Optional<EventEnvelope> e = reader.next(); e.isPresent(); e = reader.next()) {
            all.add(e.get());
        }
        return all;
    }

    @Test
    void givenAFreshDirectory_whenEventsAreAppended_thenTheyGetSequencesFromOneAndReadBackEqual() {
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            assertEquals(0, log.lastSequence());
            List<EventEnvelope> written = log.append(TestEvents.batch(0, 3));
            assertEquals(List.of(1L, 2L, 3L), written.stream().map(EventEnvelope::sequence).toList());
            assertTrue(written.stream().allMatch(e -> e.hostId().equals(log.hostId())));
            try (EventReader reader = log.readFromSequence(0)) {
                assertEquals(written, readAll(reader));
                assertEquals(3, reader.position());
            }
            assertFalse(log.openReport().droppedAnything());
        }
    }

    @Test
    void givenALogWithEvents_whenReopened_thenSequencesAndHostIdContinue() {
        String hostId;
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            hostId = log.hostId();
            log.append(TestEvents.batch(0, 5));
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            assertEquals(hostId, log.hostId());
            assertEquals(5, log.lastSequence());
            assertEquals(5, log.openReport().eventsKept());
            assertEquals(6, log.append(TestEvents.batch(5, 1)).getFirst().sequence());
            try (EventReader reader = log.readFromSequence(4)) {
                assertEquals(List.of(5L, 6L), readAll(reader).stream().map(EventEnvelope::sequence).toList());
            }
        }
    }

    @Test
    void givenEventsInSeveralDailyFiles_whenReadingFromAnySequence_thenTheRightEventComesFirst() {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-20T10:00:00Z"));
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withClock(clock).withSync(false);
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, new EventCodec())) {
            for (int day = 0; day < 4; day++) {
                log.append(TestEvents.batch(day * 10, 10));
                clock.now = clock.now.plus(Duration.ofDays(day == 1 ? 2 : 1)); // a day with no events too
            }
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, new EventCodec())) {
            assertEquals(40, log.lastSequence());
            for (long after : new long[] {0, 9, 10, 11, 25, 39, 40}) {
                try (EventReader reader = log.readFromSequence(after)) {
                    List<EventEnvelope> rest = readAll(reader);
                    assertEquals(40 - after, rest.size(), "after " + after);
                    if (!rest.isEmpty()) {
                        assertEquals(after + 1, rest.getFirst().sequence());
                    }
                }
            }
            try (EventReader reader = log.readFromTime(Instant.parse("2026-11-23T00:00:00Z"))) {
                assertEquals(21, reader.next().orElseThrow().sequence());
            }
        }
    }

    @Test
    void givenEventsOverTime_whenReadingFromATime_thenTheFirstEventAtOrAfterItComesFirst() {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-28T10:00:00Z"));
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withClock(clock);
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, new EventCodec())) {
            for (int i = 0; i < 20; i++) {
                log.append(TestEvents.batch(i, 1));
                clock.now = clock.now.plusSeconds(1);
            }
            try (EventReader reader = log.readFromTime(Instant.parse("2026-11-28T10:00:05.5Z"))) {
                assertEquals(7, reader.next().orElseThrow().sequence());
            }
            try (EventReader reader = log.readFromTime(Instant.parse("2026-11-28T09:00:00Z"))) {
                assertEquals(1, reader.next().orElseThrow().sequence());
            }
            try (EventReader reader = log.readFromTime(Instant.parse("2026-11-29T00:00:00Z"))) {
                assertTrue(reader.next().isEmpty());
                log.append(TestEvents.batch(20, 1));
                assertEquals(21, reader.next().orElseThrow().sequence());
            }
        }
    }

    @Test
    void givenAClockThatStepsBack_whenAppending_thenTimesNeverDecrease() {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-28T10:00:00Z"));
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, ChronicleEventLog.Options.defaults().withClock(clock), new EventCodec())) {
            Instant first = log.append(TestEvents.batch(0, 1)).getFirst().time();
            clock.now = clock.now.minusSeconds(60);
            assertEquals(first, log.append(TestEvents.batch(1, 1)).getFirst().time());
        }
    }

    @Test
    void givenAFollowerWaiting_whenAnotherThreadAppends_thenItWakesPromptly() throws Exception {
        try (ChronicleEventLog log = ChronicleEventLog.open(dir);
             EventReader reader = log.readFromSequence(0)) {
            CompletableFuture<Optional<EventEnvelope>> next = CompletableFuture.supplyAsync(() -> reader.next(Duration.ofSeconds(30)));
            Thread.sleep(200);
            assertFalse(next.isDone());
            long start = System.nanoTime();
            log.append(TestEvents.batch(0, 1));
            assertEquals(1, next.get(10, TimeUnit.SECONDS).orElseThrow().sequence());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
            assertTrue(reader.next(Duration.ofMillis(50)).isEmpty(), "times out when nothing comes");
        }
    }

    @Test
    void givenASlowReader_whenManyEventsAreAppendedBeforeItReads_thenItLosesNone() {
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withSync(false);
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, new EventCodec());
             EventReader reader = log.readFromSequence(0)) {
            for (int i = 0; i < 100_000; i += 1000) {
                log.append(TestEvents.batch(i, 1000));
            }
            long expected = 1;
            for (Optional<EventEnvelope> e = reader.next(); e.isPresent(); e = reader.next()) {
                assertEquals(expected++, e.get().sequence());
            }
            assertEquals(100_001, expected);
        }
    }

    @Test
    void givenAReadOnlyOpenBesideTheWriter_whenTheWriterAppends_thenTheFollowerSeesIt() {
        try (ChronicleEventLog writer = ChronicleEventLog.open(dir)) {
            writer.append(TestEvents.batch(0, 2));
            try (ChronicleEventLog reader = ChronicleEventLog.openReadOnly(dir);
                 EventReader follower = reader.readFromSequence(1)) {
                assertEquals(writer.hostId(), reader.hostId());
                assertEquals(2, reader.lastSequence());
                assertEquals(2, follower.next().orElseThrow().sequence());
                writer.append(TestEvents.batch(2, 1));
                assertEquals(3, follower.next(Duration.ofSeconds(5)).orElseThrow().sequence());
                assertThrows(EventLogException.class, () -> reader.append(TestEvents.batch(3, 1)));
            }
        }
    }

    @Test
    void givenALogOpenForWriting_whenOpenedForWritingAgain_thenItIsRefused() {
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            EventLogException e = assertThrows(EventLogException.class, () -> ChronicleEventLog.open(dir));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("already open"), e.getMessage());
        }
    }

    @Test
    void givenAMetaFileFromANewerBerth_whenOpened_thenItIsRefusedNamingTheDirectory() throws Exception {
        Files.writeString(dir.resolve(LogDirectory.META_FILE), "{\"schemaVersion\":9,\"hostId\":\"abc\",\"createdAt\":\"x\"}");
        EventLogException e = assertThrows(EventLogException.class, () -> ChronicleEventLog.open(dir));
        assertEquals("event log directory " + dir.toAbsolutePath() + " was written by a newer berth (log format 9; this berth reads up to 1)",
                e.getMessage());
    }

    /** Tests run as root, which writes through any mode bits, so a path that is a regular file stands in for "cannot write here". */
    @Test
    void givenAPathThatIsARegularFile_whenOpened_thenAOneLineErrorNamesIt() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        EventLogException e = assertThrows(EventLogException.class, () -> ChronicleEventLog.open(file));
        assertEquals("event log directory " + file + " is not a directory", e.getMessage());
        EventLogException below = assertThrows(EventLogException.class, () -> ChronicleEventLog.open(file.resolve("events")));
        assertTrue(below.getMessage().contains(file.resolve("events").toString()) && !below.getMessage().contains("\n"), below.getMessage());
    }

    @Test
    void givenTheClassPath_whenLookingForChronicleAnalytics_thenItIsAbsent() {
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            assertEquals("true", System.getProperty("chronicle.analytics.disable"));
            assertThrows(ClassNotFoundException.class, () -> Class.forName("net.openhft.chronicle.analytics.Analytics"));
            assertFalse(System.getProperty("java.class.path").contains("chronicle-analytics"));
            assertNotEquals(0, log.hostId().length());
        }
    }
}
