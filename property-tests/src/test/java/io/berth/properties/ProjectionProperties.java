package io.berth.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.projection.Projections;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventCodec;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.Event;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Projections are pure folds: replay is deterministic and a snapshot plus the tail equals a full replay. */
class ProjectionProperties {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final EventCodec codec = new EventCodec();

    @Provide
    Arbitrary<List<Event>> eventSequences() {
        return EventArbitraries.events().list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<Actor>> actors() {
        return EventArbitraries.actors().list().ofMinSize(1).ofMaxSize(3);
    }

    private ObjectNode fold(List<EventEnvelope> events) {
        Projections projections = new Projections(Daemon.projections());
        projections.applyAll(events);
        return projections.toJson(JSON);
    }

    /** What a replay reads: each envelope through the log's codec. */
    private List<EventEnvelope> throughCodec(List<EventEnvelope> events) {
        return events.stream().map(e -> codec.decode(codec.encode(e))).toList();
    }

    @Property(tries = 300)
    void replayingTheSameLogTwiceGivesTheSameState(@ForAll("eventSequences") List<Event> events, @ForAll("actors") List<Actor> actors) {
        List<EventEnvelope> log = EventArbitraries.numbered(events, actors);
        assertEquals(fold(log), fold(throughCodec(log)));
    }

    @Property(tries = 300)
    void snapshotPlusTailEqualsFullReplay(@ForAll("eventSequences") List<Event> events, @ForAll("actors") List<Actor> actors,
                                          @ForAll @IntRange(min = 0, max = 60) int cut) {
        List<EventEnvelope> log = EventArbitraries.numbered(events, actors);
        int split = Math.min(cut, log.size());

        Projections head = new Projections(Daemon.projections());
        head.applyAll(log.subList(0, split));
        String snapshot = head.toJson(JSON).toString(); // as written to disk

        Projections restored = new Projections(Daemon.projections());
        try {
            restored.restore(JSON.readTree(snapshot), JSON);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        restored.applyAll(throughCodec(log.subList(split, log.size())));
        assertEquals(fold(log), restored.toJson(JSON));
    }

    @Property(tries = 300)
    @SuppressWarnings({"unchecked", "rawtypes"})
    void anEventTypeAProjectionSaysItDoesNotFoldLeavesItsStateUnchanged(@ForAll("eventSequences") List<Event> prefix,
                                                                        @ForAll("eventSequences") List<Event> more) {
        List<EventEnvelope> log = EventArbitraries.numbered(concat(prefix, more), List.of());
        for (io.berth.engine.projection.Projection projection : Daemon.projections()) {
            Object state = projection.initialState();
            for (EventEnvelope event : log) {
                String before = JSON.valueToTree(state).toString();
                projection.apply(state, event);
                if (!projection.folds(event.type())) {
                    assertEquals(before, JSON.valueToTree(state).toString(),
                            projection.name() + " says it does not fold " + event.type() + " but it changed");
                }
            }
        }
    }

    private static List<Event> concat(List<Event> a, List<Event> b) {
        List<Event> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Property(tries = 8)
    void replayingARealLogSkippingUnfoldedEventsEqualsFoldingEveryEvent(@ForAll("eventSequences") List<Event> events,
                                                                       @ForAll("actors") List<Actor> actors) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("berth-replay-property");
        try (io.berth.eventlog.EventLog log = io.berth.eventlog.ChronicleEventLog.open(dir.resolve("events"),
                io.berth.eventlog.ChronicleEventLog.Options.defaults().withSync(false), new EventCodec())) {
            List<io.berth.eventlog.PendingEvent> pending = new java.util.ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                pending.add(new io.berth.eventlog.PendingEvent(events.get(i), actors.get(i % actors.size()), "c" + i));
            }
            List<EventEnvelope> written = pending.isEmpty() ? List.of() : log.append(pending);
            Projections replayed = new Projections(Daemon.projections());
            io.berth.engine.projection.ProjectionRecovery.foldRange(replayed, log, 0, log.lastSequence());
            assertEquals(fold(written), replayed.toJson(JSON));
        } finally {
            try (var paths = java.nio.file.Files.walk(dir)) {
                for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    @Property(tries = 100)
    void eventsAlreadyCoveredByASnapshotAreNotFoldedTwice(@ForAll("eventSequences") @Size(min = 1) List<Event> events) {
        List<EventEnvelope> log = EventArbitraries.numbered(events, List.of());
        Projections projections = new Projections(Daemon.projections());
        projections.applyAll(log);
        ObjectNode once = projections.toJson(JSON);
        projections.applyAll(log);
        assertEquals(once, projections.toJson(JSON));
    }
}
