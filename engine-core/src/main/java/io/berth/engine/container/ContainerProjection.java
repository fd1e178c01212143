package io.berth.engine.container;

import io.berth.engine.projection.Projection;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.VolumeEvent;

/** Folds container and volume events into {@link ContainerState}. */
public final class ContainerProjection implements Projection<ContainerState> {
    public static final ContainerProjection INSTANCE = new ContainerProjection();
    /** 1: health checks and restart policies read from ContainerCreated (a snapshot without them is replayed). */
    static final int FOLD_VERSION = 1;

    @Override
    public String name() {
        return "containers";
    }

    private static final java.util.Set<String> TYPES = java.util.Set.of("ContainerCreated", "ContainerStarted",
            "ContainerStartFailed", "ContainerKilled", "ContainerExited", "ContainerRemoved", "ContainerRenamed",
            "ContainerPaused", "ContainerUnpaused", "ContainerUpdated", "ContainerHealthChanged", "VolumeCreated",
            "VolumeRemoved");

    @Override
    public boolean folds(String eventType) {
        return TYPES.contains(eventType);
    }

    @Override
    public ContainerState initialState() {
        ContainerState state = new ContainerState();
        state.foldVersion = FOLD_VERSION;
        return state;
    }

    /**
     * A snapshot of an older fold lacks only what the fold now derives from each container's configuration
     * (health check, restart policy, {@code --rm}), which the snapshot holds: it is brought up to date
     * rather than refused, because a compaction snapshot may be the only record of the events before it.
     */
    @Override
    public boolean restorable(ContainerState restored) {
        if (restored.foldVersion != FOLD_VERSION) {
            restored.containers.replaceAll((id, record) -> withConfig(record, record.configJson()));
            restored.foldVersion = FOLD_VERSION;
        }
        return true;
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
            ContainerState.ContainerRecord record = withConfig(ContainerState.ContainerRecord.created(created.id(), created.name(),
                    created.image(), created.imageId(), created.configJson(), time), created.configJson());
            state.containers.put(record.id(), record);
            state.names.put(record.name(), record.id());
            state.nameHistory.computeIfAbsent(record.name(), k -> new java.util.TreeSet<>()).add(record.id());
            return;
        }
        ContainerState.ContainerRecord record = state.containers.get(event.subject());
        if (record == null) {
            return;
        }
        ContainerState.ContainerRecord next = switch (event) {
            case ContainerEvent.ContainerCreated ignored -> record;
            case ContainerEvent.ContainerStarted started -> record.withStarted(started.pid(), time);
            case ContainerEvent.ContainerStartFailed failed -> record.withStartFailed(failed.exitCode(), failed.reason());
            // a stop or kill while it waits to restart ends the wait
            case ContainerEvent.ContainerKilled killed -> record.withStoppedByUser();
            case ContainerEvent.ContainerExited exited -> record.withExited(exited.exitCode(), exited.oomKilled(), exited.finishedAt(),
                    restartFollows(record, exited.exitCode()));
            case ContainerEvent.ContainerRemoved removed -> {
                state.containers.remove(record.id());
                state.names.remove(record.name(), record.id());
                yield null;
            }
            case ContainerEvent.ContainerRenamed renamed -> {
                state.names.remove(renamed.oldName(), record.id());
                state.names.put(renamed.newName(), record.id());
                state.nameHistory.computeIfAbsent(renamed.newName(), k -> new java.util.TreeSet<>()).add(record.id());
                yield record.withName(renamed.newName());
            }
            case ContainerEvent.ExecStarted ignored -> record;
            case ContainerEvent.ExecExited ignored -> record;
            case ContainerEvent.ContainerPaused ignored -> record.withPaused(true);
            case ContainerEvent.ContainerUnpaused ignored -> record.withPaused(false);
            // a new restart policy counts from here
            case ContainerEvent.ContainerUpdated updated -> withConfig(record, updated.configJson());
            case ContainerEvent.ContainerStopped ignored -> record;
            case ContainerEvent.ContainerHealthChanged changed -> record.withHealth(changed.status(), changed.failingStreak());
        };
        if (next != null && next != record) {
            state.containers.put(next.id(), next);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CONFIG_READER = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * {@code record} with {@code configJson} and what later events need of it, read once per creation or update
     * (a pure function of the event): whether it has a health check, its restart policy, and {@code --rm}.
     */
    private static ContainerState.ContainerRecord withConfig(ContainerState.ContainerRecord record, String configJson) {
        if (configJson == null || !mayMatter(configJson)) {
            // most containers: no parse in a replay (the text is the journal's compact JSON)
            return record.withConfig(configJson, false, "no", 0, false);
        }
        try {
            com.fasterxml.jackson.databind.JsonNode config = CONFIG_READER.readTree(configJson);
            com.fasterxml.jackson.databind.JsonNode host = config.path("HostConfig");
            String policy = host.path("RestartPolicy").path("Name").asText("");
            return record.withConfig(configJson, HealthCheck.of(config.path("Config")).isPresent(), policy.isEmpty() ? "no" : policy,
                    host.path("RestartPolicy").path("MaximumRetryCount").asInt(0), host.path("AutoRemove").asBoolean(false));
        } catch (java.io.IOException unreadable) {
            // a configuration that does not parse: no health check, no restart policy
            return record.withConfig(configJson, false, "no", 0, false);
        }
    }

    /** Whether the configuration text can hold a health check, a restart policy other than "no", or auto-remove. */
    private static boolean mayMatter(String configJson) {
        return configJson.contains("\"Healthcheck\"") || configJson.contains("\"AutoRemove\":true")
                || configJson.contains("\"Name\":\"always\"") || configJson.contains("\"Name\":\"unless-stopped\"")
                || configJson.contains("\"Name\":\"on-failure\"");
    }

    /** The daemon's rule ({@link RestartDecision}): whether an exit with {@code exitCode} is followed by a restart. */
    private static boolean restartFollows(ContainerState.ContainerRecord record, int exitCode) {
        if (record.autoRemove() || record.stoppedByUser()) {
            return false;
        }
        return RestartDecision.restarts(record.restartPolicy(), record.restartRetries(), exitCode, record.restartCount());
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
