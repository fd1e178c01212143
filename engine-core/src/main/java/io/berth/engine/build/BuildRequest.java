package io.berth.engine.build;

import java.util.List;
import java.util.Map;

/**
 * What a build is asked to do (Docker's {@code POST /build} query).
 *
 * @param dockerfile the Dockerfile's path inside the context ({@code Dockerfile} when not given)
 * @param buildArgs  {@code --build-arg}s; a {@code null} value means "from the client's environment, unset"
 * @param target     the target stage, empty for the last one
 * @param tags       tags to put on the image, as given ({@code demo}, {@code demo:1})
 * @param labels     labels added to the image
 * @param noCache    build every step
 * @param quiet      stream only the image id
 * @param replayOf   the build being replayed, empty otherwise
 * @param network    the RUN steps' network ({@code --network}: default, host or none; empty is default)
 * @param secrets    the secrets and SSH agent sockets RUN mounts may use (never recorded; see {@link BuildSecrets})
 * @param cacheFrom  images whose history may serve steps ({@code --cache-from}), as given
 */
public record BuildRequest(String dockerfile, Map<String, String> buildArgs, String target, List<String> tags,
                           Map<String, String> labels, boolean noCache, boolean quiet, String replayOf,
                           String network, BuildSecrets secrets, List<String> cacheFrom) {
    /** A request without secrets. */
    public BuildRequest(String dockerfile, Map<String, String> buildArgs, String target, List<String> tags,
                        Map<String, String> labels, boolean noCache, boolean quiet, String replayOf, String network) {
        this(dockerfile, buildArgs, target, tags, labels, noCache, quiet, replayOf, network, BuildSecrets.NONE, List.of());
    }

    public BuildRequest {
        buildArgs = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(buildArgs));
        tags = List.copyOf(tags);
        labels = Map.copyOf(labels);
        dockerfile = dockerfile == null || dockerfile.isBlank() ? "Dockerfile" : dockerfile;
        target = target == null ? "" : target;
        replayOf = replayOf == null ? "" : replayOf;
        network = network == null ? "" : network;
        secrets = secrets == null ? BuildSecrets.NONE : secrets;
        cacheFrom = cacheFrom == null ? List.of() : List.copyOf(cacheFrom);
    }
}
