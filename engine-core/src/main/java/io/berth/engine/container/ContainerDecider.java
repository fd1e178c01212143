package io.berth.engine.container;

import io.berth.engine.container.ContainerCommand.CreateContainer;
import io.berth.engine.container.ContainerCommand.KillContainer;
import io.berth.engine.container.ContainerCommand.PauseContainer;
import io.berth.engine.container.ContainerCommand.RecordExit;
import io.berth.engine.container.ContainerCommand.RecordStopped;
import io.berth.engine.container.ContainerCommand.RemoveContainer;
import io.berth.engine.container.ContainerCommand.RenameContainer;
import io.berth.engine.container.ContainerCommand.SignalContainer;
import io.berth.engine.container.ContainerCommand.StartContainer;
import io.berth.engine.container.ContainerCommand.StopContainer;
import io.berth.engine.container.ContainerCommand.UnpauseContainer;
import io.berth.eventlog.events.ContainerEvent;
import java.util.List;

/**
 * The container slice's rules as one pure function: {@code decide(command, state)} gives the events a command
 * causes, that nothing is to be done, or a refusal in Docker's words, from the log's state alone. It reads no
 * runtime, storage or clock and records nothing; the services perform the side effects around it (the runtime's
 * kill, the start's launch) and record what it decided.
 */
public final class ContainerDecider {
    private ContainerDecider() {}

    /** The verdict on a command. */
    public sealed interface Decision {
        /** The command is accepted; {@code events} are to be recorded (none when its events come from the side effect). */
        record Accepted(List<ContainerEvent> events) implements Decision {}

        /** Nothing is to be done: the container is already as asked (e.g. starting a running one, Docker's 304). */
        record Unchanged() implements Decision {}

        /** The command is refused; nothing is recorded. */
        record Refused(ContainerException reason) implements Decision {}

        /** The events, or the refusal thrown; an unchanged decision has no events. */
        default List<ContainerEvent> eventsOrThrow() {
            return switch (this) {
                case Accepted accepted -> accepted.events();
                case Unchanged unchanged -> List.of();
                case Refused refused -> throw refused.reason();
            };
        }
    }

    /** Judges {@code command} against {@code state} (the container projection's state). */
    public static Decision decide(ContainerCommand command, ContainerState state) {
        if (command instanceof CreateContainer create) {
            return nameTaken(state, create.name(), create.id()) != null
                    ? new Decision.Refused(nameInUse(create.name(), nameTaken(state, create.name(), create.id())))
                    : accept(new ContainerEvent.ContainerCreated(create.id(), create.name(), create.image(), create.imageId(),
                            create.configJson()));
        }
        ContainerState.ContainerRecord container = state.containers.get(command.id());
        if (container == null) {
            return new Decision.Refused(ContainerException.notFound("No such container: " + command.id()));
        }
        return switch (command) {
            case CreateContainer ignored -> throw new IllegalStateException("decided above");
            case StartContainer start -> container.running() ? new Decision.Unchanged() : new Decision.Accepted(List.of());
            case StopContainer stop -> container.running()
                    ? accept(new ContainerEvent.ContainerKilled(container.id(), stop.signal())) : new Decision.Unchanged();
            case KillContainer kill -> container.running()
                    ? accept(new ContainerEvent.ContainerKilled(container.id(), kill.signal()))
                    : refuse(ContainerException.conflict("Cannot kill container: " + kill.asTyped() + ": Container "
                            + container.id() + " is not running"));
            case SignalContainer signal -> accept(new ContainerEvent.ContainerKilled(container.id(), signal.signal()));
            case PauseContainer pause -> {
                if (!container.running()) {
                    yield refuse(ContainerException.conflict("Container " + container.id() + " is not running"));
                }
                yield container.paused() ? refuse(ContainerException.conflict("Container " + container.id() + " is already paused"))
                        : accept(new ContainerEvent.ContainerPaused(container.id()));
            }
            case UnpauseContainer unpause -> container.paused() && container.running()
                    ? accept(new ContainerEvent.ContainerUnpaused(container.id()))
                    : refuse(ContainerException.conflict("Container " + container.id() + " is not paused"));
            case RemoveContainer remove -> container.running() && !remove.force()
                    ? refuse(ContainerException.conflict("You cannot remove a running container " + container.id()
                            + ". Stop the container before attempting removal or force remove"))
                    : accept(new ContainerEvent.ContainerRemoved(container.id(), List.copyOf(remove.anonymousVolumes())));
            case RenameContainer rename -> {
                String holder = nameTaken(state, rename.newName(), null);
                yield holder != null ? refuse(nameInUse(rename.newName(), holder))
                        : accept(new ContainerEvent.ContainerRenamed(container.id(), container.name(), rename.newName()));
            }
            case RecordExit exit -> container.running()
                    ? accept(new ContainerEvent.ContainerExited(container.id(), exit.code(), exit.signal(), exit.oomKilled(),
                            exit.finishedAt(), exit.whileDown()))
                    : new Decision.Unchanged();
            case RecordStopped stopped -> container.running()
                    ? new Decision.Unchanged() : accept(new ContainerEvent.ContainerStopped(container.id()));
        };
    }

    /** The id of the container named {@code name}, other than {@code except}, or null when the name is free. */
    private static String nameTaken(ContainerState state, String name, String except) {
        String holder = state.names.get(name);
        return holder == null || holder.equals(except) ? null : holder;
    }

    /** Docker's words for a name in use. */
    static ContainerException nameInUse(String name, String holderId) {
        return ContainerException.conflict("Conflict. The container name \"/" + name + "\" is already in use by container \""
                + holderId + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }

    private static Decision accept(ContainerEvent event) {
        return new Decision.Accepted(List.of(event));
    }

    private static Decision refuse(ContainerException reason) {
        return new Decision.Refused(reason);
    }
}
