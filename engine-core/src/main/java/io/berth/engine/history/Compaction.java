package io.berth.engine.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.TimeBound;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.projection.SnapshotStore;
import io.berth.engine.system.SystemProjection;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventReader;
import io.berth.eventlog.events.DaemonEvent;
import java.util.List;

/**
 * {@code berth system compact --before T} (off unless asked for): the state after the last event before
 * T is written as a compaction snapshot that retention never deletes, the log's cycle files holding only
 * older events are moved to its archive directory (moved, never deleted), and {@code LogCompacted}
 * records both. Afterwards replays start from the compaction snapshot, and time travel to a moment before
 * it is refused with a message saying history was compacted. Sequence numbers do not change.
 */
public final class Compaction {
    private final Journal journal;
    private final SnapshotStore snapshots;
    private final ObjectMapper mapper;
    private final TimeTravel timeTravel;

    private final java.util.function.LongSupplier mirroredThrough;

    public Compaction(Journal journal, SnapshotStore snapshots, ObjectMapper mapper, TimeTravel timeTravel) {
        this(journal, snapshots, mapper, timeTravel, () -> Long.MAX_VALUE);
    }

    /**
     * @param mirroredThrough the last sequence the Kafka mirror has had acknowledged ({@code Long.MAX_VALUE}
     *                        when the mirror is off): compaction never archives what the mirror has yet to send
     */
    public Compaction(Journal journal, SnapshotStore snapshots, ObjectMapper mapper, TimeTravel timeTravel,
                      java.util.function.LongSupplier mirroredThrough) {
        this.mirroredThrough = mirroredThrough;
        this.journal = journal;
        this.snapshots = snapshots;
        this.mapper = mapper;
        this.timeTravel = timeTravel;
    }

    /**
     * Compacts history before {@code before}.
     *
     * @throws ApiException 400 when no event lies before {@code before}, or history there is compacted already;
     *                      409 when the Kafka mirror has not yet sent the events that would be archived
     */
    public DaemonEvent.LogCompacted compact(TimeBound before, RequestContext context) {
        if (before == null) {
            throw ApiException.badRequest("compaction needs before=TIME (RFC 3339, Unix seconds, a duration or seq:N)");
        }
        synchronized (journal) { // no event is appended while the point is chosen, snapshotted and archived
            long live = journal.projections().lastSequence();
            long through = before.isSequence() ? Math.min(before.sequence(), live)
                    : TimeTravel.lastSequenceAtOrBefore(journal.log(), before.time());
            long already = journal.projections().read(SystemProjection.INSTANCE, s -> s.compactedThrough);
            if (through == 0 || through <= already) {
                throw ApiException.badRequest(through == 0 ? "nothing to compact: no event before " + describe(before)
                        : "nothing to compact: history through event " + already + " is compacted already");
            }
            long mirrored = mirroredThrough.getAsLong();
            if (mirrored < through) {
                // The mirror reads the log from its cursor: archiving cycles it has not sent would leave a gap in the topic.
                throw new ApiException(409, "cannot compact through event " + through + ": the Kafka mirror has sent only through event "
                        + mirrored + "; try again when its lag (berth info) is 0");
            }
            EventEnvelope last = eventAt(through);
            TimeTravel.View state = timeTravel.at(new TimeBound(null, through));
            ObjectNode snapshot = state.projections().toJson(mapper);
            String file = snapshots.writeCompaction(snapshot);
            List<String> archived = journal.log() instanceof ChronicleEventLog chronicle ? chronicle.archiveThrough(through) : List.of();
            String archiveDirectory = journal.log() instanceof ChronicleEventLog chronicle
                    ? chronicle.directory().resolve("archive").toString() : "";
            DaemonEvent.LogCompacted compacted = new DaemonEvent.LogCompacted(journal.log().hostId(), through,
                    last.time().toString(), file, archived, archiveDirectory);
            journal.record(context, compacted);
            return compacted;
        }
    }

    private EventEnvelope eventAt(long sequence) {
        try (EventReader reader = journal.log().readFromSequence(sequence - 1)) {
            return reader.next().orElseThrow(() -> ApiException.badRequest("event " + sequence + " is no longer in the log"));
        }
    }

    private static String describe(TimeBound bound) {
        return bound.isSequence() ? "seq:" + bound.sequence() : bound.time().toString();
    }
}
