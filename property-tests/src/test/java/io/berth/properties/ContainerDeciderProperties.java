package io.berth.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.container.ContainerCommand;
import io.berth.engine.container.ContainerDecider;
import io.berth.engine.container.ContainerProjection;
import io.berth.engine.container.ContainerState;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.Event;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The container decider against any sequence of commands on a few containers and names, its accepted events
 * folded as the daemon records them: it never changes the state it judges, a name belongs to one container, and
 * a running container is never removed without force.
 */
class ContainerDeciderProperties {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> IDS = List.of("a".repeat(64), "b".repeat(64), "c".repeat(64));
    private static final List<String> NAMES = List.of("web", "db", "api");

    @Provide
    Arbitrary<List<ContainerCommand>> commandSequences() {
        Arbitrary<String> id = Arbitraries.of(IDS);
        Arbitrary<String> name = Arbitraries.of(NAMES);
        Arbitrary<ContainerCommand> command = Arbitraries.oneOf(
                Combinators.combine(id, name).as((i, n) -> new ContainerCommand.CreateContainer(i, n, "busybox", "sha256:" + "1".repeat(64), "{}")),
                id.map(ContainerCommand.StartContainer::new),
                id.map(ContainerCommand.RecordStopped::new),
                id.map(i -> new ContainerCommand.StopContainer(i, 15)),
                id.map(i -> new ContainerCommand.KillContainer(i, i, 9)),
                id.map(ContainerCommand.PauseContainer::new),
                id.map(ContainerCommand.UnpauseContainer::new),
                Combinators.combine(id, Arbitraries.of(true, false)).as((i, f) -> new ContainerCommand.RemoveContainer(i, f, List.of())),
                Combinators.combine(id, name).as(ContainerCommand.RenameContainer::new),
                Combinators.combine(id, Arbitraries.integers().between(0, 255))
                        .as((i, c) -> new ContainerCommand.RecordExit(i, c, 0, false, "2027-01-01T00:00:00Z", false)));
        return command.list().ofMaxSize(50);
    }

    @Property(tries = 500)
    void decisionsKeepTheStateSound(@ForAll("commandSequences") List<ContainerCommand> commands) throws Exception {
        ContainerState state = ContainerProjection.INSTANCE.initialState();
        long sequence = 0;
        for (ContainerCommand command : commands) {
            if (command instanceof ContainerCommand.CreateContainer create && state.containers.containsKey(create.id())) {
                continue; // ids are fresh in the daemon
            }
            String before = JSON.writeValueAsString(state);
            ContainerState.ContainerRecord judged = state.containers.get(command.id());
            ContainerDecider.Decision decision = ContainerDecider.decide(command, state);
            assertEquals(before, JSON.writeValueAsString(state), "decide reads the state, never changes it");
            if (!(decision instanceof ContainerDecider.Decision.Accepted accepted)) {
                continue;
            }
            if (command instanceof ContainerCommand.RemoveContainer remove && !remove.force()) {
                assertFalse(judged.running(), "a running container is removed only with force");
            }
            List<Event> events = new java.util.ArrayList<>(accepted.events());
            if (command instanceof ContainerCommand.StartContainer) {
                events.add(new ContainerEvent.ContainerStarted(command.id(), 4242)); // what the launch records
            }
            for (Event event : events) {
                sequence++;
                ContainerProjection.INSTANCE.apply(state, new EventEnvelope(sequence, Instant.ofEpochSecond(1_800_000_000L + sequence),
                        event.getClass().getSimpleName(), event.subject(), new Actor(0, "root", 1, "berthd"), "corr", "host", 1, event));
            }
            assertEquals(state.containers.size(), state.names.size(), "one name per container");
            for (ContainerState.ContainerRecord container : state.containers.values()) {
                assertEquals(container.id(), state.names.get(container.name()), "the name leads to its container");
                assertTrue(!container.paused() || container.running(), "only a running container is paused");
            }
        }
    }
}
