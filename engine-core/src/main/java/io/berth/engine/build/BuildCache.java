package io.berth.engine.build;

import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.Digests;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * A build's cache: a step's key (its parent's key, the instruction as expanded, the build args it
 * sees, its sources' digests), the lookup of a key among earlier builds' steps and then among the
 * {@code --cache-from} images' histories, and, on a miss, the reason told to the user.
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
        BuildService.CacheHit hit = service.cacheHit(key, state.topChainId(), plan.producesLayer(), plan.mayMakeNoLayer());
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
                : service.explainMiss(buildId, parentKey, plan.text(), plan.args(), plan.sources(), changedStep);
        return new Miss(reason, !service.knownKey(key));
    }

    /** A missed step was built: the first with a new key makes the stage's later steps "parent changed". */
    void built(Miss miss, int step) {
        if (changedStep == 0 && !noCache && miss.newKey()) {
            changedStep = step;
        }
    }
}
