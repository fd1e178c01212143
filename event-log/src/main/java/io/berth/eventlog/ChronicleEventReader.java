package io.berth.eventlog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import java.time.Duration;
import java.util.Optional;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A cursor on a {@link ChronicleEventLog}: its own Chronicle tailer, so it never holds the writer back
 * and loses nothing however far behind it falls. Follow mode waits on the log's append signal and
 * re-polls every few milliseconds, which also picks up excerpts written by another process.
 */
final class ChronicleEventReader implements EventReader {
    private final ChronicleEventLog log;
    private final ExcerptTailer tailer;
    private byte[] buffer = new byte[1024];
    private long position;
    /** Set once by {@link #close}, which the log's own close may call from another thread. */
    private final AtomicBoolean closed = new AtomicBoolean();

    ChronicleEventReader(ChronicleEventLog log, ExcerptTailer tailer, long position) {
        this.log = log;
        this.tailer = tailer;
        this.position = position;
    }

    @Override
    public Optional<EventEnvelope> next() {
        return nextEntry(false).map(LoggedEvent::envelope);
    }

    @Override
    public Optional<LoggedEvent> nextLogged(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = log.appendCount();
            Optional<LoggedEvent> next = nextEntry(true);
            long remaining = deadline - System.nanoTime();
            if (next.isPresent() || remaining <= 0 || closed.get() || log.isClosed()) {
                return next;
            }
            try {
                log.awaitAppend(seen, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    private Optional<LoggedEvent> nextEntry(boolean keepBytes) {
        while (!closed.get() && !log.isClosed() && position < log.visibleSequence()) {
            EventEnvelope envelope;
            byte[] stored = null;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return Optional.empty();
                }
                Bytes<?> bytes = dc.wire().bytes();
                int length = (int) bytes.readRemaining();
                if (buffer.length < length) {
                    buffer = new byte[Math.max(length, buffer.length * 2)];
                }
                bytes.read(buffer, 0, length);
                if (keepBytes) {
                    stored = java.util.Arrays.copyOf(buffer, length);
                }
                try {
                    envelope = log.codec().decode(buffer, 0, length);
                } catch (EventLogException e) {
                    dc.rollbackOnClose(); // stay on the entry, so a retry meets the same error rather than skipping it
                    throw new EventLogException("event log " + log.dir() + ", entry after event " + position + ": " + e.getMessage(), e);
                }
            }
            if (envelope.sequence() > position) {
                position = envelope.sequence();
                return Optional.of(new LoggedEvent(envelope, stored));
            }
            // started before the requested position (the log grew while positioning): skip
        }
        return Optional.empty();
    }

    /**
     * Reads the raw bytes of up to {@code max} entries on this thread, then decodes them in
     * parallel: decoding is most of a replay's cost, and entries decode independently.
     */
    @Override
    public List<EventEnvelope> nextBatch(int max) {
        return nextBatch(max, type -> true);
    }

    @Override
    public List<EventEnvelope> nextBatch(int max, java.util.function.Predicate<String> wanted) {
        while (true) {
            List<byte[]> raw = new ArrayList<>(Math.min(max, 8192));
            while (raw.size() < max && !closed.get() && !log.isClosed() && position + raw.size() < log.visibleSequence()) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    byte[] copy = new byte[(int) bytes.readRemaining()];
                    bytes.read(copy);
                    raw.add(copy);
                }
            }
            if (raw.isEmpty()) {
                return List.of();
            }
            long before = position;
            EventEnvelope[] decoded = new EventEnvelope[raw.size()];
            long[] skippedSequence = new long[raw.size()];
            try {
                IntStream indices = IntStream.range(0, decoded.length);
                (raw.size() < PARALLEL_THRESHOLD ? indices : indices.parallel()).forEach(i -> {
                    EventCodec.Header header = log.codec().peek(raw.get(i));
                    if (wanted.test(header.type())) {
                        decoded[i] = log.codec().decode(raw.get(i));
                    } else {
                        skippedSequence[i] = header.sequence();
                    }
                });
            } catch (EventLogException e) {
                throw new EventLogException("event log " + log.dir() + ", an entry after event " + before + ": " + e.getMessage(), e);
            }
            List<EventEnvelope> batch = new ArrayList<>(decoded.length);
            for (int i = 0; i < decoded.length; i++) {
                long sequence = decoded[i] != null ? decoded[i].sequence() : skippedSequence[i];
                if (sequence > position) {
                    position = sequence;
                    if (decoded[i] != null) {
                        batch.add(decoded[i]);
                    }
                }
            }
            if (!batch.isEmpty()) {
                return batch;
            }
        }
    }

    private static final int PARALLEL_THRESHOLD = 256;

    @Override
    public Optional<EventEnvelope> next(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = log.appendCount();
            Optional<EventEnvelope> next = next();
            long remaining = deadline - System.nanoTime();
            if (next.isPresent() || remaining <= 0 || closed.get() || log.isClosed()) {
                return next;
            }
            try {
                log.awaitAppend(seen, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            tailer.close();
            log.forget(this);
        }
    }
}
