package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.engine.content.ContentStore;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15, defect 8: a build's output and a never-ending output line are bounded in memory. */
class RunOutputTailTest {
    private static final String TIME = "2026-12-04T16:00:00.000000000+00:00";

    @TempDir
    Path dir;

    private static final class Collected implements BuildOutput {
        final List<String> pieces = new ArrayList<>();

        @Override
        public void stream(String text) {
            pieces.add(text);
        }

        @Override
        public void imageId(String id) {
        }
    }

    @Test
    void defect8_aLineThatDoesNotEndIsPassedOnInBoundedPiecesAndTheRecordKeepsOnlyItsEnd() throws Exception {
        Path log = dir.resolve("run.log");
        String chunk = "x".repeat(8191);
        int chunks = 700; // a 5.7 MB line, as conmon writes it: partial records, then the final one
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(log))) {
            out.write((TIME + " stdout F before\n").getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < chunks; i++) {
                out.write((TIME + " stdout P " + chunk + "\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write((TIME + " stdout F end\n").getBytes(StandardCharsets.UTF_8));
        }
        Collected out = new Collected();
        RunOutputTail tail = new RunOutputTail(log, out, false);
        Deque<String> last = new ArrayDeque<>();
        for (int i = 0; i < 10; i++) {
            tail.drain(last);
        }
        tail.flushPartial(last);
        long longest = out.pieces.stream().mapToLong(String::length).max().orElse(0);
        assertTrue(longest <= 2 * RunOutputTail.MAX_HELD_LINE + 8192 + 16, "longest piece " + longest);
        assertEquals("before\n" + chunk.repeat(chunks) + "end\n", String.join("", out.pieces), "every byte reaches the client");
        assertEquals(2, last.size());
        assertEquals("before", last.getFirst());
        assertEquals("[…]" + "x".repeat(RunOutputTail.KEPT_LINE_END - 3) + "end", last.getLast());
    }

    @Test
    void defect8_theKeptBuildLogIsWrittenToAFileAndCutAtItsCap() throws Exception {
        ContentStore content = new ContentStore(dir.resolve("content"));
        BuildLog log = new BuildLog(dir.resolve("build/output.log"), 1000);
        for (int i = 0; i < 100; i++) {
            log.append("line " + i + " of a chatty build\n");
        }
        String kept = new String(content.read(log.store(content)), StandardCharsets.UTF_8);
        assertTrue(kept.startsWith("line 0 of a chatty build\n"), kept);
        assertTrue(kept.endsWith("\n[berth: the build's output beyond 1000 bytes was not kept]\n"), kept);
        assertTrue(kept.length() < 1100, "length " + kept.length());
    }
}
