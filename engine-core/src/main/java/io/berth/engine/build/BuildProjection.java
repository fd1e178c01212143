package io.berth.engine.build;

import io.berth.engine.projection.Projection;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.BuildEvent;
import java.util.Set;

/** Folds build events into {@link BuildState}: the build records and the cache index. */
public final class BuildProjection implements Projection<BuildState> {
    public static final BuildProjection INSTANCE = new BuildProjection();

    private static final Set<String> TYPES = Set.of("BuildStarted", "BuildStepStarted", "BuildStepCached", "BuildStepCompleted",
            "BuildStepFailed", "BuildCompleted", "BuildFailed", "BuildCacheMountUsed");

    @Override
    public String name() {
        return "builds";
    }

    @Override
    public boolean folds(String eventType) {
        return TYPES.contains(eventType);
    }

    @Override
    public BuildState initialState() {
        return new BuildState();
    }

    @Override
    public Class<BuildState> stateType() {
        return BuildState.class;
    }

    @Override
    public void apply(BuildState state, EventEnvelope event) {
        if (!(event.payload() instanceof BuildEvent build)) {
            return;
        }
        String time = event.time().toString();
        if (build instanceof BuildEvent.BuildStarted started) {
            BuildState.BuildRecord record = new BuildState.BuildRecord();
            record.id = started.buildId();
            record.status = "running";
            record.startedAt = time;
            record.contextDigest = started.contextDigest();
            record.dockerfileName = started.dockerfileName();
            record.dockerfileDigest = started.dockerfileDigest();
            record.buildArgs = BuildState.sorted(started.buildArgs());
            record.target = started.target();
            record.tags = new java.util.ArrayList<>(started.tags());
            record.labels = BuildState.sorted(started.labels());
            record.noCache = started.noCache();
            record.replayOf = started.replayOf();
            if (event.actor() != null) {
                record.user = event.actor().user();
                record.uid = event.actor().uid();
                record.pid = event.actor().pid();
                record.client = event.actor().client();
            }
            record.correlationId = event.correlationId();
            state.builds.put(record.id, record);
            return;
        }
        BuildState.BuildRecord record = state.builds.get(build.buildId());
        if (record == null) {
            return;
        }
        switch (build) {
            case BuildEvent.BuildStarted ignored -> { }
            case BuildEvent.BuildStepStarted e -> {
                BuildState.StepRecord step = record.step(e.step());
                step.stage = e.stage();
                step.instruction = e.instruction();
                step.location = e.location();
            }
            case BuildEvent.BuildStepCached e -> {
                BuildState.StepRecord step = record.step(e.step());
                step.decision = "cached";
                step.reason = e.reason();
                step.cacheKey = e.cacheKey();
                step.fromBuild = e.fromBuild();
                step.fromStep = e.fromStep();
                step.diffId = e.diffId();
                BuildState.CacheEntry from = state.cache.get(e.cacheKey());
                if (from != null) {
                    step.layerDigest = from.layerDigest;
                    step.layerSize = from.layerSize;
                }
            }
            case BuildEvent.BuildStepCompleted e -> {
                BuildState.StepRecord step = record.step(e.step());
                step.decision = "built";
                step.instruction = e.instruction();
                step.reason = e.cacheMiss();
                step.parentKey = e.parentKey();
                step.cacheKey = e.cacheKey();
                step.args = BuildState.sorted(e.args());
                step.sources = BuildState.sorted(e.sources());
                step.diffId = e.diffId();
                step.layerDigest = e.layerDigest();
                step.layerSize = e.layerSize();
                step.durationMillis = e.durationMillis();
                // A FROM (no parent key) of an earlier stage carries that stage's key, the key of the stage's
                // last step: it must not replace that step's entry, or a later hit on it would lose its layer.
                if ((e.parentKey() != null && !e.parentKey().isEmpty()) || !state.cache.containsKey(e.cacheKey())) {
                    state.cache.put(e.cacheKey(), new BuildState.CacheEntry(e.buildId(), e.step(), e.diffId(), e.layerDigest(), e.layerSize()));
                }
            }
            case BuildEvent.BuildStepFailed e -> {
                BuildState.StepRecord step = record.step(e.step());
                step.decision = "failed";
                step.exitCode = e.exitCode();
                step.reason = e.message();
                step.lastOutput = new java.util.ArrayList<>(e.lastOutput());
            }
            case BuildEvent.BuildCacheMountUsed e -> record.step(e.step()).cacheMounts.add(e.cacheId() + " at " + e.target()
                    + " (" + e.sharing() + (e.created() ? ", created" : "") + ")");
            case BuildEvent.BuildCompleted e -> {
                record.status = "completed";
                record.imageId = e.imageId();
                record.tags = new java.util.ArrayList<>(e.tags());
                record.logDigest = e.logDigest();
                record.durationMillis = e.durationMillis();
                record.finishedAt = time;
            }
            case BuildEvent.BuildFailed e -> {
                record.status = "failed";
                record.error = e.reason();
                record.logDigest = e.logDigest();
                record.finishedAt = time;
            }
        }
    }
}
