package io.berth.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, defect 5: the log carries every container's environment (secrets), so no other host
 * user may read it: the directory is 0700 and every file in it 0600, on a new log, on a log an older
 * berth left world-readable, and for the cycle files Chronicle creates later.
 */
class LogModesTest {
    @TempDir
    Path parent;

    /** Every path under {@code dir} some other user could read (or, for a directory, enter). */
    private static List<String> readableByOthers(Path dir) throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                boolean dirEntered = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && (mode.charAt(5) == 'x' || mode.charAt(8) == 'x');
                if (mode.charAt(3) == 'r' || mode.charAt(6) == 'r' || dirEntered) {
                    open.add(dir.relativize(p) + " " + mode);
                }
            }
        }
        return open;
    }

    @Test
    void defect5_givenANewLogThenItsDirectoryIs0700AndEveryFileIncludingALaterDaysCycleFile0600() throws IOException {
        Path dir = parent.resolve("events");
        ChronicleEventLogTest.ManualClock clock = new ChronicleEventLogTest.ManualClock(Instant.parse("2026-11-01T10:00:00Z"));
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withSync(false).withClock(clock);
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, Upcasters.codec())) {
            log.append(TestEvents.batch(1, 3));
            clock.now = clock.now.plus(Duration.ofDays(1));
            log.append(TestEvents.batch(4, 3)); // Chronicle creates the second day's file now
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.filter(f -> f.toString().endsWith(".cq4")).count() >= 2, "two cycle files");
            }
            assertEquals(List.of(), readableByOthers(dir));
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void defect5_givenALogAnOlderBerthLeftWorldReadableThenOpeningItNarrowsEveryMode() throws IOException {
        Path dir = parent.resolve("events");
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            log.append(TestEvents.batch(1, 2));
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            assertEquals(List.of(), readableByOthers(dir));
            assertEquals(2, log.lastSequence());
        }
    }
}
