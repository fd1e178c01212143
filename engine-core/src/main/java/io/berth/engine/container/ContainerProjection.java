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
     * (health check, restart policy, {@code --rm}), which the snapshot holds: it is brought up to date in place
     * rather than refused, because a compaction snapshot may be the only record of the events before it.
     */
    @Override
    public boolean restorable(ContainerState restored) {
        if (restored.foldVersion != FOLD_VERSION) {
            for (ContainerState.ContainerRecord record : restored.containers.values()) {
                readConfig(record, record.configJson);
            }
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
            ContainerState.ContainerRecord record = new ContainerState.ContainerRecord();
            record.id = created.id();
            record.name = created.name();
            record.image = created.image();
            record.imageId = created.imageId();
            record.configJson = created.configJson();
            record.created = time;
            readConfig(record, created.configJson());
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
                record.restarting = false;
                if (record.healthChecked) {
                    // Docker's monitor starts each run as "starting"; the daemon's probes record every change after
                    record.health = "starting";
                    record.healthFailingStreak = 0;
                }
            }
            case ContainerEvent.ContainerStartFailed failed -> {
                record.status = "created".equals(record.status) && record.startedAt.startsWith("0001") ? "created" : "exited";
                record.exitCode = failed.exitCode();
                record.error = failed.reason();
                record.pid = 0;
                record.restarting = false;
            }
            case ContainerEvent.ContainerKilled killed -> {
                record.stoppedByUser = true;
                record.restarting = false; // a stop or kill while it waits to restart ends the wait
            }
            case ContainerEvent.ContainerExited exited -> {
                record.status = "exited";
                record.paused = false;
                record.pid = 0;
                record.exitCode = exited.exitCode();
                record.oomKilled = exited.oomKilled();
                record.finishedAt = exited.finishedAt();
                record.restarting = restartFollows(record);
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
            case ContainerEvent.ContainerUpdated updated -> {
                record.configJson = updated.configJson();
                readConfig(record, updated.configJson()); // a new restart policy counts from here
            }
            case ContainerEvent.ContainerStopped ignored -> { }
            case ContainerEvent.ContainerHealthChanged changed -> {
                record.health = changed.status();
                record.healthFailingStreak = changed.failingStreak();
            }
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CONFIG_READER = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * What later events need of the configuration, read once per creation (a pure function of the event): whether
     * it has a health check, and its restart policy.
     */
    private static void readConfig(ContainerState.ContainerRecord record, String configJson) {
        record.healthChecked = false;
        record.restartPolicy = "no";
        record.restartRetries = 0;
        record.autoRemove = false;
        if (configJson == null || !mayMatter(configJson)) {
            return; // most containers: no parse in a replay (the text is the journal's compact JSON)
        }
        try {
            com.fasterxml.jackson.databind.JsonNode config = CONFIG_READER.readTree(configJson == null ? "{}" : configJson);
            record.healthChecked = HealthCheck.of(config.path("Config")).isPresent();
            com.fasterxml.jackson.databind.JsonNode host = config.path("HostConfig");
            String policy = host.path("RestartPolicy").path("Name").asText("");
            record.restartPolicy = policy.isEmpty() ? "no" : policy;
            record.restartRetries = host.path("RestartPolicy").path("MaximumRetryCount").asInt(0);
            record.autoRemove = host.path("AutoRemove").asBoolean(false);
        } catch (java.io.IOException unreadable) {
            // a configuration that does not parse: no health check, no restart policy
        }
    }

    /** Whether the configuration text can hold a health check, a restart policy other than "no", or auto-remove. */
    private static boolean mayMatter(String configJson) {
        return configJson.contains("\"Healthcheck\"") || configJson.contains("\"AutoRemove\":true")
                || configJson.contains("\"Name\":\"always\"") || configJson.contains("\"Name\":\"unless-stopped\"")
                || configJson.contains("\"Name\":\"on-failure\"");
    }

    /** The daemon's rule ({@code ContainerService.afterExit}): whether this exit is followed by a restart. */
    private static boolean restartFollows(ContainerState.ContainerRecord record) {
        if (record.autoRemove || record.stoppedByUser) {
            return false;
        }
        return switch (record.restartPolicy) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> record.exitCode != 0 && (record.restartRetries <= 0 || record.restartCount < record.restartRetries);
            default -> false;
        };
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
