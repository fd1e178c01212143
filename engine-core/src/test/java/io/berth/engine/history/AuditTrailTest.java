package io.berth.engine.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.engine.api.ApiException;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.NoteEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditTrailTest {
    private static final Actor ALICE = new Actor(1000, "alice", 10, "berth-cli/0.1.0");
    private static final Actor BOB = new Actor(1001, "bob", 11, "curl/8");
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String IMAGE = "sha256:" + "c".repeat(64);

    private static List<EventEnvelope> log(Object... eventsAndActors) {
        List<EventEnvelope> log = new ArrayList<>();
        for (int i = 0; i < eventsAndActors.length; i += 2) {
            Event e = (Event) eventsAndActors[i];
            log.add(new EventEnvelope(log.size() + 1, Instant.EPOCH.plusSeconds(log.size()), e.getClass().getSimpleName(), e.subject(),
                    (Actor) eventsAndActors[i + 1], "corr-" + log.size(), "host", EventEnvelope.CURRENT_SCHEMA_VERSION, e));
        }
        return log;
    }

    private static ImageDescription image() {
        return new ImageDescription(IMAGE, "sha256:" + "d".repeat(64), "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.config.v1+json", List.of(), "linux", "amd64", "", "2026-01-01T00:00:00Z", 10);
    }

    private static List<Long> trail(AuditQuery query, List<EventEnvelope> log) {
        AuditTrail trail = new AuditTrail(query);
        return log.stream().filter(trail).map(EventEnvelope::sequence).toList();
    }

    @Test
    void givenANameThatTwoContainersHadInTurn_whenAudited_thenBothWholeLivesMatch_andRenamesCarryTheIdAlong() {
        List<EventEnvelope> log = log(
                new ContainerEvent.ContainerCreated(A, "web", "busybox", IMAGE, "{}"), ALICE,
                new ContainerEvent.ContainerStarted(A, 42), ALICE,
                new ContainerEvent.ContainerRenamed(A, "web", "old-web"), BOB,
                new ContainerEvent.ContainerExited(A, 0, 0, false, "2026-01-01T00:00:00Z", false), ALICE,
                new ContainerEvent.ContainerCreated(B, "db", "busybox", IMAGE, "{}"), ALICE,
                new ContainerEvent.ContainerRenamed(B, "db", "web"), BOB,
                new NoteEvent.NoteRecorded("host", "web"), ALICE,
                new ContainerEvent.ContainerRemoved(B, List.of()), BOB);
        assertEquals(List.of(1L, 2L, 3L, 4L, 6L, 8L), trail(new AuditQuery("container", "web", List.of(), null, null), log));
        assertEquals(List.of(3L, 6L, 8L), trail(new AuditQuery("container", "web", List.of("bob"), null, null), log));
        assertEquals(List.of(5L, 6L, 8L), trail(new AuditQuery("container", B.substring(0, 12), List.of(), null, null), log));
        assertEquals(List.of(1L, 2L, 4L, 5L, 7L), trail(new AuditQuery(null, null, List.of("1000"), null, null), log));
    }

    @Test
    void givenAnImagePulledByName_whenAudited_thenItsLaterEventsByIdMatchToo() {
        List<EventEnvelope> log = log(
                new ImageEvent.PullStarted("docker.io/library/busybox:1", "linux/amd64"), ALICE,
                new ImageEvent.ImagePulled("docker.io/library/busybox:1", "docker.io/library/busybox@sha256:" + "d".repeat(64), image(), false), ALICE,
                new ImageEvent.ImageTagged(IMAGE, "docker.io/library/mine:2"), BOB,
                new ImageEvent.ImageUntagged(IMAGE, "docker.io/library/busybox:1"), BOB,
                new ImageEvent.ImageRemoved(IMAGE), BOB);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), trail(new AuditQuery("image", "busybox:1", List.of(), null, null), log));
        assertEquals(List.of(3L, 4L, 5L), trail(new AuditQuery("image", "mine:2", List.of(), null, null), log));
    }

    @Test
    void badQueriesAreRefusedWithOneLine() {
        assertEquals("invalid audit object type 'network': expected container, image, volume, build, plugin or daemon",
                assertThrows(ApiException.class, () -> new AuditQuery("network", "x", List.of(), null, null)).getMessage());
        assertEquals("audit of a container needs its name or id",
                assertThrows(ApiException.class, () -> new AuditQuery("container", " ", List.of(), null, null)).getMessage());
    }

    @Test
    void everyEntryReadsAsOneLineWithWhoAndWhat() {
        EventEnvelope created = log(new ContainerEvent.ContainerCreated(A, "web", "busybox", IMAGE, "{}"), ALICE).getFirst();
        String line = AuditEntry.line(AuditEntry.toJson(created, new com.fasterxml.jackson.databind.ObjectMapper()));
        assertEquals("1970-01-01T00:00:00Z  alice(1000) pid=10 berth-cli/0.1.0  container aaaaaaaaaaaa  created container web from busybox  correlation=corr-0", line);
    }

    @Test
    void givenABuildTaggedDemo_whenAuditedByTheImageName_thenTheWholeBuildMatchesAndEachStepSaysWhatHappened() {
        String other = "e".repeat(64);
        List<EventEnvelope> log = log(
                new BuildEvent.BuildStarted(A, "sha256:" + "1".repeat(64), "Dockerfile", "sha256:" + "2".repeat(64), java.util.Map.of(),
                        "", List.of("docker.io/library/demo:latest"), java.util.Map.of(), false, ""), ALICE,
                new BuildEvent.BuildStarted(other, "sha256:" + "1".repeat(64), "Dockerfile", "sha256:" + "2".repeat(64), java.util.Map.of(),
                        "", List.of("docker.io/library/other:latest"), java.util.Map.of(), false, ""), BOB,
                new BuildEvent.BuildStepStarted(A, 1, "0", "COPY app/ ./", "Dockerfile:3"), ALICE,
                new BuildEvent.BuildStepCached(A, 1, "sha256:" + "3".repeat(64), B, 1, "", "same parent and instruction as build bbbbbbbbbbbb step 1"), ALICE,
                new BuildEvent.BuildStepStarted(other, 1, "0", "RUN false", "Dockerfile:2"), BOB,
                new BuildEvent.BuildStepFailed(other, 1, 1, "The command '/bin/sh -c false' returned a non-zero code: 1", List.of()), BOB,
                new BuildEvent.BuildCompleted(A, IMAGE, List.of("docker.io/library/demo:latest"), "", 12), ALICE);
        assertEquals(List.of(1L, 3L, 4L, 7L), trail(new AuditQuery("build", "demo", List.of(), null, null), log));
        assertEquals(List.of(2L, 5L, 6L), trail(new AuditQuery("build", "eeeeeeee", List.of(), null, null), log));
        assertEquals("step 1 cached: same parent and instruction as build bbbbbbbbbbbb step 1", AuditEntry.describe(log.get(3)));
        assertEquals("step 1 failed with exit code 1: The command '/bin/sh -c false' returned a non-zero code: 1", AuditEntry.describe(log.get(5)));
        assertEquals("build completed: image cccccccccccc tagged docker.io/library/demo:latest in 12 ms", AuditEntry.describe(log.get(6)));
    }
}
