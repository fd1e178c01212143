package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log reader on conmon's k8s-file format: nothing lost, nothing read whole (issue 15, defects 8 and 9). */
class ContainerLogsTest {
    private static final String TIME = "2026-12-04T16:00:00.000000000+00:00";

    @TempDir
    Path dir;

    private static ContainerLogs.Options all(int tail) {
        return new ContainerLogs.Options(true, true, false, tail, null, null, false, true);
    }

    private static List<String> read(Path log, ContainerLogs.Options options) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContainerLogs.copy(log, options, out, () -> false);
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private Path lines(int count) throws IOException {
        Path log = dir.resolve("ctr.log");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(log))) {
            for (int i = 1; i <= count; i++) {
                out.write((TIME + " stdout F " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return log;
    }

    @Test
    void defect9_givenTwoHundredThousandLinesThenLogsWithoutTailReturnsEveryOne() throws IOException {
        Path log = lines(200_000);
        List<String> got = read(log, all(-1));
        assertEquals(200_000, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(Integer.toString(i + 1), got.get(i));
        }
    }

    @Test
    void defect8_givenALogLargerThanAnArrayCanHoldThenTailReadsOnlyItsEnd() throws IOException {
        Path log = dir.resolve("huge.log");
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap((TIME + " stdout F first\n").getBytes(StandardCharsets.UTF_8)));
            // a hole of 3 GiB (no newline in it), then the last lines: reading the whole file would need an array over 2 GiB
            long at = 3L << 30;
            StringBuilder end = new StringBuilder("\n");
            for (int i = 1; i <= 5; i++) {
                end.append(TIME).append(i % 2 == 0 ? " stderr F e" : " stdout F o").append(i).append('\n');
            }
            file.write(ByteBuffer.wrap(end.toString().getBytes(StandardCharsets.UTF_8)), at);
        }
        assertEquals(List.of("e4", "o5"), read(log, all(2)));
        // the tail counts only the selected stream's lines
        assertEquals(List.of("o3", "o5"), read(log, new ContainerLogs.Options(true, false, false, 2, null, null, false, true)));
        assertEquals(List.of(), read(log, all(0)));
    }

    @Test
    void givenFewerLinesThanTheTailThenEveryLineComesBack() throws IOException {
        assertEquals(List.of("1", "2", "3"), read(lines(3), all(10)));
        assertEquals(List.of("2", "3"), read(lines(3), all(2)));
    }

    @Test
    void defect8_aLineNoMonitorWroteIsSkippedNotHeldAndTheLinesAroundItStay() throws IOException {
        Path log = dir.resolve("long.log");
        List<String> lines = new ArrayList<>();
        lines.add(TIME + " stdout F before");
        lines.add(TIME + " stdout F " + "x".repeat(ContainerLogs.MAX_LINE + 10));
        lines.add(TIME + " stdout P par");
        lines.add(TIME + " stdout F tial");
        lines.add(TIME + " stdout F after");
        Files.writeString(log, String.join("\n", lines) + "\n" + TIME + " stdout F incomplete");
        assertEquals(List.of("before", "partial", "after"), read(log, all(-1)));
        assertEquals(List.of("partial", "after"), read(log, all(3)));
    }
}
