package io.berth.eventlog;

import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.table.Metadata;
import net.openhft.chronicle.queue.impl.table.SingleTableBuilder;
import net.openhft.chronicle.queue.impl.TableStore;
import net.openhft.chronicle.threads.BusyTimedPauser;

/**
 * Opens a {@link ChronicleEventLog}: for writing, it takes the writer lock, releases Chronicle's write lock
 * left by a killed writer, finishes an archive move, scans the tail for crash damage and repairs it, checks
 * the last sequence and narrows the files' modes; for reading, it scans and reports only. Reached through
 * {@link ChronicleEventLog#open} and {@link ChronicleEventLog#openReadOnly}, whose class sets Chronicle's
 * properties before any Chronicle class initialises.
 */
final class LogOpener {

    private LogOpener() {
    }

    /** See {@link ChronicleEventLog#open(Path, ChronicleEventLog.Options, EventCodec)}. */
    static ChronicleEventLog open(Path dir, ChronicleEventLog.Options options, EventCodec codec) {
        dir = dir.toAbsolutePath().normalize();
        LogDirectory directory = LogDirectory.openForWriting(dir);
        SingleChronicleQueue queue = null;
        try {
            LogArchive.finishPendingMoves(dir);
            long stalePid = releaseStaleWriteLock(dir);
            TailRewrite.QueueFactory factory = (d, clock) -> build(d, options, clock, false);
            TimeProvider clock = options.clock()::millis;
            queue = factory.open(dir, clock);
            TailScan scan = TailScan.scan(dir, queue, codec);
            if (scan.needsRewrite()) {
                queue.close();
                queue = null;
                TailRewrite.rewrite(dir, factory, scan.lastGoodIndex());
                queue = factory.open(dir, clock);
                TailScan again = TailScan.scan(dir, queue, codec);
                if (again.needsRewrite() || again.lastGoodIndex() != scan.lastGoodIndex()) {
                    throw new EventLogException("event log " + dir + " could not be repaired: its end is still unreadable");
                }
            } else if (scan.hasUnfinishedWrite()) {
                scan.clearUnfinishedWrite();
            }
            long kept = checkSequence(dir, queue, scan);
            // Chronicle creates its files with the process's umask (0644 as a rule): narrow what is there now,
            // including a log written by an older berth; a later cycle file is narrowed by the append that creates it
            PrivateFiles.restrictTree(dir);
            String detail = scan.describe(kept, true);
            if (stalePid != 0 && detail.isEmpty()) {
                detail = "the previous writer (pid " + stalePid + ") stopped without closing the log; nothing was lost";
            }
            OpenReport report = new OpenReport(kept, scan.unreadableEntries() + (scan.hasUnfinishedWrite() ? 1 : 0),
                    scan.unreadableBytes() + scan.unfinishedBytes(), detail);
            Instant lastTime = scan.lastGood() == null ? Instant.EPOCH : scan.lastGood().time();
            ChronicleEventLog log = new ChronicleEventLog(directory, options, codec, queue, report, false,
                    Long.MAX_VALUE, kept, lastTime);
            log.startWriting();
            return log;
        } catch (RuntimeException e) {
            if (queue != null) {
                queue.close();
            }
            directory.close();
            throw e instanceof EventLogException ? e : new EventLogException("cannot open event log " + dir + ": " + e.getMessage(), e);
        }
    }

    /** See {@link ChronicleEventLog#openReadOnly(Path, EventCodec)}. */
    static ChronicleEventLog openReadOnly(Path dir, EventCodec codec) {
        dir = dir.toAbsolutePath().normalize();
        LogDirectory directory = LogDirectory.openForReading(dir);
        SingleChronicleQueue queue = null;
        try {
            ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults();
            queue = build(dir, options, options.clock()::millis, true);
            TailScan scan = TailScan.scan(dir, queue, codec);
            long kept = checkSequence(dir, queue, scan);
            OpenReport report = new OpenReport(kept, scan.unreadableEntries() + (scan.hasUnfinishedWrite() ? 1 : 0),
                    scan.unreadableBytes() + scan.unfinishedBytes(),
                    scan.describe(kept, false));
            return new ChronicleEventLog(directory, options, codec, queue, report, true,
                    scan.needsRewrite() ? kept : Long.MAX_VALUE, kept,
                    scan.lastGood() == null ? Instant.EPOCH : scan.lastGood().time());
        } catch (RuntimeException e) {
            if (queue != null) {
                queue.close();
            }
            throw e instanceof EventLogException ? e : new EventLogException("cannot open event log " + dir + ": " + e.getMessage(), e);
        }
    }

    private static SingleChronicleQueue build(Path dir, ChronicleEventLog.Options options, TimeProvider clock, boolean readOnly) {
        return SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(RollCycles.FAST_DAILY)
                .timeProvider(clock)
                .timeoutMS(options.lockTimeout().toMillis())
                .readOnly(readOnly)
                .build();
    }

    /**
     * Chronicle's write lock lives in {@code metadata.cq4t} and holds the pid of the writer; a writer
     * killed mid-append leaves it set, and the next append would wait for the lock timeout. Holding
     * {@code berth-log.lock} proves no other writer is alive, so a set lock is stale: release it now.
     * Returns the pid that held it, 0 when it was free.
     */
    private static long releaseStaleWriteLock(Path dir) {
        File metadata = dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE).toFile();
        if (!metadata.exists()) {
            return 0;
        }
        SingleChronicleQueueBuilder.addAliases(); // lets the table store read the queue's metadata types by name
        try (TableStore<?> store = SingleTableBuilder.binary(metadata, Metadata.NoMeta.INSTANCE).readOnly(false).build();
             TableStoreWriteLock lock = new TableStoreWriteLock(store, BusyTimedPauser::new, 0L)) {
            if (!lock.locked()) {
                return 0;
            }
            long[] holder = {0};
            lock.isLockedByCurrentProcess(value -> holder[0] = (int) value);
            lock.forceUnlock();
            return holder[0];
        }
    }

    /** The sequence of the last kept event, checked against the sequence its envelope carries. */
    private static long checkSequence(Path dir, SingleChronicleQueue queue, TailScan scan) {
        if (scan.lastGood() == null) {
            return 0;
        }
        long ordinal = new CycleIndex(queue, LogArchive.firstSequence(dir)).sequenceOf(scan.lastGoodIndex());
        if (ordinal != scan.lastGood().sequence()) {
            throw new EventLogException("event log " + dir + " is inconsistent: its last event carries sequence "
                    + scan.lastGood().sequence() + " but is entry " + ordinal + " of the log");
        }
        return ordinal;
    }
}
