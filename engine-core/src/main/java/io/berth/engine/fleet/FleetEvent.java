package io.berth.engine.fleet;

import io.berth.eventlog.EventEnvelope;
import java.util.Comparator;

/**
 * One host's event as read from the fleet's topic.
 *
 * @param envelope the decoded envelope (its host id and sequence name it across the fleet)
 * @param bytes    the record's value: the envelope's JSON as the host's log holds it
 */
public record FleetEvent(EventEnvelope envelope, byte[] bytes) {
    /** The fleet's order: by time, then host id, then sequence (which also orders one host's events with equal times). */
    public static final Comparator<FleetEvent> ORDER = Comparator
            .comparing((FleetEvent e) -> e.envelope().time())
            .thenComparing(e -> e.envelope().hostId())
            .thenComparingLong(e -> e.envelope().sequence());
}
