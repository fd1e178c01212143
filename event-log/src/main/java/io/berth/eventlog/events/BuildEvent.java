package io.berth.eventlog.events;

import java.util.List;
import java.util.Map;

/**
 * Events of one image build; the subject is the build id (64 hex). A build is
 * {@code BuildStarted}, then per step {@code BuildStepStarted} followed by {@code BuildStepCached},
 * {@code BuildStepCompleted} or {@code BuildStepFailed}, then {@code BuildCompleted} or
 * {@code BuildFailed}. A step that mounts a cache ({@code RUN --mount=type=cache}) records
 * {@code BuildCacheMountUsed} before it runs. With the context and Dockerfile kept as blobs (their digests are in
 * {@code BuildStarted}) the events are enough to replay the build.
 */
public sealed interface BuildEvent extends Event permits BuildEvent.BuildStarted, BuildEvent.BuildStepStarted,
        BuildEvent.BuildStepCached, BuildEvent.BuildStepCompleted, BuildEvent.BuildStepFailed, BuildEvent.BuildCompleted,
        BuildEvent.BuildFailed, BuildEvent.BuildCacheMountUsed {

    /** @return the build id */
    String buildId();

    @Override
    default String subject() {
        return buildId();
    }

    /**
     * A build began.
     *
     * @param buildId          the build id
     * @param contextDigest    digest of the context tar blob as received (uncompressed)
     * @param dockerfileName   the Dockerfile's path in the context ({@code Dockerfile})
     * @param dockerfileDigest digest of the Dockerfile blob
     * @param buildArgs        {@code --build-arg}s as given (a {@code null} value is written as absent)
     * @param target           the target stage, empty for the last
     * @param tags             the tags asked for, in full
     * @param labels           {@code --label}s
     * @param noCache          {@code --no-cache}
     * @param replayOf         the build this one replays, empty for a new build
     */
    record BuildStarted(String buildId, String contextDigest, String dockerfileName, String dockerfileDigest,
                        Map<String, String> buildArgs, String target, List<String> tags, Map<String, String> labels,
                        boolean noCache, String replayOf) implements BuildEvent {
        public BuildStarted {
            buildArgs = Map.copyOf(buildArgs);
            tags = List.copyOf(tags);
            labels = Map.copyOf(labels);
        }
    }

    /**
     * A step began.
     *
     * @param buildId     the build id
     * @param step        1-based step number over the whole build (Docker's {@code Step N/M})
     * @param stage       the stage's name or index
     * @param instruction the instruction with its variables expanded, as the cache compares it
     * @param location    {@code Dockerfile:LINE}
     */
    record BuildStepStarted(String buildId, int step, String stage, String instruction, String location) implements BuildEvent {
    }

    /**
     * A step was not run: an earlier step with the same cache key gave its result.
     *
     * @param buildId   the build id
     * @param step      the step number
     * @param cacheKey  the step's cache key (parent key, expanded instruction, sources)
     * @param fromBuild the build that ran the step
     * @param fromStep  that build's step number
     * @param diffId    the layer reused, empty for a step without a layer
     * @param reason    the decision in words
     */
    record BuildStepCached(String buildId, int step, String cacheKey, String fromBuild, int fromStep, String diffId,
                           String reason) implements BuildEvent {
    }

    /**
     * A step ran.
     *
     * @param buildId      the build id
     * @param step         the step number
     * @param instruction  the expanded instruction
     * @param parentKey    the cache key of the state it ran on
     * @param cacheKey     its own cache key
     * @param args         the build arguments in scope (what a RUN sees), by name
     * @param sources      for COPY/ADD: each source file's path and content digest
     * @param diffId       digest of the layer tar, empty for a step without a layer
     * @param layerDigest  digest of the compressed layer blob, empty without a layer
     * @param layerSize    the blob's size in bytes
     * @param durationMillis how long the step took
     * @param cacheMiss    why the cache did not serve it
     */
    record BuildStepCompleted(String buildId, int step, String instruction, String parentKey, String cacheKey,
                              Map<String, String> args, Map<String, String> sources, String diffId, String layerDigest,
                              long layerSize, long durationMillis, String cacheMiss) implements BuildEvent {
        public BuildStepCompleted {
            args = Map.copyOf(args);
            sources = Map.copyOf(sources);
        }
    }

    /**
     * A step failed; the build fails with it.
     *
     * @param buildId    the build id
     * @param step       the step number
     * @param exitCode   the RUN's exit code, or -1 when the step failed without running a command
     * @param message    what failed, one line
     * @param lastOutput the step's last output lines
     */
    record BuildStepFailed(String buildId, int step, int exitCode, String message, List<String> lastOutput) implements BuildEvent {
        public BuildStepFailed {
            lastOutput = List.copyOf(lastOutput);
        }
    }

    /**
     * The image is built and stored (the image itself arrives with {@code ImageLoaded}).
     *
     * @param buildId        the build id
     * @param imageId        the image id
     * @param tags           the tags put on it, in full
     * @param logDigest      digest of the blob holding the build's output
     * @param durationMillis the whole build
     */
    record BuildCompleted(String buildId, String imageId, List<String> tags, String logDigest, long durationMillis)
            implements BuildEvent {
        public BuildCompleted {
            tags = List.copyOf(tags);
        }
    }

    /**
     * The build failed; no image was made.
     *
     * @param buildId   the build id
     * @param reason    the error, one line, with the Dockerfile location when there is one
     * @param logDigest digest of the blob holding the build's output, empty if none was kept
     */
    record BuildFailed(String buildId, String reason, String logDigest) implements BuildEvent {
    }

    /**
     * A RUN step mounted a build cache directory ({@code RUN --mount=type=cache}). Cache directories
     * live under the daemon's root, keyed by their id, and outlive builds (also {@code --no-cache}
     * ones); their contents are never part of a cache key or a layer.
     *
     * @param buildId the build id
     * @param step    the step number
     * @param cacheId the cache's id ({@code id=}, else its target)
     * @param target  where the step saw it
     * @param sharing {@code shared}, {@code private} or {@code locked}
     * @param created true when this step created the directory (first use of the id, or a private copy)
     */
    record BuildCacheMountUsed(String buildId, int step, String cacheId, String target, String sharing, boolean created)
            implements BuildEvent {
    }
}
