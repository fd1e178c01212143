package io.berth.eventlog;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * Maps berth sequence numbers to Chronicle indexes, so that a reader can start at any sequence
 * without scanning the log.
 *
 * <p>A Chronicle index is {@code (cycle << shift) | n}, where the cycle is the roll period (a UTC day
 * here, one file each) and {@code n} counts the data excerpts in that file from 0, without gaps. berth
 * writes exactly one excerpt per event and nothing else as data, so sequence = 1 + the number of
 * excerpts in earlier cycles + {@code n}. This class keeps, for each cycle that holds excerpts, the
 * sequence of its first excerpt (a sorted pair of arrays, binary-searched both ways). It is built at
 * open from Chronicle's count of excerpts per cycle file (one look at each file's own index, which a
 * cycle that has been rolled past never changes, so those counts are cached), extended by the writer
 * as it rolls into a new cycle, and rebuilt on demand when a reader in another process meets a cycle
 * it has not seen yet.
 */
final class CycleIndex {
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final Map<Long, Long> sealedCounts = new HashMap<>();
    private int[] cycles = new int[8];
    private long[] firstSequences = new long[8];
    private int size;
    /** The sequence of the first excerpt of the first cycle file present: 1 unless older files were archived. */
    private long base;

    CycleIndex(SingleChronicleQueue queue) {
        this(queue, 1);
    }

    CycleIndex(SingleChronicleQueue queue, long base) {
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.base = base;
        rebuild();
    }

    /** After cycle files were archived: the first sequence now present, and the index re-read. */
    synchronized void rebase(long firstSequence) {
        base = firstSequence;
        sealedCounts.clear();
        rebuild();
    }

    /**
     * The cycles whose every excerpt is at or before {@code sequence}, never the last cycle (the writer's),
     * with the first sequence of the cycle after them: what archiving through {@code sequence} moves out.
     *
     * @return the cycles, and as last element the first sequence that stays (or an empty array)
     */
    synchronized long[] cyclesThrough(long sequence) {
        int n = 0;
        while (n + 1 < size && firstSequences[n + 1] - 1 <= sequence) {
            n++;
        }
        if (n == 0) {
            return new long[0];
        }
        long[] out = new long[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = cycles[i];
        }
        out[n] = firstSequences[n];
        return out;
    }

    /** The first sequence present, or the base of an empty log. */
    synchronized long firstSequence() {
        return size == 0 ? base : firstSequences[0];
    }

    /** Re-reads the cycle files present on disk. */
    synchronized void rebuild() {
        size = 0;
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE) {
            return;
        }
        NavigableSet<Long> all = queue.listCyclesBetween(first, last);
        long next = base;
        try (ExcerptTailer counter = queue.createTailer()) {
            for (long cycle : all) {
                long count = cycle == all.last()
                        ? counter.excerptsInCycle((int) cycle)
                        : sealedCounts.computeIfAbsent(cycle, c -> counter.excerptsInCycle(c.intValue()));
                if (count > 0 || cycle == all.last()) {
                    add((int) cycle, next);
                }
                next += count;
            }
        }
    }

    /** Tells the index that the writer appended {@code sequence} at Chronicle {@code index}. */
    synchronized void appended(long index, long sequence) {
        int cycle = rollCycle.toCycle(index);
        if (size == 0 || cycles[size - 1] != cycle) {
            add(cycle, sequence - rollCycle.toSequenceNumber(index));
        }
    }

    /** The Chronicle index of the excerpt holding {@code sequence}, or -1 when the log is empty. */
    synchronized long indexOf(long sequence) {
        if (size == 0) {
            rebuild();
            if (size == 0) {
                return -1;
            }
        }
        int i = lastAtOrBefore(sequence);
        if (i < 0) {
            i = 0;
        }
        return rollCycle.toIndex(cycles[i], Math.max(0, sequence - firstSequences[i]));
    }

    /** The sequence number of the excerpt at Chronicle {@code index}. */
    synchronized long sequenceOf(long index) {
        int cycle = rollCycle.toCycle(index);
        int i = Arrays.binarySearch(cycles, 0, size, cycle);
        if (i < 0) {
            rebuild();
            i = Arrays.binarySearch(cycles, 0, size, cycle);
            if (i < 0) {
                throw new EventLogException("no cycle file holds Chronicle index " + Long.toHexString(index));
            }
        }
        return firstSequences[i] + rollCycle.toSequenceNumber(index);
    }

    /** The position of the last cycle whose first sequence is at or before {@code sequence}; later cycles win ties. */
    private int lastAtOrBefore(long sequence) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (firstSequences[mid] <= sequence) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private void add(int cycle, long firstSequence) {
        if (size == cycles.length) {
            cycles = Arrays.copyOf(cycles, size * 2);
            firstSequences = Arrays.copyOf(firstSequences, size * 2);
        }
        cycles[size] = cycle;
        firstSequences[size] = firstSequence;
        size++;
    }
}
