package io.berth.engine.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.image.JsonProgress;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /build} as Docker's legacy builder answers it (a JSON-lines stream of
 * {@code {"stream"}}, {@code {"aux":{"ID"}}} and {@code {"errorDetail","error"}}), and berth's
 * build record under {@code /berth/builds}.
 */
public final class BuildEndpoints {
    private final BuildService builds;
    private final ObjectMapper mapper;

    public BuildEndpoints(BuildService builds, ObjectMapper mapper) {
        this.builds = builds;
        this.mapper = mapper;
    }

    /** {@code POST /build?t=&dockerfile=&buildargs=&nocache=&q=&target=&labels=&platform=}: the body is the context tar. */
    public void build(ApiExchange exchange) throws IOException {
        String platform = exchange.query("platform");
        if (platform != null && !platform.isBlank() && !platform.equals("linux/amd64") && !platform.equals("linux")) {
            throw ApiException.badRequest("platform " + platform + " is not supported: berth builds for linux/amd64 only");
        }
        if (exchange.query("remote") != null && !exchange.query("remote").isBlank()) {
            throw ApiException.badRequest("remote build contexts are not supported: send the context as the request body");
        }
        Map<String, String> buildArgs = jsonMap(exchange.query("buildargs"), "buildargs");
        Map<String, String> labels = jsonMap(exchange.query("labels"), "labels");
        labels.values().removeIf(v -> v == null);
        // a refused secret or agent socket is a BuildException (INVALID): a plain 400 before anything streams
        BuildSecrets secrets = BuildSecrets.fromHeaders(exchange.header(BuildSecrets.SECRETS_HEADER),
                exchange.header(BuildSecrets.SSH_HEADER), mapper);
        for (String id : secrets.sshIds()) {
            checkAgentSocket(id, secrets.sshSocket(id).orElseThrow(), exchange.context().actor().uid());
        }
        BuildRequest request = new BuildRequest(exchange.query("dockerfile"), buildArgs, exchange.query("target"),
                exchange.queryAll("t"), labels, exchange.queryFlag("nocache", false), exchange.queryFlag("q", false), "",
                exchange.query("networkmode"), secrets, cacheFrom(exchange.query("cachefrom")));
        builds.validate(request);
        try (InputStream body = exchange.body(); ApiExchange.LineStream out = exchange.stream("application/json")) {
            StreamOutput output = new StreamOutput(out);
            try {
                builds.build(body, request, output, exchange.context());
            } catch (RuntimeException e) {
                output.error(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
    }

    /**
     * An SSH agent socket named by the client is bound into RUN steps by the daemon: it must be an
     * absolute path to a socket that the client's own user owns (or the client is root), so a client
     * cannot reach another user's agent or a daemon's socket this way.
     */
    private static void checkAgentSocket(String id, String socket, int clientUid) {
        java.nio.file.Path path = java.nio.file.Path.of(socket);
        if (!path.isAbsolute()) {
            throw new BuildException("--ssh " + id + "=" + socket + ": the agent socket needs an absolute path");
        }
        try {
            var attributes = java.nio.file.Files.readAttributes(path, "unix:mode,uid");
            int mode = (Integer) attributes.get("mode");
            int owner = (Integer) attributes.get("uid");
            if ((mode & 0170000) != 0140000) {
                throw new BuildException("--ssh " + id + "=" + socket + ": not a socket");
            }
            if (clientUid != 0 && owner != clientUid) {
                throw new BuildException("--ssh " + id + "=" + socket + ": the socket belongs to uid " + owner + ", not to the caller");
            }
        } catch (IOException e) {
            throw new BuildException("--ssh " + id + "=" + socket + ": no such socket");
        }
    }

    /** Docker's {@code cachefrom}: a JSON array of image references. */
    private List<String> cacheFrom(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            JsonNode node = mapper.readTree(json);
            if (!node.isArray()) {
                throw ApiException.badRequest("invalid cachefrom: expected a JSON array of images, got " + json);
            }
            List<String> images = new java.util.ArrayList<>();
            node.forEach(n -> images.add(n.asText()));
            return images;
        } catch (IOException e) {
            throw ApiException.badRequest("invalid cachefrom: not JSON: " + json);
        }
    }

    private Map<String, String> jsonMap(String json, String name) {
        Map<String, String> map = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return map;
        }
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid " + name + ": not JSON: " + json);
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("invalid " + name + ": expected a JSON object, got " + json);
        }
        node.fields().forEachRemaining(f -> map.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
        return map;
    }

    /**
     * {@code POST /build/prune}: the build cache directories of {@code RUN --mount=type=cache} that no
     * step holds, then every layer and blob no image holds (garbage collection, where berth's cached
     * steps live); {@code {"CachesDeleted":["cache-mount:ID",…],"SpaceReclaimed":BYTES}}.
     */
    public void prune(ApiExchange exchange) throws IOException {
        long reclaimed = 0;
        ObjectNode answer = mapper.createObjectNode();
        var deleted = answer.putArray("CachesDeleted");
        for (CacheMounts.Pruned p : builds.cacheMounts().prune()) {
            deleted.add("cache-mount:" + p.id());
            reclaimed += p.bytes();
        }
        reclaimed += builds.images().collectGarbage(exchange.context());
        answer.put("SpaceReclaimed", reclaimed);
        exchange.json(200, answer);
    }

    /** {@code GET /berth/builds}: every build, oldest first. */
    public void list(ApiExchange exchange) throws IOException {
        exchange.json(200, builds.list());
    }

    /** {@code GET /berth/builds/{id}}: the whole record. */
    public void inspect(ApiExchange exchange) throws IOException {
        exchange.json(200, builds.require(exchange.pathParam(1)));
    }

    /** {@code GET /berth/builds/{id}/logs}: the build's output as it was streamed. */
    public void logs(ApiExchange exchange) throws IOException {
        exchange.text(200, new String(builds.logs(exchange.pathParam(1)), java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * {@code POST /berth/builds/{id}/replay}: rebuilds without cache, streaming as {@code /build}
     * does, and ends with {@code {"aux":{"Replay":{…}}}}: each step's recorded and rebuilt diff id.
     */
    public void replay(ApiExchange exchange) throws IOException {
        builds.require(exchange.pathParam(1)); // 404 before the stream opens
        try (ApiExchange.LineStream out = exchange.stream("application/json")) {
            StreamOutput output = new StreamOutput(out);
            try {
                BuildService.Replay replay = builds.replay(exchange.pathParam(1), output, exchange.context());
                ObjectNode node = mapper.createObjectNode();
                node.putObject("aux").set("Replay", mapper.valueToTree(replay));
                output.write(node);
            } catch (RuntimeException e) {
                output.error(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
    }

    /** Docker's JSON-lines framing; a client that hangs up stops receiving, the build goes on. */
    private final class StreamOutput implements BuildOutput {
        private final JsonProgress messages;

        StreamOutput(ApiExchange.LineStream out) {
            this.messages = new JsonProgress(out, mapper);
        }

        @Override
        public void stream(String text) {
            messages.stream(text);
        }

        @Override
        public void imageId(String id) {
            ObjectNode node = mapper.createObjectNode();
            node.putObject("aux").put("ID", id);
            write(node);
        }

        @Override
        public void buildStarted(String buildId) {
            // an aux Docker's CLI reads as a BuildResult without ID; the final aux carries the image id
            ObjectNode node = mapper.createObjectNode();
            node.putObject("aux").put("BuildID", buildId);
            write(node);
        }

        void error(String message) {
            messages.error(message);
        }

        void write(ObjectNode node) {
            messages.write(node);
        }
    }

    static List<String> none() {
        return List.of();
    }
}
