package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fold of pause, unpause and update: what inspect, the restart policy and the next start read. */
class ContainerProjectionTest {
    private static final String C = "c".repeat(64);
    private long sequence;

    private ContainerState fold(List<Event> events) {
        ContainerState state = ContainerProjection.INSTANCE.initialState();
        for (Event e : events) {
            assertTrue(ContainerProjection.INSTANCE.folds(e.getClass().getSimpleName()), e.getClass().getSimpleName());
            ContainerProjection.INSTANCE.apply(state, new EventEnvelope(++sequence, Instant.ofEpochSecond(1_800_000_000L + sequence),
                    e.getClass().getSimpleName(), e.subject(), new Actor(0, "root", 1, "berthd"), "corr", "host", 1, e));
        }
        return state;
    }

    @Test
    void givenPausedRunningContainer_whenFolded_thenPausedWhileRunningAndClearedByUnpauseOrExit() {
        List<Event> created = List.of(new ContainerEvent.ContainerCreated(C, "web", "busybox", "sha256:" + "a".repeat(64), "{}"),
                new ContainerEvent.ContainerStarted(C, 42), new ContainerEvent.ContainerPaused(C));
        ContainerState.ContainerRecord paused = fold(created).containers.get(C);
        assertTrue(paused.paused());
        assertEquals(ContainerStatus.RUNNING, paused.status(), "a paused container is still running, as Docker's State.Running");
        List<Event> unpaused = new java.util.ArrayList<>(created);
        unpaused.add(new ContainerEvent.ContainerUnpaused(C));
        assertFalse(fold(unpaused).containers.get(C).paused());
        List<Event> exited = new java.util.ArrayList<>(created);
        exited.add(new ContainerEvent.ContainerExited(C, 137, 9, false, "2027-01-15T08:00:00Z", false));
        ContainerState.ContainerRecord ended = fold(exited).containers.get(C);
        assertFalse(ended.paused(), "an exit ends the pause");
        assertEquals(ContainerStatus.EXITED, ended.status());
    }

    @Test
    void givenUpdate_whenFolded_thenTheRecordedConfigurationIsReplaced() {
        String updated = "{\"Config\":{},\"HostConfig\":{\"Memory\":67108864,\"RestartPolicy\":{\"Name\":\"always\"}}}";
        ContainerState state = fold(List.of(new ContainerEvent.ContainerCreated(C, "web", "busybox", "sha256:" + "a".repeat(64),
                "{\"Config\":{},\"HostConfig\":{}}"), new ContainerEvent.ContainerUpdated(C, Map.of("Memory", "67108864"), updated)));
        assertEquals(updated, state.containers.get(C).configJson());
    }

    @Test
    void givenFoldedState_whenWrittenAsSnapshotAndReadBack_thenTheSameStateWithStatusAsDockersWord() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        ContainerState state = fold(List.of(new ContainerEvent.ContainerCreated(C, "web", "busybox", "sha256:" + "a".repeat(64), "{}"),
                new ContainerEvent.ContainerStarted(C, 42), new ContainerEvent.ContainerPaused(C)));
        com.fasterxml.jackson.databind.JsonNode written = json.valueToTree(state);
        assertEquals("running", written.path("containers").path(C).path("status").asText(), "the snapshot keeps Docker's word");
        ContainerState read = json.treeToValue(written, ContainerState.class);
        assertEquals(state.containers.get(C), read.containers.get(C));
        assertEquals(written, json.valueToTree(read), "a replay compares snapshots as JSON");
    }

    @Test
    void givenSnapshotOfAnOlderFold_whenRestored_thenMissingFieldsReadAsACreatedContainersAndConfigIsReadAgain() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String old = "{\"containers\":{\"" + C + "\":{\"id\":\"" + C + "\",\"name\":\"web\",\"status\":\"exited\",\"exitCode\":3,"
                + "\"configJson\":\"{\\\"HostConfig\\\":{\\\"RestartPolicy\\\":{\\\"Name\\\":\\\"always\\\"}}}\"}},\"names\":{\"web\":\"" + C + "\"}}";
        ContainerState restored = json.readValue(old, ContainerState.class);
        assertTrue(ContainerProjection.INSTANCE.restorable(restored));
        ContainerState.ContainerRecord record = restored.containers.get(C);
        assertEquals(ContainerStatus.EXITED, record.status());
        assertEquals(3, record.exitCode());
        assertEquals(ContainerState.NEVER, record.startedAt());
        assertEquals("always", record.restartPolicy(), "the policy is read from the configuration again");
        assertEquals(ContainerProjection.FOLD_VERSION, restored.foldVersion);
    }

    @Test
    void givenRestartPolicy_whenExitFolded_thenRestartingFollowsTheRuleTheSupervisorApplies() {
        String onFailure = "{\"Config\":{},\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":1}}}";
        List<Event> started = List.of(new ContainerEvent.ContainerCreated(C, "web", "busybox", "sha256:" + "a".repeat(64), onFailure),
                new ContainerEvent.ContainerStarted(C, 42));
        List<Event> failed = new java.util.ArrayList<>(started);
        failed.add(new ContainerEvent.ContainerExited(C, 1, 0, false, "2027-01-15T08:00:00Z", false));
        assertTrue(fold(failed).containers.get(C).restarting());
        assertEquals(ContainerStatus.RESTARTING, fold(failed).containers.get(C).shownStatus());
        List<Event> succeeded = new java.util.ArrayList<>(started);
        succeeded.add(new ContainerEvent.ContainerExited(C, 0, 0, false, "2027-01-15T08:00:00Z", false));
        assertFalse(fold(succeeded).containers.get(C).restarting(), "on-failure leaves a clean exit alone");
    }
}
