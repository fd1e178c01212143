package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.berth.engine.container.ContainerCommand.CreateContainer;
import io.berth.engine.container.ContainerCommand.KillContainer;
import io.berth.engine.container.ContainerCommand.PauseContainer;
import io.berth.engine.container.ContainerCommand.RecordExit;
import io.berth.engine.container.ContainerCommand.RemoveContainer;
import io.berth.engine.container.ContainerCommand.RenameContainer;
import io.berth.engine.container.ContainerCommand.SignalContainer;
import io.berth.engine.container.ContainerCommand.StartContainer;
import io.berth.engine.container.ContainerCommand.StopContainer;
import io.berth.engine.container.ContainerCommand.UnpauseContainer;
import io.berth.engine.container.ContainerDecider.Decision;
import io.berth.engine.domain.DomainException;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.Event;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The container slice's rules without a daemon: given the events so far, when a command comes, then these events or this refusal. */
class ContainerDeciderTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String IMAGE = "sha256:" + "1".repeat(64);
    private long sequence;

    private ContainerState given(Event... events) {
        ContainerState state = ContainerProjection.INSTANCE.initialState();
        for (Event e : events) {
            ContainerProjection.INSTANCE.apply(state, new EventEnvelope(++sequence, Instant.ofEpochSecond(1_800_000_000L + sequence),
                    e.getClass().getSimpleName(), e.subject(), new Actor(0, "root", 1, "berthd"), "corr", "host", 1, e));
        }
        return state;
    }

    private static ContainerEvent created(String id, String name) {
        return new ContainerEvent.ContainerCreated(id, name, "busybox", IMAGE, "{}");
    }

    private static List<ContainerEvent> accepted(Decision decision) {
        return assertInstanceOf(Decision.Accepted.class, decision).events();
    }

    private static ContainerException refused(Decision decision, DomainException.Kind kind) {
        ContainerException reason = assertInstanceOf(Decision.Refused.class, decision).reason();
        assertEquals(kind, reason.kind());
        return reason;
    }

    @Test
    void givenNoContainer_whenCreated_thenContainerCreated() {
        CreateContainer create = new CreateContainer(A, "web", "busybox", IMAGE, "{}");
        assertEquals(List.of(new ContainerEvent.ContainerCreated(A, "web", "busybox", IMAGE, "{}")),
                accepted(ContainerDecider.decide(create, given())));
    }

    @Test
    void givenNameTaken_whenCreatedWithIt_thenRefusedWithDockersConflict() {
        ContainerException reason = refused(ContainerDecider.decide(new CreateContainer(B, "web", "busybox", IMAGE, "{}"),
                given(created(A, "web"))), DomainException.Kind.CONFLICT);
        assertEquals("Conflict. The container name \"/web\" is already in use by container \"" + A
                + "\". You have to remove (or rename) that container to be able to reuse that name.", reason.getMessage());
    }

    @Test
    void givenNameFreedByRename_whenCreatedWithIt_thenAccepted() {
        ContainerState state = given(created(A, "web"), new ContainerEvent.ContainerRenamed(A, "web", "old-web"));
        accepted(ContainerDecider.decide(new CreateContainer(B, "web", "busybox", IMAGE, "{}"), state));
    }

    @Test
    void givenUnknownContainer_whenAnyVerb_thenNotFound() {
        refused(ContainerDecider.decide(new StartContainer(A), given()), DomainException.Kind.NOT_FOUND);
        refused(ContainerDecider.decide(new RemoveContainer(A, true, List.of()), given()), DomainException.Kind.NOT_FOUND);
    }

    @Test
    void givenRunning_whenStarted_thenUnchanged_andGivenCreated_thenAcceptedWithoutEvents() {
        assertInstanceOf(Decision.Unchanged.class, ContainerDecider.decide(new StartContainer(A),
                given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42))));
        assertEquals(List.of(), accepted(ContainerDecider.decide(new StartContainer(A), given(created(A, "web")))),
                "ContainerStarted comes from the launch, with the pid");
    }

    @Test
    void givenRunning_whenStopped_thenKilledWithTheStopSignal_andGivenExited_thenUnchanged() {
        assertEquals(List.of(new ContainerEvent.ContainerKilled(A, 15)), accepted(ContainerDecider.decide(new StopContainer(A, 15),
                given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42)))));
        assertInstanceOf(Decision.Unchanged.class, ContainerDecider.decide(new StopContainer(A, 15), given(created(A, "web"))));
    }

    @Test
    void givenCreated_whenKilled_thenRefusedNamingTheContainerAsTyped() {
        ContainerException reason = refused(ContainerDecider.decide(new KillContainer(A, "web", 9), given(created(A, "web"))),
                DomainException.Kind.CONFLICT);
        assertEquals("Cannot kill container: web: Container " + A + " is not running", reason.getMessage());
    }

    @Test
    void givenExitedJustNow_whenDaemonSignals_thenKilledIsStillRecorded() {
        ContainerState state = given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42),
                new ContainerEvent.ContainerExited(A, 0, 0, false, "2027-01-01T00:00:00Z", false));
        assertEquals(List.of(new ContainerEvent.ContainerKilled(A, 9)), accepted(ContainerDecider.decide(new SignalContainer(A, 9), state)));
    }

    @Test
    void givenRunning_whenPausedTwice_thenSecondRefused_andUnpauseOnlyWhenPaused() {
        ContainerState running = given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42));
        assertEquals(List.of(new ContainerEvent.ContainerPaused(A)), accepted(ContainerDecider.decide(new PauseContainer(A), running)));
        refused(ContainerDecider.decide(new UnpauseContainer(A), running), DomainException.Kind.CONFLICT);
        ContainerState paused = given(created(B, "db"), new ContainerEvent.ContainerStarted(B, 43), new ContainerEvent.ContainerPaused(B));
        assertEquals("Container " + B + " is already paused",
                refused(ContainerDecider.decide(new PauseContainer(B), paused), DomainException.Kind.CONFLICT).getMessage());
        assertEquals(List.of(new ContainerEvent.ContainerUnpaused(B)), accepted(ContainerDecider.decide(new UnpauseContainer(B), paused)));
        assertEquals("Container " + A + " is not running",
                refused(ContainerDecider.decide(new PauseContainer(A), given(created(A, "web"))), DomainException.Kind.CONFLICT).getMessage());
    }

    @Test
    void givenRunning_whenRemovedWithoutForce_thenRefused_andWithForceRemovedWithItsAnonymousVolumes() {
        ContainerState running = given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42));
        assertEquals("You cannot remove a running container " + A + ". Stop the container before attempting removal or force remove",
                refused(ContainerDecider.decide(new RemoveContainer(A, false, List.of()), running), DomainException.Kind.CONFLICT).getMessage());
        assertEquals(List.of(new ContainerEvent.ContainerRemoved(A, List.of("anon1"))),
                accepted(ContainerDecider.decide(new RemoveContainer(A, true, List.of("anon1")), running)));
    }

    @Test
    void givenTwoContainers_whenRenamedToTheOthersName_thenRefused_elseRenamedFromItsOldName() {
        ContainerState state = given(created(A, "web"), created(B, "db"));
        refused(ContainerDecider.decide(new RenameContainer(A, "db"), state), DomainException.Kind.CONFLICT);
        assertEquals(List.of(new ContainerEvent.ContainerRenamed(A, "web", "api")),
                accepted(ContainerDecider.decide(new RenameContainer(A, "api"), state)));
    }

    @Test
    void givenRunning_whenExitReportedTwice_thenOneContainerExited() {
        RecordExit exit = new RecordExit(A, 137, 9, true, "2027-01-01T00:00:00Z", false);
        ContainerState running = given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42));
        List<ContainerEvent> events = accepted(ContainerDecider.decide(exit, running));
        assertEquals(List.of(new ContainerEvent.ContainerExited(A, 137, 9, true, "2027-01-01T00:00:00Z", false)), events);
        ContainerState after = given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42), events.getFirst());
        assertInstanceOf(Decision.Unchanged.class, ContainerDecider.decide(exit, after));
    }

    @Test
    void givenStopEndedIt_whenStopRecorded_thenContainerStopped_butNotWhileItRunsOrOnceRemoved() {
        ContainerState exited = given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42),
                new ContainerEvent.ContainerExited(A, 143, 15, false, "2027-01-01T00:00:00Z", false));
        assertEquals(List.of(new ContainerEvent.ContainerStopped(A)),
                accepted(ContainerDecider.decide(new ContainerCommand.RecordStopped(A), exited)));
        assertInstanceOf(Decision.Unchanged.class, ContainerDecider.decide(new ContainerCommand.RecordStopped(A),
                given(created(A, "web"), new ContainerEvent.ContainerStarted(A, 42))));
        refused(ContainerDecider.decide(new ContainerCommand.RecordStopped(A), given()), DomainException.Kind.NOT_FOUND);
    }

    @Test
    void restartPolicies_asDockers() {
        assertEquals(true, RestartDecision.restarts("always", 0, 0, 50));
        assertEquals(true, RestartDecision.restarts("unless-stopped", 0, 0, 0));
        assertEquals(false, RestartDecision.restarts("no", 0, 1, 0));
        assertEquals(false, RestartDecision.restarts("on-failure", 3, 0, 0), "a clean exit is no failure");
        assertEquals(true, RestartDecision.restarts("on-failure", 3, 1, 2));
        assertEquals(false, RestartDecision.restarts("on-failure", 3, 1, 3), "retries exhausted");
        assertEquals(true, RestartDecision.restarts("on-failure", 0, 1, 1000), "0 retries: no limit");
        assertEquals(100, RestartDecision.backoffMillis(0));
        assertEquals(60_000, RestartDecision.backoffMillis(30));
        assertEquals(false, RestartDecision.restartsAtDaemonStart("always", true, true), "stopped by the user");
        assertEquals(false, RestartDecision.restartsAtDaemonStart("always", false, false), "never started");
        assertEquals(true, RestartDecision.restartsAtDaemonStart("unless-stopped", false, true));
    }
}
