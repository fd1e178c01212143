package io.berth.engine.build;

import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.Digests;
import io.berth.spi.registry.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.TreeMap;

/**
 * A build's cache: a step's key (its parent's key, the instruction as expanded, the build args it
 * sees, its sources' digests), the lookup of a key among earlier builds' steps and then among the
 * {@code --cache-from} images' histories, and, on a miss, the reason told to the user. Earlier
 * steps are read from the build records ({@link BuildProjection}'s cache index); a step with a layer
 * is a hit only while that layer is still stored.
 */
final class BuildCache {
    private final BuildService service;
    private final String buildId;
    private final boolean noCache;
    private final CacheFromImages cacheFrom;
    /** The first step of the current stage whose cache key no earlier build had: every later step has a new parent. */
    private int changedStep;

    BuildCache(BuildService service, String buildId, boolean noCache, CacheFromImages cacheFrom) {
        this.service = service;
        this.buildId = buildId;
        this.noCache = noCache;
        this.cacheFrom = cacheFrom;
    }

    /** A step served from the cache: its layer (null when it has none) and the event that says where from. */
    record Hit(ImageLayer layer, BuildEvent.BuildStepCached event) {}

    /** A step the cache cannot serve: why, and whether its key was never seen (so its stage's later steps are new too). */
    record Miss(String reason, boolean newKey) {}

    /** A new stage starts: no step of it has changed yet. */
    void stageStarted() {
        changedStep = 0;
    }

    /** A step's cache key: its parent's key, then what the plan says the step is made of, sorted. */
    static String key(String parentKey, StepPlan plan) {
        StringBuilder text = new StringBuilder(parentKey).append('\n').append(plan.text()).append('\n');
        new TreeMap<>(plan.args()).forEach((k, v) -> text.append("arg ").append(k).append('=').append(v).append('\n'));
        new TreeMap<>(plan.sources()).forEach((k, v) -> text.append("src ").append(k).append(' ').append(v).append('\n'));
        return Digests.sha256(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** An earlier build's step with the same key, else a {@code --cache-from} image's; null when neither (or --no-cache). */
    Hit lookup(String key, StageState state, StepPlan plan, int step) {
        if (noCache) {
            return null;
        }
        EarlierStep hit = earlierStep(key, state.topChainId(), plan.producesLayer(), plan.mayMakeNoLayer());
        if (hit != null) {
            return new Hit(hit.layer(), new BuildEvent.BuildStepCached(buildId, step, key, hit.buildId(), hit.step(),
                    hit.layer() == null ? "" : hit.layer().diffId(),
                    "same parent" + (plan.sources().isEmpty() ? " and instruction" : ", instruction and sources") + " as build "
                            + hit.buildId().substring(0, 12) + " step " + hit.step()));
        }
        if (cacheFrom.isEmpty()) {
            return null;
        }
        CacheFromImages.Hit fromImage = cacheFrom.find(state, plan.createdBy(), plan.producesLayer(), service);
        if (fromImage == null) {
            return null;
        }
        ImageLayer layer = fromImage.layer();
        return new Hit(layer, new BuildEvent.BuildStepCached(buildId, step, key, "", 0, layer == null ? "" : layer.diffId(),
                "same history and instruction as image " + fromImage.reference() + " ("
                        + BuildExecution.shortKey(fromImage.imageId()) + ", --cache-from)"));
    }

    /** Why the cache could not serve a step, compared with the latest earlier step on the same parent. */
    Miss miss(String parentKey, String key, StepPlan plan) {
        String reason = noCache ? "--no-cache"
                : explainMiss(parentKey, plan.text(), plan.args(), plan.sources(), changedStep);
        return new Miss(reason, !knownKey(key));
    }

    /** A missed step was built: the first with a new key makes the stage's later steps "parent changed". */
    void built(Miss miss, int step) {
        if (changedStep == 0 && !noCache && miss.newKey()) {
            changedStep = step;
        }
    }

    // ---- earlier builds' steps, as the build records keep them

    /** An earlier step with the key: the build and step that produced the result, and the layer (null for a step without one). */
    private record EarlierStep(String buildId, int step, ImageLayer layer) {}

    private EarlierStep earlierStep(String key, String parentChain, boolean producesLayer, boolean mayMakeNoLayer) {
        BuildState.CacheEntry entry = service.journal().projections().read(BuildProjection.INSTANCE, s -> s.cache.get(key));
        if (entry == null) {
            return null;
        }
        if (!producesLayer) {
            return new EarlierStep(entry.buildId, entry.step, null);
        }
        if (entry.diffId.isEmpty()) {
            // a RUN or WORKDIR that changed nothing made no layer, as in Docker; any other layer step without one is no hit
            return mayMakeNoLayer ? new EarlierStep(entry.buildId, entry.step, null) : null;
        }
        String chain = BuildExecution.chainOf(parentChain, entry.diffId);
        if (!service.images().storage().hasLayer(chain) || !service.images().content().has(entry.layerDigest)) {
            return null;
        }
        return new EarlierStep(entry.buildId, entry.step, new ImageLayer(entry.layerDigest, MediaTypes.OCI_LAYER_GZIP, entry.layerSize,
                entry.diffId, chain));
    }

    /** Whether any earlier step ran with this cache key (its result may be gone). */
    private boolean knownKey(String key) {
        return service.journal().projections().read(BuildProjection.INSTANCE, s -> s.cache.containsKey(key));
    }

    /** Why no earlier step could serve this one: compared with the latest earlier step on the same parent. */
    private String explainMiss(String parentKey, String instruction, Map<String, String> args, Map<String, String> sources,
                       int changedStep) {
        BuildState.StepRecord[] latest = new BuildState.StepRecord[1];
        String[] latestBuild = new String[1];
        service.journal().projections().read(BuildProjection.INSTANCE, s -> {
            List<BuildState.BuildRecord> builds = new ArrayList<>(s.builds.values());
            builds.sort(Comparator.comparing((BuildState.BuildRecord b) -> b.startedAt).reversed());
            for (BuildState.BuildRecord b : builds) {
                if (b.id.equals(buildId)) {
                    continue;
                }
                for (BuildState.StepRecord step : b.steps) {
                    if (step.decision.equals("built") && step.parentKey.equals(parentKey) && !step.parentKey.isEmpty()) {
                        if (latest[0] == null || step.instruction.equals(instruction) && !latest[0].instruction.equals(instruction)) {
                            latest[0] = copy(step);
                            latestBuild[0] = b.id;
                        }
                    }
                }
                if (latest[0] != null && latest[0].instruction.equals(instruction)) {
                    break;
                }
            }
            return null;
        });
        BuildState.StepRecord before = latest[0];
        if (before == null) {
            return changedStep > 0
                    ? "parent changed: step " + changedStep + " before it changed, so no earlier build ran a step on this state"
                    : "no earlier build ran a step on this parent (a new base image or stage)";
        }
        String where = " (compared with build " + latestBuild[0].substring(0, 12) + " step " + before.step + ")";
        if (!before.instruction.equals(instruction)) {
            return "instruction changed: was '" + before.instruction + "'" + where;
        }
        TreeSet<String> names = new TreeSet<>(args.keySet());
        names.addAll(before.args.keySet());
        for (String name : names) {
            String was = before.args.get(name);
            String now = args.get(name);
            if (was == null ? now != null : !was.equals(now)) {
                return "build arg " + name + " changed: was " + (was == null ? "unset" : "'" + was + "'") + ", now "
                        + (now == null ? "unset" : "'" + now + "'") + where;
            }
        }
        List<String> changed = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(sources.keySet());
        paths.addAll(before.sources.keySet());
        for (String path : paths) {
            String was = before.sources.get(path);
            String now = sources.get(path);
            if (was == null) {
                changed.add(path + " (added)");
            } else if (now == null) {
                changed.add(path + " (removed)");
            } else if (!was.equals(now)) {
                changed.add(path);
            }
        }
        if (!changed.isEmpty()) {
            return "source changed: " + String.join(", ", changed.subList(0, Math.min(3, changed.size())))
                    + (changed.size() > 3 ? " and " + (changed.size() - 3) + " more" : "") + where;
        }
        return "the earlier result is no longer stored (its layer was removed)" + where;
    }

    private static BuildState.StepRecord copy(BuildState.StepRecord s) {
        BuildState.StepRecord c = new BuildState.StepRecord();
        c.step = s.step;
        c.instruction = s.instruction;
        c.args = new TreeMap<>(s.args);
        c.sources = new TreeMap<>(s.sources);
        return c;
    }
}
