package io.berth.engine.container;

import io.berth.eventlog.events.VolumeEvent;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Volumes' rules in plain code: from a completed {@link VolumeCommand} and the state the log folds to, the event
 * that records it, or a {@link VolumeException} in Docker's words. Reads the state, touches no file.
 */
final class VolumeDecider {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

    private VolumeDecider() { }

    /**
     * The event for {@code command} on {@code state}, empty when there is nothing to record (a create naming a
     * volume that exists takes it as it is). A create's directory is made before its event is recorded; a
     * removal's data is deleted before its event is recorded.
     *
     * @throws VolumeException INVALID for a bad name, NOT_FOUND for an unknown volume, CONFLICT for one in use
     */
    static Optional<VolumeEvent> decide(VolumeCommand command, ContainerState state) {
        return switch (command) {
            case VolumeCommand.CreateVolume create -> {
                checkName(create.name());
                yield state.volumes.containsKey(create.name()) ? Optional.empty()
                        : Optional.of(new VolumeEvent.VolumeCreated(create.name(), "local", create.dataPath(), create.labels(),
                        create.anonymous()));
            }
            case VolumeCommand.RemoveVolume remove -> {
                if (!state.volumes.containsKey(remove.name())) {
                    throw new VolumeException(VolumeException.Kind.NOT_FOUND, "get " + remove.name() + ": no such volume");
                }
                if (remove.usedByContainer()) {
                    // as Docker: force only spares the error for a volume that does not exist, never removes one in use
                    throw new VolumeException(VolumeException.Kind.CONFLICT, "remove " + remove.name() + ": volume is in use");
                }
                yield Optional.of(new VolumeEvent.VolumeRemoved(remove.name()));
            }
        };
    }

    /** Docker's rule for a local volume's name. */
    static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new VolumeException(VolumeException.Kind.INVALID, "create " + name + ": \"" + name
                    + "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed");
        }
    }
}
