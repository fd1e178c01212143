package io.berth.engine.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.EventReader;
import java.util.List;
import java.util.Optional;

/**
 * Brings projections up to the end of the log: from the newest usable snapshot, then the tail of
 * events after it. Equal, by construction and by property test, to a full replay.
 */
public final class ProjectionRecovery {
    private static final int BATCH = 4096;

    private ProjectionRecovery() {}

    /**
     * What recovery did.
     *
     * @param snapshotSequence the sequence of the snapshot used, 0 when none
     * @param eventsReplayed   events folded after the snapshot
     */
    public record Outcome(long snapshotSequence, long eventsReplayed) {}

    /** Restores {@code projections} from the newest snapshot in {@code snapshots} and folds the tail of {@code log}. */
    public static Outcome recover(Projections projections, SnapshotStore snapshots, EventLog log, ObjectMapper mapper) {
        return recoverUpTo(projections, snapshots, log, mapper, log.lastSequence());
    }

    /**
     * Brings fresh {@code projections} to the state after event {@code end}: from the newest snapshot at
     * or below it, then the events after the snapshot up to {@code end} (time travel uses this).
     */
    public static Outcome recoverUpTo(Projections projections, SnapshotStore snapshots, EventLog log, ObjectMapper mapper, long end) {
        long from = 0;
        Optional<JsonNode> snapshot = snapshots.latestAtOrBelow(end);
        if (snapshot.isPresent()) {
            try {
                projections.restore(snapshot.get(), mapper);
                from = projections.lastSequence();
            } catch (IllegalArgumentException e) {
                // a snapshot of another shape (older projection set): replay everything instead
                projections.restore(projections.emptyCopy().toJson(mapper), mapper);
                from = 0;
            }
        }
        long replayed = foldRange(projections, log, from, end);
        return new Outcome(from, replayed);
    }

    /** Folds events {@code (after, upTo]} of the log into {@code projections}; returns how many. */
    public static long foldRange(Projections projections, EventLog log, long after, long upTo) {
        long count = 0;
        try (EventReader reader = log.readFromSequence(after)) {
            while (true) {
                List<EventEnvelope> batch = reader.nextBatch(BATCH, projections::wants);
                if (batch.isEmpty() || batch.getLast().sequence() > upTo) {
                    List<EventEnvelope> inRange = batch.stream().filter(e -> e.sequence() <= upTo).toList();
                    projections.applyAll(inRange);
                    // events skipped undecoded changed no projection; the state is at the end of the range
                    projections.advanceTo(Math.min(upTo, Math.max(reader.position(), after)));
                    return count + inRange.size();
                }
                projections.applyAll(batch);
                count += batch.size();
            }
        }
    }
}
