package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.events.EventFilter;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The build record as a pure fold, the cache index it keeps, and the small rules the executor applies. */
class BuildProjectionTest {
    private static final String BUILD = "b".repeat(64);
    private static final String D = "sha256:" + "d".repeat(64);
    private static final String K1 = "sha256:" + "1".repeat(64);
    private static final String K2 = "sha256:" + "2".repeat(64);
    private long sequence;

    private EventEnvelope envelope(Event event) {
        return new EventEnvelope(++sequence, Instant.ofEpochSecond(1_800_000_000L + sequence), event.getClass().getSimpleName(),
                event.subject(), new Actor(1000, "alice", 42, "berth-cli/1"), "corr", "host", 1, event);
    }

    private BuildState fold(List<Event> events) {
        BuildState state = BuildProjection.INSTANCE.initialState();
        sequence = 0;
        for (Event e : events) {
            BuildProjection.INSTANCE.apply(state, envelope(e));
        }
        return state;
    }

    private static List<Event> aBuild() {
        return List.of(
                new BuildEvent.BuildStarted(BUILD, D, "Dockerfile", D, Map.of("A", "1"), "", List.of("docker.io/library/x:latest"),
                        Map.of(), false, ""),
                new BuildEvent.BuildStepStarted(BUILD, 1, "0", "FROM busybox", "Dockerfile:1"),
                new BuildEvent.BuildStepCompleted(BUILD, 1, "FROM busybox", "", K1, Map.of(), Map.of(), "", "", 0, 1, "base"),
                new BuildEvent.BuildStepStarted(BUILD, 2, "0", "COPY a /a", "Dockerfile:2"),
                new BuildEvent.BuildStepCompleted(BUILD, 2, "COPY context:a /a", K1, K2, Map.of(), Map.of("context:a", D + " 644"), D, D, 120,
                        30, "no earlier build"),
                new BuildEvent.BuildCompleted(BUILD, D, List.of("docker.io/library/x:latest"), D, 50));
    }

    @Test
    void givenAStageBuiltOnAnEarlierStageThenItsFromKeepsTheCacheEntryOfTheStepWithTheLayer() {
        List<Event> events = new java.util.ArrayList<>(aBuild().subList(0, 5));
        // FROM <earlier stage> carries that stage's key, K2: the COPY's entry, with its layer, stays
        events.add(new BuildEvent.BuildStepStarted(BUILD, 3, "1", "FROM stage0", "Dockerfile:3"));
        events.add(new BuildEvent.BuildStepCompleted(BUILD, 3, "FROM stage0", "", K2, Map.of(), Map.of(), "", "", 0, 0, "base"));
        BuildState state = fold(events);
        assertEquals(2, state.cache.get(K2).step);
        assertEquals(D, state.cache.get(K2).layerDigest);
    }

    @Test
    void givenACompletedBuildThenTheRecordHoldsItsStepsActorAndTheCacheIndexItsKeys() {
        BuildState state = fold(aBuild());
        BuildState.BuildRecord record = state.builds.get(BUILD);
        assertEquals("completed", record.status);
        assertEquals("alice", record.user);
        assertEquals(42, record.pid);
        assertEquals(2, record.steps.size());
        assertEquals("built", record.steps.get(1).decision);
        assertEquals(D, record.steps.get(1).diffId);
        assertEquals(BUILD, state.cache.get(K2).buildId);
        assertEquals(2, state.cache.get(K2).step);
    }

    @Test
    void givenTheSameEventsThenTheFoldGivesEqualJson() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        assertEquals(mapper.writeValueAsString(fold(aBuild())), mapper.writeValueAsString(fold(aBuild())));
        BuildState roundTrip = mapper.readValue(mapper.writeValueAsString(fold(aBuild())), BuildState.class);
        assertEquals(mapper.writeValueAsString(fold(aBuild())), mapper.writeValueAsString(roundTrip), "a snapshot restores the same state");
    }

    @Test
    void givenAFailedStepThenTheBuildIsFailedAndTheStepKeepsItsOutputButNoCacheEntry() {
        BuildState state = fold(List.of(
                new BuildEvent.BuildStarted(BUILD, D, "Dockerfile", D, Map.of(), "", List.of(), Map.of(), true, ""),
                new BuildEvent.BuildStepStarted(BUILD, 2, "0", "RUN false", "Dockerfile:2"),
                new BuildEvent.BuildStepFailed(BUILD, 2, 1, "Dockerfile:2: The command '/bin/sh -c false' returned a non-zero code: 1",
                        List.of("oops")),
                new BuildEvent.BuildFailed(BUILD, "Dockerfile:2: …", D)));
        BuildState.BuildRecord record = state.builds.get(BUILD);
        assertEquals("failed", record.status);
        assertEquals(List.of("oops"), record.steps.getFirst().lastOutput);
        assertTrue(state.cache.isEmpty());
    }

    @Test
    void givenEventsOfAnUnknownBuildThenTheyAreIgnored() {
        BuildState state = fold(List.of(new BuildEvent.BuildStepStarted(BUILD, 1, "0", "FROM x", "Dockerfile:1")));
        assertNull(state.builds.get(BUILD));
    }

    @Test
    void buildEventsHaveDockersTypeBuildAndTheBuildFilterMatchesAPrefix() {
        EventEnvelope started = envelope(aBuild().getFirst());
        EventFilter filter = EventFilter.parse("{\"type\":[\"build\"],\"build\":[\"" + BUILD.substring(0, 12) + "\"]}", new ObjectMapper());
        assertTrue(filter.test(started));
        assertEquals("start", io.berth.engine.events.DockerEventShape.of(started).action());
    }

    @Test
    void portsDurationsAndGlobsFollowDocker() {
        assertEquals(List.of("80/tcp"), InstructionPlanner.exposedPorts("80"));
        assertEquals(List.of("7000/udp", "7001/udp"), InstructionPlanner.exposedPorts("7000-7001/UDP"));
        assertThrows(BuildException.class, () -> InstructionPlanner.exposedPorts("eighty"));
        assertEquals(90_000_000_000L, InstructionPlanner.duration("1m30s", "interval"));
        assertEquals(500_000_000L, InstructionPlanner.duration("500ms", "interval"));
        assertThrows(BuildException.class, () -> InstructionPlanner.duration("30", "interval"));
        assertTrue(BuildContext.matches("*.txt", "a.txt"));
        assertTrue(BuildContext.matches("file-[0-9]?.log", "file-12.log"));
        assertTrue(!BuildContext.matches("*.txt", "a.txt.bak"));
        assertEquals("a/b", BuildContext.cleanSource("./a/../a/b/"));
        assertThrows(BuildException.class, () -> BuildContext.cleanSource("a/../../etc/passwd"));
        assertEquals("/srv/app", BuildExecution.clean("/srv/./x/../app/"));
    }
}
