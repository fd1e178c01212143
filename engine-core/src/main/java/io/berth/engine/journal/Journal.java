package io.berth.engine.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.projection.Projections;
import io.berth.engine.projection.SnapshotStore;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.PendingEvent;
import io.berth.eventlog.events.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * The only way state changes: append a command's events to the log (durably), then fold them into
 * the live projections, in that order and under one lock so the projections follow the log exactly.
 * Every {@code snapshotEvery} events it writes a projection snapshot.
 */
public final class Journal {
    private final EventLog log;
    private final Projections projections;
    private final SnapshotStore snapshots;
    private final ObjectMapper mapper;
    private final long snapshotEvery;
    private long lastSnapshotSequence;

    public Journal(EventLog log, Projections projections, SnapshotStore snapshots, ObjectMapper mapper, long snapshotEvery) {
        this.log = log;
        this.projections = projections;
        this.snapshots = snapshots;
        this.mapper = mapper;
        this.snapshotEvery = snapshotEvery;
        this.lastSnapshotSequence = projections.lastSequence();
    }

    /** Records {@code events} as caused by {@code context}; returns them as written, once durable. */
    public synchronized List<EventEnvelope> record(RequestContext context, List<? extends Event> events) {
        List<PendingEvent> pending = new ArrayList<>(events.size());
        for (Event event : events) {
            pending.add(new PendingEvent(event, context.actor(), context.correlationId()));
        }
        List<EventEnvelope> written = log.append(pending);
        projections.applyAll(written);
        long last = projections.lastSequence();
        if (snapshotEvery > 0 && last - lastSnapshotSequence >= snapshotEvery) {
            snapshot();
        }
        return written;
    }

    /** Records a single event. */
    public EventEnvelope record(RequestContext context, Event event) {
        return record(context, List.of(event)).getFirst();
    }

    /** Writes a snapshot of the live projections now (also done at a graceful stop). */
    public synchronized void snapshot() {
        snapshots.write(projections.toJson(mapper));
        lastSnapshotSequence = projections.lastSequence();
    }

    public Projections projections() {
        return projections;
    }

    public EventLog log() {
        return log;
    }

    /** Where the projection snapshots are kept (replays after a compaction start from one). */
    public SnapshotStore snapshots() {
        return snapshots;
    }
}
