package io.berth.engine.container;

import io.berth.engine.projection.Projection;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.VolumeEvent;

/** Folds container and volume events into {@link ContainerState}. */
public final class ContainerProjection implements Projection<ContainerState> {
    public static final ContainerProjection INSTANCE = new ContainerProjection();

    @Override
    public String name() {
        return "containers";
    }

    private static final java.util.Set<String> TYPES = java.util.Set.of("ContainerCreated", "ContainerStarted",
            "ContainerStartFailed", "ContainerKilled", "ContainerExited", "ContainerRemoved", "ContainerRenamed",
            "ContainerPaused", "ContainerUnpaused", "ContainerUpdated", "VolumeCreated", "VolumeRemoved");

    @Override
    public boolean folds(String eventType) {
        return TYPES.contains(eventType);
    }

    @Override
    public ContainerState initialState() {
        return new ContainerState();
    }

    @Override
    public Class<ContainerState> stateType() {
        return ContainerState.class;
    }

    @Override
    public void apply(ContainerState state, EventEnvelope event) {
        // formatted only for the events this projection folds: every other event passes through here too
        switch (event.payload()) {
            case ContainerEvent container -> applyContainer(state, container, event.time().toString());
            case VolumeEvent volume -> applyVolume(state, volume, event.time().toString());
            default -> { }
        }
    }

    private static void applyContainer(ContainerState state, ContainerEvent event, String time) {
        if (event instanceof ContainerEvent.ContainerCreated created) {
            ContainerState.ContainerRecord record = new ContainerState.ContainerRecord();
            record.id = created.id();
            record.name = created.name();
            record.image = created.image();
            record.imageId = created.imageId();
            record.configJson = created.configJson();
            record.created = time;
            state.containers.put(record.id, record);
            state.names.put(record.name, record.id);
            state.nameHistory.computeIfAbsent(record.name, k -> new java.util.TreeSet<>()).add(record.id);
            return;
        }
        ContainerState.ContainerRecord record = state.containers.get(event.subject());
        if (record == null) {
            return;
        }
        switch (event) {
            case ContainerEvent.ContainerCreated ignored -> { }
            case ContainerEvent.ContainerStarted started -> {
                if (!record.startedAt.startsWith("0001")) {
                    record.restartCount++;
                }
                record.status = "running";
                record.paused = false;
                record.pid = started.pid();
                record.startedAt = time;
                record.exitCode = 0;
                record.oomKilled = false;
                record.error = "";
                record.stoppedByUser = false;
            }
            case ContainerEvent.ContainerStartFailed failed -> {
                record.status = "created".equals(record.status) && record.startedAt.startsWith("0001") ? "created" : "exited";
                record.exitCode = failed.exitCode();
                record.error = failed.reason();
                record.pid = 0;
            }
            case ContainerEvent.ContainerKilled killed -> record.stoppedByUser = true;
            case ContainerEvent.ContainerExited exited -> {
                record.status = "exited";
                record.paused = false;
                record.pid = 0;
                record.exitCode = exited.exitCode();
                record.oomKilled = exited.oomKilled();
                record.finishedAt = exited.finishedAt();
            }
            case ContainerEvent.ContainerRemoved removed -> {
                state.containers.remove(record.id);
                state.names.remove(record.name, record.id);
            }
            case ContainerEvent.ContainerRenamed renamed -> {
                state.names.remove(renamed.oldName(), record.id);
                record.name = renamed.newName();
                state.names.put(renamed.newName(), record.id);
                state.nameHistory.computeIfAbsent(renamed.newName(), k -> new java.util.TreeSet<>()).add(record.id);
            }
            case ContainerEvent.ExecStarted ignored -> { }
            case ContainerEvent.ExecExited ignored -> { }
            case ContainerEvent.ContainerPaused ignored -> record.paused = true;
            case ContainerEvent.ContainerUnpaused ignored -> record.paused = false;
            case ContainerEvent.ContainerUpdated updated -> record.configJson = updated.configJson();
        }
    }

    private static void applyVolume(ContainerState state, VolumeEvent event, String time) {
        switch (event) {
            case VolumeEvent.VolumeCreated created -> {
                ContainerState.VolumeRecord volume = new ContainerState.VolumeRecord();
                volume.name = created.name();
                volume.driver = created.driver();
                volume.mountpoint = created.mountpoint();
                volume.labels.putAll(created.labels());
                volume.anonymous = created.anonymous();
                volume.createdAt = time;
                state.volumes.put(volume.name, volume);
            }
            case VolumeEvent.VolumeRemoved removed -> state.volumes.remove(removed.name());
        }
    }
}
