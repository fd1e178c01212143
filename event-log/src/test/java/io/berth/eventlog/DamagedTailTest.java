package io.berth.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DamagedTailTest {
    private static final byte[] ENVELOPE_START = "{\"schemaVersion\":".getBytes(StandardCharsets.UTF_8);
    private Path dir;

    @BeforeEach
    void createDir() throws Exception {
        dir = Files.createTempDirectory("berth-log-damage");
    }

    @AfterEach
    void deleteDir() {
        TestEvents.deleteTree(dir);
    }

    private void writeEvents(int count) {
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            log.append(TestEvents.batch(0, count));
        }
    }

    /** Reads the whole log and checks it holds exactly events 1..expected, gap-free. */
    private static void assertGapFree(ChronicleEventLog log, long expected) {
        try (EventReader reader = log.readFromSequence(0)) {
            long next = 1;
            for (Optional<EventEnvelope> e = reader.next(); e.isPresent(); e = reader.next()) {
                assertEquals(next++, e.get().sequence());
            }
            assertEquals(expected + 1, next, "events read");
        }
        assertEquals(expected, log.lastSequence());
    }

    /** Offset in the file of the last envelope's first byte. */
    private static long lastEnvelopeStart(byte[] file) {
        for (int i = file.length - ENVELOPE_START.length; i >= 0; i--) {
            if (Arrays.equals(file, i, i + ENVELOPE_START.length, ENVELOPE_START, 0, ENVELOPE_START.length)) {
                return i;
            }
        }
        throw new AssertionError("no envelope in the file");
    }

    /** Offset just past the last envelope's closing braces. */
    private static long lastEnvelopeEnd(byte[] file) {
        int i = (int) lastEnvelopeStart(file);
        while (!(file[i] == '}' && file[i + 1] == '}' && file[i + 2] == 0)) {
            i++;
        }
        return i + 2;
    }

    @Test
    void givenTheLastEntryOverwrittenWithGarbage_whenReopened_thenItIsDroppedAndAppendsTakeItsSequence() throws Exception {
        writeEvents(10);
        Path file = TestEvents.cycleFile(dir);
        byte[] bytes = Files.readAllBytes(file);
        long start = lastEnvelopeStart(bytes);
        byte[] garbage = new byte[(int) (lastEnvelopeEnd(bytes) - start)];
        new Random(7).nextBytes(garbage);
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (garbage[i] == 0 ? 1 : garbage[i]);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(garbage), start);
        }

        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            OpenReport report = log.openReport();
            assertEquals(9, report.eventsKept());
            assertEquals(1, report.droppedEntries());
            assertEquals(garbage.length + 4, report.droppedBytes());
            assertTrue(report.detail().startsWith("dropped 1 unreadable entry"), report.detail());
            assertGapFree(log, 9);
            assertEquals(10, log.append(TestEvents.batch(100, 1)).getFirst().sequence());
            assertGapFree(log, 10);
        }
        try (Stream<Path> kept = Files.list(dir.resolve(TailRewrite.DAMAGED_DIR))) {
            assertEquals(1, kept.count(), "the damaged file is kept for inspection");
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            assertTrue(log.openReport().detail().isEmpty(), log.openReport().detail());
            assertGapFree(log, 10);
        }
    }

    @Test
    void givenTheFileTruncatedInsideTheLastEntry_whenReopened_thenEveryCompleteEventIsKept() throws Exception {
        writeEvents(10);
        Path file = TestEvents.cycleFile(dir);
        long cut = lastEnvelopeStart(Files.readAllBytes(file)) + 20;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            assertEquals(9, log.openReport().eventsKept());
            assertEquals(1, log.openReport().droppedEntries());
            assertGapFree(log, 9);
            log.append(TestEvents.batch(100, 2));
            assertGapFree(log, 11);
        }
    }

    /**
     * Chronicle writes an excerpt's bytes before its header, so a writer killed mid-append leaves a
     * zero header and part of the JSON after the last entry. The child-JVM test below produces this
     * only when the kill lands inside those microseconds; this test writes that state directly.
     */
    @Test
    void givenAnUnfinishedWriteAfterTheLastEntry_whenReopened_thenItIsReportedAndCleared() throws Exception {
        writeEvents(5);
        Path file = TestEvents.cycleFile(dir);
        long end = lastEnvelopeEnd(Files.readAllBytes(file));
        long header = (end + 3) & ~3L;
        byte[] partial = "{\"schemaVersion\":1,\"sequence\":6,\"ti".getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(partial), header + 4);
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            OpenReport report = log.openReport();
            assertEquals(5, report.eventsKept());
            assertEquals(1, report.droppedEntries());
            assertEquals(4 + partial.length, report.droppedBytes());
            assertTrue(report.detail().contains("unfinished write"), report.detail());
            log.append(TestEvents.batch(100, 1));
            assertGapFree(log, 6);
        }
    }

    @Test
    void givenADamagedTail_whenOpenedReadOnly_thenItIsReportedAndReadersStopBeforeIt() throws Exception {
        writeEvents(4);
        Path file = TestEvents.cycleFile(dir);
        byte[] bytes = Files.readAllBytes(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("#######".getBytes(StandardCharsets.UTF_8)), lastEnvelopeStart(bytes));
        }
        try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(dir)) {
            assertTrue(log.openReport().detail().startsWith("found 1 unreadable entry"), log.openReport().detail());
            assertGapFree(log, 3);
        }
    }

    @ParameterizedTest(name = "synced appends: {0}")
    @ValueSource(booleans = {false, true})
    void givenAWriterKilledMidStream_whenReopened_thenEveryAcknowledgedEventIsThereAndAppendsContinue(boolean sync) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java));
        // the flags Chronicle needs, as this JVM got them from Surefire's argLine
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("-Dchronicle."))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), dir.toString(), Boolean.toString(sync)));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        AtomicLong acknowledged = new AtomicLong();
        Thread pump = Thread.ofPlatform().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    acknowledged.set(Long.parseLong(line.trim()));
                }
            } catch (Exception ignored) {
                // the child was killed
            }
        });
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (acknowledged.get() < (sync ? 200 : 20_000) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(child.isAlive(), "the writer is still appending when it is killed");
        child.destroyForcibly(); // SIGKILL
        child.waitFor();
        pump.join();
        long seenBeforeKill = acknowledged.get();
        assertTrue(seenBeforeKill > 0);

        long start = System.nanoTime();
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "open after a kill is quick");
            System.out.println("reopened after SIGKILL: " + log.openReport());
            long kept = log.lastSequence();
            assertTrue(kept >= seenBeforeKill, "kept " + kept + ", acknowledged " + seenBeforeKill);
            assertEquals(kept, log.openReport().eventsKept());
            assertGapFree(log, kept);
            long appendStart = System.nanoTime();
            assertEquals(kept + 1, log.append(TestEvents.batch(0, 1)).getFirst().sequence());
            assertTrue(System.nanoTime() - appendStart < 1_000_000_000L, "no wait for the dead writer's lock");
            assertGapFree(log, kept + 1);
        }
    }
}
