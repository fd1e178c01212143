package io.berth.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Archiving old cycle files (compaction) keeps every sequence number and every later event readable. */
class LogArchiveTest {
    private Path dir;

    @BeforeEach
    void createDir() throws Exception {
        dir = Files.createTempDirectory("berth-archive-test");
    }

    @AfterEach
    void deleteDir() {
        TestEvents.deleteTree(dir);
    }

    private static List<Long> sequences(EventReader reader) {
        List<Long> seen = new ArrayList<>();
        for (Optional<EventEnvelope> e = reader.next(); e.isPresent(); e = reader.next()) {
            seen.add(e.get().sequence());
        }
        return seen;
    }

    @Test
    void givenThreeDailyFiles_whenArchivingThroughTheSecondDay_thenTheirFilesMoveAndSequencesStay() {
        ChronicleEventLogTest.ManualClock clock = new ChronicleEventLogTest.ManualClock(Instant.parse("2026-11-01T10:00:00Z"));
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withSync(false).withClock(clock);
        Instant dayOne = clock.now;
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, new EventCodec())) {
            log.append(TestEvents.batch(1, 3));
            clock.now = clock.now.plus(Duration.ofDays(1));
            log.append(TestEvents.batch(4, 3));
            clock.now = clock.now.plus(Duration.ofDays(1));
            log.append(TestEvents.batch(7, 2));

            assertEquals(List.of(), log.archiveThrough(2), "no whole file lies before event 2");
            assertEquals(List.of("20261101F.cq4"), log.archiveThrough(5), "only the first day's file is all before event 5");
            assertEquals(4, log.firstSequence());
            assertEquals(List.of("20261102F.cq4"), log.archiveThrough(8), "the writer's file always stays");
            assertEquals(7, log.firstSequence());
            assertEquals(8, log.lastSequence());
            try (EventReader all = log.readFromSequence(0)) {
                assertEquals(List.of(7L, 8L), sequences(all));
            }
            try (EventReader fromTime = log.readFromTime(dayOne)) {
                assertEquals(List.of(7L, 8L), sequences(fromTime));
            }
            assertEquals(9, log.append(TestEvents.batch(9, 1)).getFirst().sequence());
        }
        assertTrue(Files.exists(dir.resolve("archive/20261101F.cq4")));
        assertTrue(Files.exists(dir.resolve("archive/20261102F.cq4")));
        assertTrue(Files.notExists(dir.resolve("20261101F.cq4")));

        try (ChronicleEventLog reopened = ChronicleEventLog.open(dir, options, new EventCodec())) {
            assertEquals(9, reopened.lastSequence());
            assertEquals(7, reopened.firstSequence());
            try (EventReader reader = reopened.readFromSequence(7)) {
                assertEquals(List.of(8L, 9L), sequences(reader));
            }
            assertEquals(10, reopened.append(TestEvents.batch(10, 1)).getFirst().sequence());
        }
        try (ChronicleEventLog readOnly = ChronicleEventLog.openReadOnly(dir)) {
            assertEquals(7, readOnly.firstSequence());
            assertEquals(10, readOnly.lastSequence());
        }
    }

    @Test
    void givenACrashAfterTheRecordWasWritten_whenReopened_thenTheMoveIsFinished() throws Exception {
        ChronicleEventLogTest.ManualClock clock = new ChronicleEventLogTest.ManualClock(Instant.parse("2026-11-01T10:00:00Z"));
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withSync(false).withClock(clock);
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, new EventCodec())) {
            log.append(TestEvents.batch(1, 2));
            clock.now = clock.now.plus(Duration.ofDays(1));
            log.append(TestEvents.batch(3, 2));
        }
        // what archiving writes first; the process dies before moving the file
        Files.writeString(dir.resolve(LogArchive.FILE), "{\"firstSequence\":3,\"archive\":\"archive\",\"files\":[\"20261101F.cq4\"]}");
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, new EventCodec())) {
            assertTrue(Files.exists(dir.resolve("archive/20261101F.cq4")));
            assertEquals(3, log.firstSequence());
            assertEquals(4, log.lastSequence());
            try (EventReader reader = log.readFromSequence(0)) {
                assertEquals(List.of(3L, 4L), sequences(reader));
            }
        }
    }
}
