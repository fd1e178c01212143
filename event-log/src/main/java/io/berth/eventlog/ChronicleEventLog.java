package io.berth.eventlog;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The event log on a Chronicle Queue in one directory (the daemon uses {@code <root>/events}).
 *
 * <p><b>Layout.</b> One JSON envelope ({@link EventCodec}) per Chronicle excerpt, nothing else as
 * data, daily cycle files ({@code yyyyMMdd'F'.cq4}, Chronicle's FAST_DAILY). Next to them:
 * {@code berth-log.json} (host id, format version), {@code berth-log.lock} (the single-writer lock)
 * and, after a repair, {@code damaged/}.
 *
 * <p><b>Sequence numbers</b> are the 1-based ordinal of the excerpt in the queue; {@link CycleIndex}
 * maps them to Chronicle indexes both ways without a scan.
 *
 * <p><b>Writing.</b> {@link #append} is synchronized (one writer per process; the lock file makes it
 * one per directory). It encodes the whole batch before writing anything, writes one excerpt per
 * event, then forces the cycle file to disk ({@code fdatasync}) before returning; see
 * {@code event-log/README.md}, "Durability". Readers in this process see a batch only once it is
 * durable; readers in other processes see each excerpt as soon as Chronicle completes it.
 *
 * <p><b>Opening</b> checks the end of the log for crash damage ({@link TailScan}) and repairs it
 * ({@link TailScan#clearUnfinishedWrite()}, {@link TailRewrite}) before anything is appended, so
 * dropped bytes never take a sequence number; {@link #openReport()} says what was dropped.
 */
public final class ChronicleEventLog implements EventLog {
    static {
        // Must run before any Chronicle class initialises: Chronicle reports usage over the network unless told not to.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        // Chronicle's Jvm class binds its POSIX calls through jnr-ffi when it initialises, generating native
        // stubs at run time (~0.2-0.5 s of a cold start). berth uses none of them: the log is synced with
        // FileChannel.force (event-log/README.md), times come from berth's clock, nothing is pre-touched or
        // locked in memory. Installing the no-op binding first skips that work.
        if (!"jnr".equals(System.getProperty("berth.chronicle.posix"))
                && net.openhft.posix.internal.PosixAPIHolder.POSIX_API == null) {
            net.openhft.posix.internal.PosixAPIHolder.useNoOpPosixApi();
        }
    }

    /** How often a follower re-checks the queue when no in-process append wakes it (a writer in another process). */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * How the log is opened.
     *
     * @param sync        force each batch to disk before {@link #append} returns; off only for benchmarks and tests
     * @param clock       the clock for event times and for Chronicle's choice of cycle file
     * @param lockTimeout how long Chronicle waits for its per-excerpt write lock before giving up
     */
    public record Options(boolean sync, Clock clock, Duration lockTimeout) {
        public Options {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(lockTimeout, "lockTimeout");
        }

        /** Synced appends, the system clock, a two-second lock timeout. */
        public static Options defaults() {
            return new Options(true, Clock.systemUTC(), Duration.ofSeconds(2));
        }

        public Options withSync(boolean sync) {
            return new Options(sync, clock, lockTimeout);
        }

        public Options withClock(Clock clock) {
            return new Options(sync, clock, lockTimeout);
        }
    }

    private final Path dir;
    private File narrowedFile;
    private final LogDirectory directory;
    private final Options options;
    private final EventCodec codec;
    private final SingleChronicleQueue queue;
    private final CycleIndex cycles;
    private final OpenReport openReport;
    private final boolean readOnly;
    /** In a read-only log with a damaged tail, readers stop here; otherwise Long.MAX_VALUE. */
    private final long readLimit;

    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition appended = signalLock.newCondition();
    private final Set<ChronicleEventReader> readers = ConcurrentHashMap.newKeySet();

    private ExcerptAppender appender;
    private final Bytes<?> scratch = newScratch();

    /** The encode buffer; appends are serialised by this log's lock but may come from any thread. */
    private static Bytes<?> newScratch() {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap(1024);
        bytes.singleThreadedCheckDisabled(true);
        return bytes;
    }
    private FileChannel syncChannel;
    private File syncFile;
    private long lastSequence;
    private Instant lastTime;
    /** The last sequence readers in this process may see: appended and durable. */
    private volatile long visibleSequence;
    private volatile long appendCount;
    private volatile boolean closed;
    private EventLogException failed;

    ChronicleEventLog(LogDirectory directory, Options options, EventCodec codec,
                              SingleChronicleQueue queue, OpenReport report, boolean readOnly, long readLimit,
                              long lastSequence, Instant lastTime) {
        this.dir = directory.dir();
        this.directory = directory;
        this.options = options;
        this.codec = codec;
        this.queue = queue;
        this.cycles = new CycleIndex(queue, LogArchive.firstSequence(dir));
        this.openReport = report;
        this.readOnly = readOnly;
        this.readLimit = readLimit;
        this.lastSequence = lastSequence;
        this.lastTime = lastTime;
        this.visibleSequence = readOnly ? Long.MAX_VALUE : lastSequence;
    }

    /** Makes the appender of a log opened for writing, once its tail is checked and repaired. */
    void startWriting() {
        appender = queue.createAppender();
        appender.singleThreadedCheckDisabled(true);
    }

    /** Opens (creating if needed) the log in {@code dir} for writing, with synced appends. */
    public static ChronicleEventLog open(Path dir) {
        return open(dir, Options.defaults(), Upcasters.codec());
    }

    /**
     * Opens (creating if needed) the log in {@code dir} for writing: takes the writer lock, checks and
     * repairs a damaged tail, and positions the writer after the last complete event.
     *
     * @throws EventLogException with a one-line message naming {@code dir} when it is not a writable
     *                           directory, is in use by another writer, was written by a newer berth,
     *                           or cannot be read
     */
    public static ChronicleEventLog open(Path dir, Options options, EventCodec codec) {
        return LogOpener.open(dir, options, codec);
    }

    /**
     * Opens an existing log for reading only, beside a daemon that writes it or on a copy. Takes no
     * lock and repairs nothing: a damaged tail is reported in {@link #openReport()} and readers stop
     * before it. {@link #append} throws.
     */
    public static ChronicleEventLog openReadOnly(Path dir) {
        return openReadOnly(dir, Upcasters.codec());
    }

    /** {@link #openReadOnly(Path)} with the given codec (its upcasters read older events). */
    public static ChronicleEventLog openReadOnly(Path dir, EventCodec codec) {
        return LogOpener.openReadOnly(dir, codec);
    }

    @Override
    public synchronized List<EventEnvelope> append(List<PendingEvent> events) {
        if (readOnly) {
            throw new EventLogException("event log " + dir + " is open read-only");
        }
        if (closed) {
            throw new EventLogException("event log " + dir + " is closed");
        }
        if (failed != null) {
            throw new EventLogException("event log " + dir + " refuses appends after a failed write; reopen it: " + failed.getMessage(), failed);
        }
        if (events.isEmpty()) {
            return List.of();
        }
        // Encode everything first: a bad event fails the batch before any of it is written.
        List<EventEnvelope> written = new ArrayList<>(events.size());
        byte[][] encoded = new byte[events.size()][];
        long sequence = lastSequence;
        Instant time = lastTime;
        for (PendingEvent pending : events) {
            Objects.requireNonNull(pending.event(), "event");
            Instant now = options.clock().instant();
            time = now.isAfter(time) ? now : time; // never backwards, so readFromTime can binary-search
            EventEnvelope envelope = new EventEnvelope(++sequence, time, EventCodec.typeName(pending.event()),
                    pending.event().subject(), pending.actor(), pending.correlationId(), directory.hostId(),
                    EventEnvelope.CURRENT_SCHEMA_VERSION, pending.event());
            encoded[written.size()] = codec.encode(envelope);
            written.add(envelope);
        }
        requireFreeSpace(encoded);
        try {
            long first = lastSequence + 1;
            for (int i = 0; i < encoded.length; i++) {
                scratch.clear();
                scratch.write(encoded[i]);
                appender.writeBytes(scratch);
                cycles.appended(appender.lastIndexAppended(), first + i);
            }
            narrowNewCycleFile();
            if (options.sync()) {
                force();
            }
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: the JVM's word for a fault on a mapped page (the disk filled meanwhile)
            failed = new EventLogException("cannot append to event log " + dir + ": " + e.getMessage(), e);
            throw failed;
        }
        lastSequence = sequence;
        lastTime = time;
        visibleSequence = sequence;
        signalAppended();
        return List.copyOf(written);
    }

    /**
     * Makes a cycle file 0600 the first time an append writes to it. Chronicle creates the file (at
     * the first append of a day) with the process's umask, 0644 as a rule; a Chronicle
     * {@code StoreFileListener} is not told of a new file by the appender (measured: the second day's
     * file stayed 0644), and changing the umask is process-wide (it would narrow the files containers
     * must read, such as their /etc/hosts). The directory is 0700, so the file is unreachable meanwhile.
     */
    private void narrowNewCycleFile() throws IOException {
        File current = appender.currentFile();
        if (current != null && !current.equals(narrowedFile)) {
            PrivateFiles.restrict(current.toPath());
            narrowedFile = current;
        }
    }

    /** fdatasync of the cycle file just written to; on a new cycle file, also of the old file and the directory. */
    /** Free bytes an append needs beyond its own: Chronicle's index and the next mapped pages. */
    static final long MIN_FREE_BYTES = 4L << 20;
    private long lastFree;
    private long lastFreeCheck;

    /** Refuses, before writing anything, an append the file system may not be able to back. */
    private void requireFreeSpace(byte[][] encoded) {
        long needed = MIN_FREE_BYTES;
        for (byte[] e : encoded) {
            needed += e.length;
        }
        long now = System.nanoTime();
        if (lastFree > (256L << 20) && now - lastFreeCheck < 1_000_000_000L) {
            return; // plenty a moment ago: statvfs at most once a second then
        }
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // cannot tell: the write itself will say
        }
        lastFree = free;
        lastFreeCheck = now;
        if (free < needed) {
            throw new LogFullException("no space left on device: " + (free >> 10) + " KiB free where the event log " + dir
                    + " needs " + (needed >> 10) + " KiB to append; nothing was recorded, free some space and retry");
        }
    }

    private void force() throws IOException {
        File current = appender.currentFile();
        if (!current.equals(syncFile)) {
            if (syncChannel != null) {
                syncChannel.force(false);
                syncChannel.close();
            }
            syncChannel = FileChannel.open(current.toPath(), StandardOpenOption.WRITE);
            syncFile = current;
            LogDirectory.forceDirectory(dir);
            Path metadata = dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
            if (Files.exists(metadata)) {
                try (FileChannel m = FileChannel.open(metadata, StandardOpenOption.WRITE)) {
                    m.force(false);
                }
            }
        }
        syncChannel.force(false);
    }

    private void signalAppended() {
        signalLock.lock();
        try {
            appendCount++;
            appended.signalAll();
        } finally {
            signalLock.unlock();
        }
    }

    /** A counter that changes on every append and on close, for followers to wait on. */
    long appendCount() {
        return appendCount;
    }

    /** Waits until {@link #appendCount()} moves past {@code seen}, the log closes, or the poll interval passes. */
    void awaitAppend(long seen, long maxNanos) throws InterruptedException {
        long nanos = Math.min(maxNanos, POLL_NANOS);
        signalLock.lock();
        try {
            while (appendCount == seen && !closed && nanos > 0) {
                nanos = appended.awaitNanos(nanos);
            }
        } finally {
            signalLock.unlock();
        }
    }

    long visibleSequence() {
        return Math.min(visibleSequence, readLimit);
    }

    boolean isClosed() {
        return closed;
    }

    EventCodec codec() {
        return codec;
    }

    Path dir() {
        return dir;
    }

    void forget(ChronicleEventReader reader) {
        readers.remove(reader);
    }

    @Override
    public synchronized long lastSequence() {
        if (readOnly) {
            long last = queue.lastIndex();
            return last < 0 ? 0 : Math.min(cycles.sequenceOf(last), readLimit);
        }
        return lastSequence;
    }

    @Override
    public EventReader readFromSequence(long afterSequence) {
        if (closed) {
            throw new EventLogException("event log " + dir + " is closed");
        }
        long start = Math.max(0, afterSequence);
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        // Positioning holds the writer's monitor, so an append cannot slip between "past the end" and toEnd().
        synchronized (this) {
            long index = cycles.indexOf(start + 1);
            if (index >= 0 && !tailer.moveToIndex(index)) {
                tailer.toEnd();
            }
        }
        ChronicleEventReader reader = new ChronicleEventReader(this, tailer, start);
        readers.add(reader);
        return reader;
    }

    @Override
    public EventReader readFromTime(Instant time) {
        long last = Math.min(lastSequence(), visibleSequence());
        long lo = cycles.firstSequence();
        long hi = last + 1; // first sequence whose time is >= time lies in [lo, hi]
        try (ExcerptTailer probe = queue.createTailer()) {
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                if (timeAt(probe, mid).isBefore(time)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
        }
        return readFromSequence(lo - 1);
    }

    private Instant timeAt(ExcerptTailer probe, long sequence) {
        if (!probe.moveToIndex(cycles.indexOf(sequence))) {
            throw new EventLogException("event log " + dir + ": cannot find event " + sequence);
        }
        try (DocumentContext dc = probe.readingDocument()) {
            return codec.decode(dc.wire().bytes().toByteArray()).time();
        }
    }

    @Override
    public long firstSequence() {
        return cycles.firstSequence();
    }

    /**
     * Compaction: moves the cycle files whose every event is at or before {@code sequence} into
     * {@code archive/} in the log directory (never the newest file, which the writer uses), after recording
     * the first sequence that stays in {@code berth-log-archive.json}, so sequence numbers do not change.
     * Readers in this process that are still inside a moved file must not be used afterwards.
     *
     * @return the names of the files moved, oldest first; empty when no whole file lies before {@code sequence}
     */
    public synchronized List<String> archiveThrough(long sequence) {
        if (readOnly) {
            throw new EventLogException("event log " + dir + " is open read-only");
        }
        long[] through = cycles.cyclesThrough(sequence);
        if (through.length == 0) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < through.length - 1; i++) {
            files.add(cycleFile((int) through[i]));
        }
        LogArchive.archive(dir, files, through[through.length - 1]);
        queue.refreshDirectoryListing();
        cycles.rebase(through[through.length - 1]);
        return files.stream().map(f -> f.getFileName().toString()).toList();
    }

    /** The file of a FAST_DAILY cycle: the cycle counts UTC days since 1970. */
    private Path cycleFile(int cycle) {
        return dir.resolve(java.time.LocalDate.ofEpochDay(cycle).format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE)
                + "F" + SingleChronicleQueue.SUFFIX);
    }

    @Override
    public OpenReport openReport() {
        return openReport;
    }

    @Override
    public String hostId() {
        return directory.hostId();
    }

    /** The directory the log lives in. */
    public Path directory() {
        return dir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        signalAppended();
        for (ChronicleEventReader reader : List.copyOf(readers)) {
            reader.close();
        }
        try {
            if (syncChannel != null) {
                syncChannel.close();
            }
        } catch (IOException ignored) {
            // the data was forced at each append; nothing is lost by a failed close
        }
        if (appender != null) {
            appender.close();
        }
        scratch.releaseLast();
        queue.close();
        directory.close();
    }
}
