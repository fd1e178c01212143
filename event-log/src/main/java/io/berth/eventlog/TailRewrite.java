package io.berth.eventlog;

import io.berth.spi.fs.Sys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Removes unreadable entries from the end of the log by rewriting the affected cycle files with
 * Chronicle's own writer, so the result is a file Chronicle made and trusts (header, index arrays,
 * end-of-file markers) rather than one patched byte by byte.
 *
 * <p>The cycle holding the last readable event is copied, excerpt by excerpt, up to that event into
 * a scratch queue whose clock is pinned to that cycle; later cycle files are recreated empty (a
 * metadata excerpt only, which takes no index). The originals are moved to {@code damaged/} next to
 * the log, with the time of the repair in their names, and the new files take their place. Only the
 * files from the damaged cycle on are touched: with daily cycles, at most about a day of events is
 * copied.
 */
final class TailRewrite {
    static final String DAMAGED_DIR = "damaged";
    private static final String WORK_DIR = ".rewrite";

    /** Opens a Chronicle queue in a directory with a given clock, configured like the log's own. */
    interface QueueFactory {
        SingleChronicleQueue open(Path dir, TimeProvider clock);
    }

    private TailRewrite() {}

    /**
     * Rewrites the log in {@code dir} keeping the excerpts up to and including {@code keepThrough}
     * (-1 keeps none). The log's own queue must be closed.
     */
    static void rewrite(Path dir, QueueFactory factory, long keepThrough) {
        Path work = dir.resolve(WORK_DIR);
        try {
            deleteTree(work);
            AtomicLong pinnedMillis = new AtomicLong();
            try (SingleChronicleQueue original = factory.open(dir, System::currentTimeMillis);
                 SingleChronicleQueue scratch = factory.open(work, pinnedMillis::get);
                 ExcerptTailer tailer = original.createTailer();
                 ExcerptAppender appender = scratch.createAppender()) {
                RollCycle rollCycle = original.rollCycle();
                int keepCycle = keepThrough >= 0 ? rollCycle.toCycle(keepThrough) : Integer.MIN_VALUE;
                int from = keepThrough >= 0 ? keepCycle : original.firstCycle();
                NavigableSet<Long> cycles = original.listCyclesBetween(from, original.lastCycle());
                for (long cycle : cycles) {
                    pinnedMillis.set(cycle * rollCycle.lengthInMillis());
                    long copied = 0;
                    if (cycle == keepCycle && tailer.moveToIndex(rollCycle.toIndex(keepCycle, 0))) {
                        while (true) {
                            try (DocumentContext dc = tailer.readingDocument()) {
                                if (!dc.isPresent() || dc.index() > keepThrough) {
                                    break;
                                }
                                appender.writeBytes(Bytes.wrapForRead(dc.wire().bytes().toByteArray()));
                                copied++;
                            }
                        }
                    }
                    if (copied == 0) {
                        // creates the cycle file (and ends the previous one) without taking an index
                        try (DocumentContext dc = appender.writingDocument(true)) {
                            dc.wire().write("berthRewrite").text("entries after the last readable event were removed");
                        }
                    }
                }
            }
            Path damaged = dir.resolve(DAMAGED_DIR);
            Files.createDirectories(damaged);
            String stamp = Long.toString(System.currentTimeMillis());
            for (Path rewritten : cycleFiles(work)) {
                Path target = dir.resolve(rewritten.getFileName());
                if (Files.exists(target)) {
                    Files.move(target, damaged.resolve(rewritten.getFileName() + "." + stamp));
                }
                Files.move(rewritten, target, StandardCopyOption.ATOMIC_MOVE);
            }
            LogDirectory.forceDirectory(damaged);
            LogDirectory.forceDirectory(dir);
            deleteTree(work);
        } catch (IOException | UncheckedIOException e) {
            throw new EventLogException("cannot repair the damaged end of event log " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> cycleFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Sys sys = new Sys()) {
            sys.removeTree(root);
        }
    }
}
