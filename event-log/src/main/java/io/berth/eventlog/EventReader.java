package io.berth.eventlog;

import java.time.Duration;
import java.util.Optional;

/**
 * A cursor into the log. Not thread-safe: one reader per consumer. Readers never block the writer
 * and never miss events, however slow they are.
 */
public interface EventReader extends AutoCloseable {

    /** The next event, or empty when the reader is at the end of the log now. */
    Optional<EventEnvelope> next();

    /**
     * The next event, waiting up to {@code timeout} for one to be appended (follow mode).
     * Empty when the timeout passes first or the log is closed.
     */
    Optional<EventEnvelope> next(Duration timeout);

    /**
     * Up to {@code max} next events at once, empty when the reader is at the end. Replays use it:
     * an implementation may decode a batch on several cores.
     */
    default java.util.List<EventEnvelope> nextBatch(int max) {
        java.util.List<EventEnvelope> batch = new java.util.ArrayList<>();
        Optional<EventEnvelope> next;
        while (batch.size() < max && (next = next()).isPresent()) {
            batch.add(next.get());
        }
        return batch;
    }

    /**
     * Like {@link #nextBatch(int)}, but returns only events whose type {@code wanted} accepts; the
     * others are passed over without being decoded (replays skip what no projection folds).
     * {@link #position()} moves past the skipped ones too. Empty only at the end of the log.
     */
    default java.util.List<EventEnvelope> nextBatch(int max, java.util.function.Predicate<String> wanted) {
        while (true) {
            java.util.List<EventEnvelope> batch = nextBatch(max);
            if (batch.isEmpty()) {
                return batch;
            }
            java.util.List<EventEnvelope> kept = batch.stream().filter(e -> wanted.test(e.type())).toList();
            if (!kept.isEmpty()) {
                return kept;
            }
        }
    }

    /**
     * Like {@link #next(Duration)}, with the entry's bytes exactly as the log holds them (the Kafka
     * mirror sends those bytes, so every copy of an event is byte for byte the same). This default
     * re-encodes the event, which gives the same bytes for an event of the current schema; the
     * Chronicle reader returns the stored bytes themselves.
     */
    default Optional<LoggedEvent> nextLogged(Duration timeout) {
        return next(timeout).map(e -> new LoggedEvent(e, new EventCodec().encode(e)));
    }

    /** Sequence number of the last event this reader returned (or of its start position). */
    long position();

    @Override
    void close();
}
