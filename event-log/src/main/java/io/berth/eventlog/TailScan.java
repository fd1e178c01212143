package io.berth.eventlog;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.NavigableSet;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesUtil;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wires;

/**
 * Looks at the end of the log for what a crash can leave there. Two kinds of damage are told apart:
 *
 * <ul>
 *   <li><b>An unfinished write.</b> Chronicle writes an excerpt's data first and its 4-byte length
 *       header last (0 until then), so a writer killed mid-append leaves a zero header followed by
 *       part of the JSON. Readers stop at the zero header; the bytes are not an entry and take no
 *       sequence number. The scan reports them and {@link #clearUnfinishedWrite() zeroes} them in place.</li>
 *   <li><b>Unreadable entries.</b> Excerpts with a complete header whose bytes are not a JSON
 *       envelope (pages lost in a power failure, a truncated or overwritten file). They count as
 *       Chronicle excerpts, so they would take sequence numbers; the log rewrites the cycle files
 *       without them (see {@link TailRewrite}).</li>
 * </ul>
 *
 * A well-formed envelope the build cannot read (newer schema, unknown type) is not damage: the scan
 * rethrows, and the log refuses to open rather than drop events a newer berth wrote.
 *
 * @param dir               the log's directory
 * @param lastGoodIndex     Chronicle's index of the last readable envelope, or -1 when there is none
 * @param lastGood          that envelope, or {@code null}
 * @param unreadableEntries complete excerpts after it that are not envelopes
 * @param unreadableBytes   their bytes
 * @param firstDamagedCycle the cycle of the first of them
 * @param lastFile          the last cycle file
 * @param unfinishedAt      where an unfinished write starts in that file
 * @param unfinishedBytes   its length, 0 when there is none
 */
record TailScan(Path dir, long lastGoodIndex, EventEnvelope lastGood, long unreadableEntries, long unreadableBytes,
                int firstDamagedCycle, File lastFile, long unfinishedAt, long unfinishedBytes) {
    /** More unreadable entries than this at the end is not a crash's damaged tail; the log refuses to drop them. */
    static final int MAX_DAMAGED_ENTRIES = 10_000;
    /** How far past the last entry to look for an unfinished write; larger than any single event. */
    private static final int UNFINISHED_WINDOW = 16 << 20;

    boolean needsRewrite() {
        return unreadableEntries > 0;
    }

    boolean hasUnfinishedWrite() {
        return unfinishedBytes > 0;
    }

    static TailScan scan(Path dir, SingleChronicleQueue queue, EventCodec codec) {
        RollCycle rollCycle = queue.rollCycle();
        long last = queue.lastIndex();
        long index = last;
        long badEntries = 0;
        long badBytes = 0;
        int firstDamagedCycle = Integer.MAX_VALUE;
        EventEnvelope good = null;
        long goodIndex = -1;
        File lastFile = null;
        long endOfLast = -1;
        try (ExcerptTailer tailer = queue.createTailer()) {
            while (index >= 0) {
                byte[] data = null;
                if (tailer.moveToIndex(index)) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (dc.isPresent() && !dc.isMetaData()) {
                            Bytes<?> bytes = dc.wire().bytes();
                            if (index == last) {
                                endOfLast = bytes.readLimit();
                                lastFile = tailer.currentFile();
                            }
                            data = bytes.toByteArray();
                        }
                    }
                }
                if (data != null) {
                    try {
                        good = codec.decode(data);
                        goodIndex = index;
                        break;
                    } catch (UnreadableEnvelopeException e) {
                        badBytes += data.length + Wires.SPB_HEADER_SIZE;
                    } catch (EventLogException e) {
                        throw new EventLogException("event log " + dir + ": " + e.getMessage(), e);
                    }
                }
                badEntries++;
                firstDamagedCycle = rollCycle.toCycle(index);
                if (badEntries > MAX_DAMAGED_ENTRIES) {
                    throw new EventLogException("event log " + dir + " has more than " + MAX_DAMAGED_ENTRIES
                            + " unreadable entries at its end; that is not a crash's damaged tail, so nothing was"
                            + " dropped: move the directory aside and start berth with a fresh one");
                }
                index = previous(queue, tailer, index);
            }
        }
        long unfinishedAt = -1;
        long unfinishedBytes = 0;
        if (lastFile != null && endOfLast >= 0) {
            long[] unfinished = findUnfinishedWrite(lastFile.toPath(), endOfLast);
            if (unfinished[0] == -2) {
                // a complete data header Chronicle does not count: junk the rewrite must leave out
                badEntries++;
                badBytes += unfinished[1];
                firstDamagedCycle = Math.min(firstDamagedCycle, rollCycle.toCycle(last));
            } else {
                unfinishedAt = unfinished[0];
                unfinishedBytes = unfinished[1];
            }
        }
        return new TailScan(dir, goodIndex, good, badEntries, badBytes, firstDamagedCycle, lastFile,
                unfinishedAt, unfinishedBytes);
    }

    /** The index before {@code index}, stepping back over cycle files with no excerpts; -1 at the start. */
    private static long previous(SingleChronicleQueue queue, ExcerptTailer tailer, long index) {
        RollCycle rollCycle = queue.rollCycle();
        if (rollCycle.toSequenceNumber(index) > 0) {
            return index - 1;
        }
        int cycle = rollCycle.toCycle(index);
        int first = queue.firstCycle();
        if (cycle <= first) {
            return -1;
        }
        NavigableSet<Long> earlier = queue.listCyclesBetween(first, cycle - 1);
        for (Long c : earlier.descendingSet()) {
            long count = tailer.excerptsInCycle(c.intValue());
            if (count > 0) {
                return rollCycle.toIndex(c.intValue(), count - 1);
            }
        }
        return -1;
    }

    /**
     * Looks past the end of the last excerpt, skipping Chronicle's own metadata excerpts (its index
     * arrays). Returns {position, bytes} of an unfinished write, {-1, 0} when the file is clean there,
     * or {-2, bytes} when a complete data excerpt sits where Chronicle thinks the log ends.
     */
    private static long[] findUnfinishedWrite(Path file, long end) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = end;
            for (int hops = 0; hops < 1024; hops++) {
                pos += BytesUtil.padOffset(pos);
                if (pos + Wires.SPB_HEADER_SIZE > size) {
                    return new long[] {-1, 0};
                }
                int header = readInt(ch, pos);
                if (header == Wires.END_OF_DATA) {
                    return new long[] {-1, 0};
                }
                int length = header & Wires.LENGTH_MASK;
                if (header == Wires.NOT_INITIALIZED || Wires.isNotComplete(header)) {
                    long junk = nonZeroRun(ch, pos + Wires.SPB_HEADER_SIZE, size);
                    return junk == 0 && header == Wires.NOT_INITIALIZED
                            ? new long[] {-1, 0}
                            : new long[] {pos, Wires.SPB_HEADER_SIZE + junk};
                }
                if ((header & Wires.META_DATA) == 0) {
                    return new long[] {-2, Wires.SPB_HEADER_SIZE + (long) length};
                }
                pos += Wires.SPB_HEADER_SIZE + length;
            }
            return new long[] {-1, 0};
        } catch (IOException e) {
            throw new EventLogException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Bytes of JSON left by an unfinished write: JSON text never holds a NUL, so it ends at the first zero byte. */
    private static long nonZeroRun(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        long run = 0;
        long pos = from;
        while (pos < size && run < UNFINISHED_WINDOW) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == 0) {
                    return run;
                }
                run++;
            }
            pos += n;
        }
        return run;
    }

    private static int readInt(FileChannel ch, long pos) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                return 0;
            }
        }
        return buf.getInt(0);
    }

    /** Zeroes what an unfinished write left behind, so the next write starts on clean bytes. */
    void clearUnfinishedWrite() {
        try (FileChannel ch = FileChannel.open(lastFile.toPath(), StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(unfinishedBytes, 1 << 20));
            long pos = unfinishedAt;
            long remaining = unfinishedBytes;
            while (remaining > 0) {
                zeros.clear().limit((int) Math.min(remaining, zeros.capacity()));
                int n = ch.write(zeros, pos);
                pos += n;
                remaining -= n;
            }
            ch.force(false);
        } catch (IOException e) {
            throw new EventLogException("cannot clear the unfinished write at the end of " + lastFile + ": " + e.getMessage(), e);
        }
    }

    /** One line for the open report; {@code repaired} says whether the damage was removed or only found. */
    String describe(long keptUpTo, boolean repaired) {
        StringBuilder s = new StringBuilder();
        String verb = repaired ? "dropped " : "found ";
        if (hasUnfinishedWrite()) {
            s.append(verb).append("an unfinished write (").append(unfinishedBytes).append(" bytes) after event ").append(keptUpTo)
                    .append(" at the end of ").append(lastFile.getName()).append(": the writer was stopped mid-append");
        }
        if (needsRewrite()) {
            if (!s.isEmpty()) {
                s.append("; ");
            }
            s.append(verb).append(unreadableEntries).append(unreadableEntries == 1 ? " unreadable entry (" : " unreadable entries (")
                    .append(unreadableBytes).append(" bytes) after event ").append(keptUpTo)
                    .append(repaired ? "; the damaged cycle files were kept in " + dir.resolve(TailRewrite.DAMAGED_DIR)
                            : "; readers stop before them");
        }
        return s.toString();
    }
}
