package io.berth.engine.system;

import io.berth.engine.projection.Projection;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.DaemonEvent;
import io.berth.eventlog.events.PluginEvent;
import java.util.ArrayList;

/** Folds daemon and plugin events into {@link SystemState}. */
public final class SystemProjection implements Projection<SystemState> {
    public static final SystemProjection INSTANCE = new SystemProjection();

    @Override
    public String name() {
        return "system";
    }

    private static final java.util.Set<String> TYPES = java.util.Set.of("DaemonStarted", "DaemonStopped", "LogCompacted", "PluginLoaded", "PluginFailed");

    @Override
    public boolean folds(String eventType) {
        return TYPES.contains(eventType);
    }

    @Override
    public SystemState initialState() {
        return new SystemState();
    }

    @Override
    public Class<SystemState> stateType() {
        return SystemState.class;
    }

    @Override
    public void apply(SystemState state, EventEnvelope event) {
        switch (event.payload()) {
            case DaemonEvent daemon -> applyDaemon(state, event, daemon);
            case PluginEvent plugin -> applyPlugin(state, plugin);
            default -> { }
        }
    }

    private static void applyDaemon(SystemState state, EventEnvelope envelope, DaemonEvent event) {
        switch (event) {
            case DaemonEvent.DaemonStarted started -> {
                state.hostId = started.hostId();
                state.version = started.version();
                state.starts++;
                state.lastStartedAt = envelope.time().toString();
                // every start loads the plugins anew; what an earlier start loaded no longer holds
                state.plugins.clear();
            }
            case DaemonEvent.DaemonStopped stopped -> {
                state.stops++;
                state.lastStoppedAt = envelope.time().toString();
            }
            case DaemonEvent.LogCompacted compacted -> {
                state.compactedThrough = compacted.throughSequence();
                state.compactedThroughTime = compacted.throughTime();
                state.compactionSnapshot = compacted.snapshot();
            }
        }
    }

    private static void applyPlugin(SystemState state, PluginEvent event) {
        SystemState.PluginRecord record = new SystemState.PluginRecord();
        switch (event) {
            case PluginEvent.PluginLoaded loaded -> {
                record.id = loaded.pluginId();
                record.version = loaded.version();
                record.path = loaded.path();
                record.state = "STARTED";
                record.extensions = new ArrayList<>(loaded.extensions());
            }
            case PluginEvent.PluginFailed failed -> {
                record.id = failed.pluginId();
                record.path = failed.path();
                record.state = "FAILED";
                record.error = failed.reason();
            }
        }
        state.plugins.put(record.id, record);
    }
}
