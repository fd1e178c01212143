package io.berth.engine.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.api.TimeBound;
import io.berth.engine.journal.Journal;
import io.berth.engine.projection.ProjectionRecovery;
import io.berth.engine.projection.Projections;
import io.berth.engine.projection.SnapshotStore;
import io.berth.engine.system.SystemProjection;
import io.berth.engine.system.SystemState;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.EventReader;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Time travel: the projections as they were after a given event, for {@code ?at=} on the list and
 * inspect endpoints ({@code berth ps -a --at TIME}). A past state is rebuilt from the newest snapshot at
 * or before that point plus the events after it (the snapshot store keeps one snapshot per span of the
 * log for this), never by folding the whole log. The few most recent past states are cached, since a
 * user asking about one moment usually asks several questions about it.
 *
 * <p>A moment is a time (the state after every event at or before it) or a sequence number (the state
 * after that event). Before a compaction point ({@link Compaction}) history is gone, and asking for it is
 * an error that says so.
 */
public final class TimeTravel {
    private static final int CACHED = 4;
    /** Response header naming the sequence number a past state is at. */
    public static final String AT_SEQUENCE_HEADER = "X-Berth-At-Sequence";

    private final Journal journal;
    private final SnapshotStore snapshots;
    private final ObjectMapper mapper;
    private final Map<Long, Projections> cache = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Projections> eldest) {
            return size() > CACHED;
        }
    };

    public TimeTravel(Journal journal, SnapshotStore snapshots, ObjectMapper mapper) {
        this.journal = journal;
        this.snapshots = snapshots;
        this.mapper = mapper;
    }

    /**
     * A state and the sequence number it is at.
     *
     * @param sequence    the last event folded in
     * @param projections the state; read it, never fold into it
     * @param live        whether this is the daemon's live state (no {@code at} given, or a moment at or after the last event)
     */
    public record View(long sequence, Projections projections, boolean live) {}

    /**
     * The state the request's {@code at} parameter names, or the live state without one. A past state
     * sets the {@value #AT_SEQUENCE_HEADER} response header.
     *
     * @throws ApiException 400 for a malformed {@code at} or a moment before the compaction point
     */
    public Projections view(ApiExchange exchange) {
        View view = at(TimeBound.parse("at", exchange.query("at")));
        if (!view.live()) {
            exchange.header(AT_SEQUENCE_HEADER, Long.toString(view.sequence()));
        }
        return view.projections();
    }

    /** The state at {@code bound}; the live state for null. */
    public View at(TimeBound bound) {
        Projections live = journal.projections();
        long liveSequence = live.lastSequence();
        if (bound == null) {
            return new View(liveSequence, live, true);
        }
        long sequence = bound.isSequence() ? bound.sequence() : lastSequenceAtOrBefore(journal.log(), bound.time());
        if (sequence >= liveSequence) {
            return new View(liveSequence, live, true);
        }
        SystemState system = live.read(SystemProjection.INSTANCE, s -> s);
        if (sequence < system.compactedThrough) {
            throw ApiException.badRequest("history before event " + system.compactedThrough + " (" + system.compactedThroughTime
                    + ") was compacted: the state at " + (bound.isSequence() ? "seq:" + bound.sequence() : bound.time().toString())
                    + " can no longer be shown");
        }
        return new View(sequence, pastState(sequence), false);
    }

    private synchronized Projections pastState(long sequence) {
        Projections cached = cache.get(sequence);
        if (cached != null) {
            return cached;
        }
        Projections past = journal.projections().emptyCopy();
        ProjectionRecovery.recoverUpTo(past, snapshots, journal.log(), mapper, sequence);
        cache.put(sequence, past);
        return past;
    }

    /** The sequence of the last event whose time is at or before {@code time}, 0 when there is none. */
    public static long lastSequenceAtOrBefore(EventLog log, Instant time) {
        // the reader starts just before the first event later than time (the log's times never go backwards)
        try (EventReader reader = log.readFromTime(time.plusNanos(1))) {
            return reader.position();
        }
    }
}
