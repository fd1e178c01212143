package io.berth.engine.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.events.ImageLayer;
import java.util.ArrayList;
import java.util.List;

/**
 * Performs a step's plan on the stage's state: makes its layer (a RUN in a container through
 * {@link StepRunner}, a COPY or ADD written into a snapshot by {@link CopyWriter}, a WORKDIR's
 * directory), then completes the step whether it ran or came from the cache: the config change,
 * the history line, the layer, the new cache key.
 */
final class StepExecutor {
    private final StepRunner runner;
    private final ObjectMapper mapper;
    private final String created;

    /** @param created the history's creation time, the build's epoch as Docker writes it */
    StepExecutor(StepRunner runner, ObjectMapper mapper, String created) {
        this.runner = runner;
        this.mapper = mapper;
        this.created = created;
    }

    /** Makes the step's layer on top of the state; null when a RUN or WORKDIR changed nothing. */
    ImageLayer makeLayer(StepPlan.LayerWork work, StageState state, int step) {
        return switch (work) {
            case StepPlan.LayerWork.Run run -> {
                List<String> env = new ArrayList<>(state.env);
                run.args().forEach((k, v) -> env.add(k + "=" + v));
                run.proxies().forEach((k, v) -> env.add(k + "=" + v));
                if (run.mounts() == null) {
                    yield runner.run(state, step, run.argv(), env, run.network());
                }
                env.addAll(run.mounts().environment());
                yield runner.run(state, step, run.argv(), env, run.network(), run.mounts());
            }
            case StepPlan.LayerWork.Workdir workdir -> runner.workdir(state, step, workdir.path());
            case StepPlan.LayerWork.Copy copy -> runner.inSnapshot(state, step, rootfs -> CopyWriter.write(copy.copy(), rootfs));
        };
    }

    /**
     * Completes a step on the state, whether it ran or came from the cache.
     *
     * @param layer its layer, null for none (the history line then says {@code empty_layer})
     * @param key   its cache key, the state's key from now on
     */
    void complete(StageState state, StepPlan plan, ImageLayer layer, String key) {
        if (plan.configChange() != null) {
            plan.configChange().accept(state);
        }
        ObjectNode history = mapper.createObjectNode();
        history.put("created", created);
        history.put("created_by", plan.createdBy());
        if (layer == null) {
            history.put("empty_layer", true);
        } else {
            state.layers.add(layer);
        }
        state.history.add(history);
        state.cacheKey = key;
    }
}
