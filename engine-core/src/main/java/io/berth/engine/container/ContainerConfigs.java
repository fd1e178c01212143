package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's precedence for a container's configuration, from the image config and the create
 * request ({@code POST /containers/create}: {@code Config} fields at the top level, {@code HostConfig}):
 * <ul>
 *   <li>Entrypoint: the request's if given (then the image's Cmd is not used), else the image's.</li>
 *   <li>Cmd: the request's if given, else the image's (unless the request set an Entrypoint).</li>
 *   <li>Env: the image's, then the request's; a key set by both takes the request's value; PATH is
 *       filled in when neither has it.</li>
 *   <li>WorkingDir, User, StopSignal: the request's, else the image's; Labels merged (request wins).</li>
 *   <li>Volumes: the image's VOLUMEs plus the request's.</li>
 * </ul>
 */
public final class ContainerConfigs {
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Docker refuses memory limits below this. */
    public static final long MIN_MEMORY = 6L * 1024 * 1024;

    private ContainerConfigs() {}

    /** The merged {@code Config} a container keeps (and inspect shows). */
    public static ObjectNode mergeConfig(JsonNode imageConfig, JsonNode request, String imageName, ObjectMapper mapper) {
        ObjectNode config = mapper.createObjectNode();
        JsonNode image = imageConfig == null ? mapper.createObjectNode() : imageConfig;
        // --entrypoint "" arrives as [""]: it clears the image's entrypoint, as in Docker
        boolean entrypointCleared = request.path("Entrypoint").isArray() && request.get("Entrypoint").size() == 1
                && request.get("Entrypoint").get(0).asText().isEmpty();
        boolean entrypointGiven = entrypointCleared || request.hasNonNull("Entrypoint") && !isEmptyList(request.get("Entrypoint"));
        JsonNode entrypoint = entrypointCleared ? mapper.createArrayNode()
                : entrypointGiven ? asList(request.get("Entrypoint"), mapper) : image.path("Entrypoint");
        JsonNode cmd = request.hasNonNull("Cmd") && !isEmptyList(request.get("Cmd")) ? asList(request.get("Cmd"), mapper)
                : entrypointGiven ? null : image.path("Cmd");
        config.put("Hostname", request.path("Hostname").asText(""));
        config.put("Domainname", request.path("Domainname").asText(""));
        config.put("User", text(request, "User", text(image, "User", "")));
        config.put("AttachStdin", request.path("AttachStdin").asBoolean(false));
        config.put("AttachStdout", request.path("AttachStdout").asBoolean(true));
        config.put("AttachStderr", request.path("AttachStderr").asBoolean(true));
        config.put("Tty", request.path("Tty").asBoolean(false));
        config.put("OpenStdin", request.path("OpenStdin").asBoolean(false));
        config.put("StdinOnce", request.path("StdinOnce").asBoolean(false));
        config.set("Env", mergeEnv(image.path("Env"), request.path("Env"), mapper));
        config.set("Cmd", cmd == null || cmd.isMissingNode() || cmd.isNull() ? mapper.nullNode() : cmd);
        config.put("Image", imageName);
        ObjectNode volumes = mapper.createObjectNode();
        image.path("Volumes").fieldNames().forEachRemaining(v -> volumes.putObject(v));
        request.path("Volumes").fieldNames().forEachRemaining(v -> volumes.putObject(v));
        config.set("Volumes", volumes.isEmpty() ? mapper.nullNode() : volumes);
        config.put("WorkingDir", text(request, "WorkingDir", text(image, "WorkingDir", "")));
        config.set("Entrypoint", entrypoint == null || entrypoint.isMissingNode() || entrypoint.isNull() ? mapper.nullNode() : entrypoint);
        ObjectNode labels = mapper.createObjectNode();
        if (image.path("Labels").isObject()) {
            labels.setAll((ObjectNode) image.get("Labels"));
        }
        if (request.path("Labels").isObject()) {
            labels.setAll((ObjectNode) request.get("Labels"));
        }
        config.set("Labels", labels);
        String stopSignal = text(request, "StopSignal", text(image, "StopSignal", ""));
        if (!stopSignal.isEmpty()) {
            config.put("StopSignal", stopSignal);
        }
        if (request.hasNonNull("StopTimeout")) {
            config.put("StopTimeout", request.get("StopTimeout").asInt());
        }
        if (image.hasNonNull("ExposedPorts") || request.hasNonNull("ExposedPorts")) {
            ObjectNode ports = mapper.createObjectNode();
            image.path("ExposedPorts").fieldNames().forEachRemaining(p -> ports.putObject(p));
            request.path("ExposedPorts").fieldNames().forEachRemaining(p -> ports.putObject(p));
            config.set("ExposedPorts", ports);
        }
        // the shell of CMD-SHELL health checks (Dockerfile SHELL): the request's, else the image's
        JsonNode shell = request.path("Shell").isArray() && !request.path("Shell").isEmpty() ? request.get("Shell") : image.path("Shell");
        if (shell.isArray() && !shell.isEmpty()) {
            config.set("Shell", shell);
        }
        JsonNode healthcheck = HealthCheck.merge(image.get("Healthcheck"), request.get("Healthcheck"), mapper);
        if (healthcheck != null) {
            config.set("Healthcheck", healthcheck);
        }
        return config;
    }

    /** The process's argv: Entrypoint + Cmd. */
    public static List<String> args(JsonNode config) {
        List<String> args = new ArrayList<>();
        config.path("Entrypoint").forEach(a -> args.add(a.asText()));
        config.path("Cmd").forEach(a -> args.add(a.asText()));
        if (args.isEmpty()) {
            throw ContainerException.invalid("no command specified: the image has no Cmd or Entrypoint and none was given");
        }
        return args;
    }

    /** Image env, then the request's by key; PATH filled in. */
    static ArrayNode mergeEnv(JsonNode imageEnv, JsonNode requestEnv, ObjectMapper mapper) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (JsonNode source : List.of(imageEnv, requestEnv)) {
            if (source != null && source.isArray()) {
                for (JsonNode entry : source) {
                    String text = entry.asText();
                    int eq = text.indexOf('=');
                    merged.put(eq < 0 ? text : text.substring(0, eq), text);
                }
            }
        }
        if (!merged.containsKey("PATH")) {
            merged.put("PATH", DEFAULT_PATH);
        }
        ArrayNode env = mapper.createArrayNode();
        merged.values().forEach(env::add);
        return env;
    }

    /**
     * Checks a request's HostConfig for values Docker refuses, with Docker's wording.
     *
     * @throws ContainerException (invalid) naming the field and the value
     */
    public static void validateHostConfig(JsonNode host) {
        long memory = host.path("Memory").asLong(0);
        if (memory < 0) {
            throw ContainerException.invalid("invalid memory limit " + memory + ": must not be negative");
        }
        if (memory > 0 && memory < MIN_MEMORY) {
            throw ContainerException.invalid("Minimum memory limit allowed is 6MB");
        }
        long nanoCpus = host.path("NanoCpus").asLong(0);
        if (nanoCpus < 0 || nanoCpus > (long) Runtime.getRuntime().availableProcessors() * 1_000_000_000L) {
            throw ContainerException.invalid("Range of CPUs is from 0.01 to " + Runtime.getRuntime().availableProcessors()
                    + ".00, as there are only " + Runtime.getRuntime().availableProcessors() + " CPUs available");
        }
        // NetworkMode is checked by the network slice (ContainerNetworks.validate), which knows the networks
        String restart = host.path("RestartPolicy").path("Name").asText("");
        if (!restart.isEmpty() && !List.of("no", "always", "unless-stopped", "on-failure").contains(restart)) {
            throw ContainerException.invalid("invalid restart policy '" + restart + "'");
        }
        if (host.path("AutoRemove").asBoolean(false) && !restart.isEmpty() && !restart.equals("no")) {
            throw ContainerException.invalid("can't create 'AutoRemove' container with restart policy");
        }
    }

    private static boolean isEmptyList(JsonNode node) {
        return node.isArray() && node.isEmpty();
    }

    private static JsonNode asList(JsonNode node, ObjectMapper mapper) {
        if (node.isTextual()) {
            ArrayNode list = mapper.createArrayNode();
            list.add(node.asText());
            return list;
        }
        return node;
    }

    private static String text(JsonNode node, String field, String otherwise) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isEmpty() ? otherwise : value.asText();
    }
}
