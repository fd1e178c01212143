package io.berth.engine.history;

import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.EventReader;
import java.io.IOException;
import java.util.Optional;

/**
 * Runs an {@link AuditQuery} over a log, in the daemon ({@code GET /berth/audit}) and offline on a
 * copied log alike. An object's trail is read from the start of the log whatever {@code since} says,
 * because the events that name the object (a container's creation, an image's pull) may be older than
 * the window asked for; an audit of actors only starts at {@code since}.
 */
public final class AuditLog {
    private AuditLog() {}

    /** Receives the events of a trail, in order. */
    @FunctionalInterface
    public interface Sink {
        void accept(EventEnvelope event) throws IOException;
    }

    /** Passes every event of the query's trail, up to the end of the log now, to {@code sink}; returns how many. */
    public static long run(EventLog log, AuditQuery query, Sink sink) throws IOException {
        AuditTrail trail = new AuditTrail(query);
        boolean fromStart = query.objectType() != null || query.since() == null;
        EventReader reader = fromStart ? log.readFromSequence(0)
                : query.since().isSequence() ? log.readFromSequence(query.since().sequence()) : log.readFromTime(query.since().time());
        long end = log.lastSequence();
        long count = 0;
        try (reader) {
            for (Optional<EventEnvelope> next = reader.next(); next.isPresent(); next = reader.next()) {
                EventEnvelope event = next.get();
                if (event.sequence() > end || beyond(query, event)) {
                    break;
                }
                boolean inTrail = trail.test(event); // always tested: the trail learns ids from early events
                if (inTrail && afterSince(query, event)) {
                    sink.accept(event);
                    count++;
                }
            }
        }
        return count;
    }

    private static boolean afterSince(AuditQuery query, EventEnvelope event) {
        if (query.since() == null) {
            return true;
        }
        return query.since().isSequence() ? event.sequence() > query.since().sequence() : !event.time().isBefore(query.since().time());
    }

    private static boolean beyond(AuditQuery query, EventEnvelope event) {
        if (query.until() == null) {
            return false;
        }
        return query.until().isSequence() ? event.sequence() > query.until().sequence() : event.time().isAfter(query.until().time());
    }
}
