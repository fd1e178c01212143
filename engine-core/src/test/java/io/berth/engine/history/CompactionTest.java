package io.berth.engine.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiException;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.api.TimeBound;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.projection.ProjectionRecovery;
import io.berth.engine.projection.Projections;
import io.berth.engine.history.ReplayVerifier;
import io.berth.engine.projection.SnapshotStore;
import io.berth.eventlog.Actor;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventCodec;
import io.berth.eventlog.events.DaemonEvent;
import io.berth.eventlog.events.VolumeEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction on a real log spread over three daily cycle files: the older files move to the archive,
 * sequence numbers stay, replay from the compaction snapshot equals the live state (also after the log is
 * reopened, as at a daemon restart), and time travel before the point is refused with one line.
 */
class CompactionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RequestContext ALICE = new RequestContext(new Actor(1000, "alice", 7, "test"), "c");

    @TempDir
    Path root;

    /** A clock the test moves by days; each reading is a millisecond later so event times differ. */
    private static final class DayClock extends Clock {
        Instant now = Instant.parse("2026-11-01T10:00:00Z");

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

    private static VolumeEvent.VolumeCreated volume(String name) {
        return new VolumeEvent.VolumeCreated(name, "local", "/v/" + name, Map.of(), false);
    }

    @Test
    void givenThreeDaysOfEvents_whenCompactedThroughTheSecondDay_thenOlderFilesAreArchivedAndReplayStillEqualsTheLiveState() throws Exception {
        DayClock clock = new DayClock();
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withSync(false).withClock(clock);
        SnapshotStore snapshots = new SnapshotStore(root.resolve("snapshots"), JSON);
        long secondDayLast;
        String live;
        try (ChronicleEventLog log = ChronicleEventLog.open(root.resolve("events"), options, new EventCodec())) {
            Journal journal = new Journal(log, new Projections(Daemon.projections()), snapshots, JSON, 0);
            journal.record(ALICE, List.of(volume("a"), volume("b")));
            clock.now = clock.now.plus(Duration.ofDays(1));
            journal.record(ALICE, List.of(new VolumeEvent.VolumeRemoved("a"), volume("c")));
            secondDayLast = log.lastSequence();
            clock.now = clock.now.plus(Duration.ofDays(1));
            journal.record(ALICE, List.of(volume("d")));

            TimeTravel travel = new TimeTravel(journal, snapshots, JSON);
            Compaction compaction = new Compaction(journal, snapshots, JSON, travel);
            DaemonEvent.LogCompacted done = compaction.compact(new TimeBound(null, secondDayLast), ALICE);
            assertEquals(secondDayLast, done.throughSequence());
            assertEquals(List.of("20261101F.cq4", "20261102F.cq4"), done.archivedFiles());
            assertTrue(Files.exists(root.resolve("events/archive/20261101F.cq4")));
            assertEquals(secondDayLast + 1, log.firstSequence());

            assertTrue(ReplayVerifier.verify(journal, JSON).equal(), "replay from the compaction snapshot equals the live state");
            ApiException refused = assertThrows(ApiException.class, () -> travel.at(new TimeBound(null, 2)));
            assertTrue(refused.getMessage().startsWith("history before event " + secondDayLast + " ("), refused.getMessage());
            assertTrue(refused.getMessage().endsWith(") was compacted: the state at seq:2 can no longer be shown"), refused.getMessage());
            assertEquals(List.of("b", "c"), travel.at(new TimeBound(null, secondDayLast)).projections()
                    .read(io.berth.engine.container.ContainerProjection.INSTANCE, s -> List.copyOf(s.volumes.keySet())));
            assertEquals(400, assertThrows(ApiException.class, () -> compaction.compact(new TimeBound(null, 2), ALICE)).status());
            journal.record(ALICE, volume("e"));
            live = journal.projections().toJson(JSON).toString();
        }
        // a restart with no ordinary snapshot left: recovery starts from the compaction snapshot
        try (var files = Files.list(root.resolve("snapshots"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("projections-")).toList()) {
                Files.delete(f);
            }
        }
        try (ChronicleEventLog reopened = ChronicleEventLog.open(root.resolve("events"), options, new EventCodec())) {
            Projections recovered = new Projections(Daemon.projections());
            ProjectionRecovery.Outcome outcome = ProjectionRecovery.recover(recovered, snapshots, reopened, JSON);
            assertEquals(secondDayLast, outcome.snapshotSequence());
            assertEquals(live, recovered.toJson(JSON).toString());
        }
    }

    @Test
    void givenAMirrorThatHasNotSentTheEvents_whenCompacted_thenItIsRefusedAndNothingIsArchived() throws Exception {
        DayClock clock = new DayClock();
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withSync(false).withClock(clock);
        SnapshotStore snapshots = new SnapshotStore(root.resolve("snapshots"), JSON);
        try (ChronicleEventLog log = ChronicleEventLog.open(root.resolve("events"), options, new EventCodec())) {
            Journal journal = new Journal(log, new Projections(Daemon.projections()), snapshots, JSON, 0);
            journal.record(ALICE, List.of(volume("a"), volume("b")));
            clock.now = clock.now.plus(Duration.ofDays(1));
            journal.record(ALICE, List.of(volume("c")));
            long last = log.lastSequence();
            Compaction compaction = new Compaction(journal, snapshots, JSON, new TimeTravel(journal, snapshots, JSON), () -> 1L);

            ApiException refused = assertThrows(ApiException.class, () -> compaction.compact(new TimeBound(null, last), ALICE));
            assertEquals(409, refused.status());
            assertTrue(refused.getMessage().contains("the Kafka mirror has sent only through event 1"), refused.getMessage());
            assertEquals(1, log.firstSequence());
            assertEquals(last, log.lastSequence(), "a refused compaction records nothing");
            assertTrue(Files.notExists(root.resolve("events/archive")) || isEmpty(root.resolve("events/archive")));
        }
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }
}
