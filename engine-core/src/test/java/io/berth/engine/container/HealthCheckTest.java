package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Health check configurations as Docker reads and merges them, and the verdict as the container projection folds it. */
class HealthCheckTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private JsonNode json(String text) throws Exception {
        return mapper.readTree(text);
    }

    @Test
    void givenCmdShell_thenTheProbeIsTheShellsAndUnsetValuesAreDockersDefaults() throws Exception {
        HealthCheck check = HealthCheck.of(json("{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl -f localhost || exit 1\"]}}")).orElseThrow();
        assertEquals(List.of("/bin/sh", "-c", "curl -f localhost || exit 1"), check.command());
        assertEquals(Duration.ofSeconds(30), check.interval());
        assertEquals(Duration.ofSeconds(30), check.timeout());
        assertEquals(Duration.ZERO, check.startPeriod());
        assertEquals(Duration.ofSeconds(5), check.startInterval());
        assertEquals(3, check.retries());
    }

    @Test
    void givenCmd_thenTheWordsRunAsGiven_andNoneOrNothingMeansNoCheck() throws Exception {
        HealthCheck check = HealthCheck.of(json("{\"Healthcheck\":{\"Test\":[\"CMD\",\"cat\",\"/ready\"],\"Interval\":1000000000,"
                + "\"Retries\":5,\"StartPeriod\":2000000000}}")).orElseThrow();
        assertEquals(List.of("cat", "/ready"), check.command());
        assertEquals(Duration.ofSeconds(1), check.interval());
        assertEquals(Duration.ofSeconds(2), check.startPeriod());
        assertEquals(5, check.retries());
        assertTrue(HealthCheck.of(json("{\"Healthcheck\":{\"Test\":[\"NONE\"]}}")).isEmpty());
        assertTrue(HealthCheck.of(json("{\"Healthcheck\":{\"Test\":[]}}")).isEmpty());
        assertTrue(HealthCheck.of(json("{}")).isEmpty());
        assertEquals(List.of("/bin/bash", "-eo", "pipefail", "-c", "true"), HealthCheck.of(json("{\"Shell\":[\"/bin/bash\",\"-eo\","
                + "\"pipefail\",\"-c\"],\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"]}}")).orElseThrow().command(),
                "CMD-SHELL runs in the container's SHELL");
    }

    @Test
    void givenARequestCheckOverAnImageCheck_thenTheRequestsFieldsWin_andItsZeroesTakeTheImages() throws Exception {
        JsonNode image = json("{\"Test\":[\"CMD\",\"true\"],\"Interval\":5000000000,\"Retries\":7}");
        JsonNode merged = HealthCheck.merge(image, json("{\"Interval\":1000000000}"), mapper);
        assertEquals("{\"Interval\":1000000000,\"Test\":[\"CMD\",\"true\"],\"Retries\":7}", merged.toString());
        assertEquals(json("[\"NONE\"]"), HealthCheck.merge(image, json("{\"Test\":[\"NONE\"]}"), mapper).get("Test"),
                "--no-healthcheck turns the image's check off");
        assertEquals(image, HealthCheck.merge(image, null, mapper));
    }

    @Test
    void givenDurationsBelowAMillisecondOrNegativeRetries_thenCreateRefusesWithDockersWords() throws Exception {
        assertEquals("Interval in Healthcheck cannot be less than 1ms", assertThrows(IllegalArgumentException.class,
                () -> HealthCheck.validate(json("{\"Interval\":999}"))).getMessage());
        assertEquals("Retries in Healthcheck cannot be negative", assertThrows(IllegalArgumentException.class,
                () -> HealthCheck.validate(json("{\"Retries\":-1}"))).getMessage());
        HealthCheck.validate(json("{\"Interval\":0,\"Timeout\":1000000}"));
    }

    @Test
    void givenAContainerWithACheck_whenItStartsAndTheVerdictChanges_thenTheProjectionFollows() {
        String id = "c".repeat(64);
        ContainerState state = ContainerProjection.INSTANCE.initialState();
        String config = "{\"Config\":{\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}},\"HostConfig\":{}}";
        fold(state, 1, new ContainerEvent.ContainerCreated(id, "web", "busybox", "sha256:" + "a".repeat(64), config));
        assertEquals("", state.containers.get(id).health(), "no verdict before the first start");
        fold(state, 2, new ContainerEvent.ContainerStarted(id, 42));
        assertEquals("starting", state.containers.get(id).health());
        fold(state, 3, new ContainerEvent.ContainerHealthChanged(id, "unhealthy", 3, 1, "no\n"));
        assertEquals("unhealthy", state.containers.get(id).health());
        assertEquals(3, state.containers.get(id).healthFailingStreak());
        fold(state, 4, new ContainerEvent.ContainerStarted(id, 43));
        assertEquals("starting", state.containers.get(id).health(), "each run starts over");
        assertEquals(0, state.containers.get(id).healthFailingStreak());

        String other = "d".repeat(64);
        fold(state, 5, new ContainerEvent.ContainerCreated(other, "db", "busybox", "sha256:" + "a".repeat(64),
                "{\"Config\":{\"Healthcheck\":{\"Test\":[\"NONE\"]}},\"HostConfig\":{}}"));
        fold(state, 6, new ContainerEvent.ContainerStarted(other, 44));
        assertEquals("", state.containers.get(other).health(), "HEALTHCHECK NONE: no health");
    }

    private static void fold(ContainerState state, long sequence, ContainerEvent event) {
        ContainerProjection.INSTANCE.apply(state, new EventEnvelope(sequence, Instant.parse("2026-12-05T00:00:00Z").plusSeconds(sequence),
                event.getClass().getSimpleName(), event.subject(), new Actor(0, "root", 1, "berthd"), "c", "h", 1, event));
    }

    @Test
    void givenASnapshotWrittenBeforeTheFoldKeptHealth_thenRestoringItGivesWhatTheFoldGives() throws Exception {
        String id = "d".repeat(64);
        ContainerState folded = ContainerProjection.INSTANCE.initialState();
        fold(folded, 1, new ContainerEvent.ContainerCreated(id, "w", "busybox", "sha256:" + "a".repeat(64),
                "{\"Config\":{\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}},\"HostConfig\":{\"AutoRemove\":true,"
                        + "\"RestartPolicy\":{\"MaximumRetryCount\":2,\"Name\":\"on-failure\"}}}"));
        io.berth.engine.projection.Projections projections = new io.berth.engine.projection.Projections(
                List.of(ContainerProjection.INSTANCE));
        com.fasterxml.jackson.databind.node.ObjectNode snapshot = mapper.createObjectNode().put("sequence", 1);
        com.fasterxml.jackson.databind.node.ObjectNode state = mapper.valueToTree(folded);
        // what the older fold wrote: no version, and none of what it now derives from the configuration
        state.remove("foldVersion");
        com.fasterxml.jackson.databind.node.ObjectNode record = (com.fasterxml.jackson.databind.node.ObjectNode) state.path("containers").path(id);
        record.put("healthChecked", false).put("restartPolicy", "no").put("restartRetries", 0).put("autoRemove", false);
        snapshot.putObject("projections").set("containers", state);
        projections.restore(snapshot, mapper); // a compaction snapshot may be all there is: it is brought up to date
        assertEquals(mapper.valueToTree(folded), projections.toJson(mapper).path("projections").path("containers"));
    }

    @Test
    void givenARestartPolicy_whenTheContainerExits_thenItIsRestartingUntilItStartsAgain_unlessTheUserStoppedIt() {
        String id = "e".repeat(64);
        ContainerState state = ContainerProjection.INSTANCE.initialState();
        fold(state, 1, new ContainerEvent.ContainerCreated(id, "w", "busybox", "sha256:" + "a".repeat(64),
                "{\"Config\":{},\"HostConfig\":{\"RestartPolicy\":{\"MaximumRetryCount\":1,\"Name\":\"on-failure\"}}}"));
        fold(state, 2, new ContainerEvent.ContainerStarted(id, 42));
        fold(state, 3, new ContainerEvent.ContainerExited(id, 3, 0, false, "2026-12-05T00:00:03Z", false));
        assertTrue(state.containers.get(id).restarting());
        fold(state, 4, new ContainerEvent.ContainerStarted(id, 43));
        assertFalse(state.containers.get(id).restarting());
        fold(state, 5, new ContainerEvent.ContainerExited(id, 3, 0, false, "2026-12-05T00:00:05Z", false));
        assertFalse(state.containers.get(id).restarting(), "on-failure:1 gave up after one restart");

        fold(state, 6, new ContainerEvent.ContainerUpdated(id, java.util.Map.of("RestartPolicy", "{\"Name\":\"always\"}"),
                "{\"Config\":{},\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":0}}}"));
        fold(state, 7, new ContainerEvent.ContainerStarted(id, 44));
        fold(state, 8, new ContainerEvent.ContainerKilled(id, 15));
        fold(state, 9, new ContainerEvent.ContainerExited(id, 143, 15, false, "2026-12-05T00:00:09Z", false));
        assertFalse(state.containers.get(id).restarting(), "a stop the user asked for is not followed by a restart");
        fold(state, 10, new ContainerEvent.ContainerStarted(id, 45));
        fold(state, 11, new ContainerEvent.ContainerExited(id, 0, 0, false, "2026-12-05T00:00:11Z", false));
        assertTrue(state.containers.get(id).restarting(), "always, after an update");
    }
}
