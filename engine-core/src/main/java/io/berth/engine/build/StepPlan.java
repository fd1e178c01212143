package io.berth.engine.build;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What a step will do, known before anything runs: what its cache key is made of (the instruction as
 * expanded, the build args a RUN sees, the digests of its sources), its history line, the change to
 * the image config, and the layer work, if it makes a layer.
 *
 * @param text         the instruction as expanded, the cache key's main part
 * @param createdBy    the history's {@code created_by}, as Docker's builder writes it
 * @param args         build args a RUN sees (part of its key and history)
 * @param sources      digests of what the step reads (context files, another stage's files, a bind mount)
 * @param configChange the change to the stage's config, applied whether the step ran or came from the cache
 * @param layer        the layer work, null for a step that only changes the config
 */
record StepPlan(String text, String createdBy, Map<String, String> args, Map<String, String> sources,
                Consumer<StageState> configChange, LayerWork layer) {

    StepPlan {
        // sorted, as the key, the history line and a RUN's environment list them
        args = sorted(args);
        sources = sorted(sources);
    }

    static Map<String, String> sorted(Map<String, String> map) {
        return Collections.unmodifiableMap(new TreeMap<>(map));
    }

    /** A step that changes only the config. */
    static StepPlan metadata(String text, String createdBy, Consumer<StageState> configChange) {
        return new StepPlan(text, createdBy, Map.of(), Map.of(), configChange, null);
    }

    boolean producesLayer() {
        return layer != null;
    }

    /** A RUN or WORKDIR: a step that changed nothing makes no layer, and a cached one may have none. */
    boolean mayMakeNoLayer() {
        return layer instanceof LayerWork.Run || layer instanceof LayerWork.Workdir;
    }

    /** The work that makes a step's layer, performed by {@link StepExecutor}. */
    sealed interface LayerWork {
        /**
         * A RUN: the command in a container on the stage's top layer.
         *
         * @param argv    the command (the shell form already wrapped in the stage's shell)
         * @param args    the build args it sees, added to its environment
         * @param proxies the proxy build-args it sees without declaring them
         * @param network the step's network
         * @param mounts  its {@code --mount}s, null when it has none
         */
        record Run(List<String> argv, Map<String, String> args, Map<String, String> proxies, BuildNetwork network,
                   RunMounts mounts) implements LayerWork {
            public Run {
                argv = List.copyOf(argv);
                args = sorted(args);
                proxies = sorted(proxies);
            }
        }

        /** A WORKDIR: its directory made when it is missing. */
        record Workdir(String path) implements LayerWork {}

        /** A COPY or ADD: its sources written into the snapshot ({@link CopyWriter}). */
        record Copy(CopyWriter.Copy copy) implements LayerWork {}
    }
}
