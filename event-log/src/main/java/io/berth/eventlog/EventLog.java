package io.berth.eventlog;

import java.time.Instant;
import java.util.List;

/**
 * The append-only, durable log of every event. One writer (the daemon); any number of readers,
 * each with its own cursor, so a slow reader never loses an event.
 */
public interface EventLog extends AutoCloseable {

    /**
     * Appends the events in order and returns them as written. When this returns, the events are
     * durable (see event-log/README.md, "Durability"). Readers in this process see the batch only
     * once it is durable; a crash in the middle of a batch keeps the batch's complete events.
     *
     * @throws EventLogException when the log cannot be written; when an event cannot be encoded,
     *                           nothing of the batch is written
     */
    List<EventEnvelope> append(List<PendingEvent> events);

    /** Sequence number of the last event, 0 for an empty log. */
    long lastSequence();

    /** Sequence number of the first event still in the log: 1, or more after a compaction archived older events. */
    default long firstSequence() {
        return 1;
    }

    /** A reader positioned just after {@code afterSequence} (0 reads from the first event). */
    EventReader readFromSequence(long afterSequence);

    /** A reader positioned at the first event whose time is at or after {@code time}. */
    EventReader readFromTime(Instant time);

    /** What opening the log found and did: events kept, bytes dropped from a damaged tail. */
    OpenReport openReport();

    /** The host id recorded in this log's directory. */
    String hostId();

    @Override
    void close();
}
