package io.berth.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.api.TimeBound;
import io.berth.engine.history.TimeTravel;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.projection.Projections;
import io.berth.engine.projection.SnapshotStore;
import io.berth.eventlog.Actor;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventCodec;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Time travel equals a replay of the prefix: the state {@code --at} a moment, rebuilt from whatever
 * snapshot precedes it plus the events after the snapshot, is the fold of exactly the events up to that
 * moment — for a moment given as a sequence number and as a time, whatever the snapshot interval.
 */
class TimeTravelProperties {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Provide
    Arbitrary<List<Event>> eventSequences() {
        // LogCompacted is written only by a compaction, together with the snapshot it names; a generated one
        // would claim history was compacted when it was not, and time travel would rightly refuse.
        return EventArbitraries.events().filter(e -> !(e instanceof io.berth.eventlog.events.DaemonEvent.LogCompacted))
                .list().ofMinSize(1).ofMaxSize(60);
    }

    /** Each event one millisecond after the last, so every event has its own moment. */
    private static final class TickingClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public synchronized Instant instant() {
            now = now.plusMillis(1);
            return now;
        }
    }

    @Property(tries = 12)
    void theStateAtAMomentIsTheFoldOfTheEventsUpToIt(@ForAll("eventSequences") List<Event> events,
                                                     @ForAll @IntRange(min = 1, max = 7) int snapshotEvery,
                                                     @ForAll @IntRange(min = 0, max = 60) int cut) throws Exception {
        Path dir = Files.createTempDirectory("berth-time-travel-property");
        try (ChronicleEventLog log = ChronicleEventLog.open(dir.resolve("events"),
                ChronicleEventLog.Options.defaults().withSync(false).withClock(new TickingClock()), new EventCodec())) {
            SnapshotStore snapshots = new SnapshotStore(dir.resolve("snapshots"), JSON);
            Journal journal = new Journal(log, new Projections(Daemon.projections()), snapshots, JSON, snapshotEvery);
            List<EventEnvelope> written = new ArrayList<>();
            RequestContext context = new RequestContext(new Actor(1000, "alice", 7, "test"), "c");
            for (Event event : events) {
                written.addAll(journal.record(context, List.of(event)));
            }
            int at = Math.min(cut, written.size());
            Projections prefix = new Projections(Daemon.projections());
            prefix.applyAll(written.subList(0, at));
            prefix.advanceTo(at);
            String expected = prefix.toJson(JSON).toString();

            TimeTravel travel = new TimeTravel(journal, snapshots, JSON);
            assertEquals(expected, travel.at(new TimeBound(null, at)).projections().toJson(JSON).toString(), "at seq:" + at);
            Instant moment = at == 0 ? written.getFirst().time().minusNanos(1) : written.get(at - 1).time();
            assertEquals(expected, travel.at(new TimeBound(moment, -1)).projections().toJson(JSON).toString(), "at " + moment);
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
