package io.berth.engine.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.events.ImageLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The image a stage is making, as it stands after each instruction: the config fields Docker's
 * builder sets, the history, the layers, the cache key of the state, and the ARGs in scope.
 */
final class StageState {
    String os = "linux";
    String architecture = "amd64";
    String variant = "";
    String author = "";
    List<String> env = new ArrayList<>();
    List<String> cmd;
    List<String> entrypoint;
    String workingDir = "";
    String user = "";
    TreeMap<String, Boolean> exposedPorts = new TreeMap<>();
    TreeMap<String, Boolean> volumes = new TreeMap<>();
    TreeMap<String, String> labels = new TreeMap<>();
    String stopSignal = "";
    ObjectNode healthcheck;
    List<String> onBuild = new ArrayList<>();
    List<String> shell;
    List<ObjectNode> history = new ArrayList<>();
    List<ImageLayer> layers = new ArrayList<>();
    String cacheKey;
    /** ARGs declared in the stage so far, with their values ({@code null}: declared without a value). */
    Map<String, String> args = new LinkedHashMap<>();

    StageState copy() {
        StageState s = new StageState();
        s.os = os;
        s.architecture = architecture;
        s.variant = variant;
        s.author = author;
        s.env = new ArrayList<>(env);
        s.cmd = cmd == null ? null : new ArrayList<>(cmd);
        s.entrypoint = entrypoint == null ? null : new ArrayList<>(entrypoint);
        s.workingDir = workingDir;
        s.user = user;
        s.exposedPorts = new TreeMap<>(exposedPorts);
        s.volumes = new TreeMap<>(volumes);
        s.labels = new TreeMap<>(labels);
        s.stopSignal = stopSignal;
        s.healthcheck = healthcheck == null ? null : healthcheck.deepCopy();
        s.onBuild = new ArrayList<>(onBuild);
        s.shell = shell == null ? null : new ArrayList<>(shell);
        s.history = new ArrayList<>(history);
        s.layers = new ArrayList<>(layers);
        s.cacheKey = cacheKey;
        s.args = new LinkedHashMap<>();
        return s;
    }

    /** Reads the fields the builder keeps from a base image's config blob. */
    static StageState fromImageConfig(JsonNode image) {
        StageState s = new StageState();
        s.os = image.path("os").asText("linux");
        s.architecture = image.path("architecture").asText("amd64");
        s.variant = image.path("variant").asText("");
        s.author = image.path("author").asText("");
        JsonNode c = image.path("config");
        c.path("Env").forEach(e -> s.env.add(e.asText()));
        s.cmd = strings(c.get("Cmd"));
        s.entrypoint = strings(c.get("Entrypoint"));
        s.workingDir = c.path("WorkingDir").asText("");
        s.user = c.path("User").asText("");
        c.path("ExposedPorts").fieldNames().forEachRemaining(p -> s.exposedPorts.put(p, true));
        c.path("Volumes").fieldNames().forEachRemaining(p -> s.volumes.put(p, true));
        c.path("Labels").fields().forEachRemaining(f -> s.labels.put(f.getKey(), f.getValue().asText()));
        s.stopSignal = c.path("StopSignal").asText("");
        if (c.path("Healthcheck").isObject()) {
            s.healthcheck = (ObjectNode) c.get("Healthcheck").deepCopy();
        }
        c.path("OnBuild").forEach(o -> s.onBuild.add(o.asText()));
        s.shell = strings(c.get("Shell"));
        image.path("history").forEach(h -> s.history.add((ObjectNode) h.deepCopy()));
        return s;
    }

    private static List<String> strings(JsonNode node) {
        if (node == null || !node.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    List<String> shellOrDefault() {
        return shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell;
    }

    /** @return the value of an ENV variable, or null */
    String envValue(String name) {
        for (String e : env) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? e : e.substring(0, eq);
            if (key.equals(name)) {
                return eq < 0 ? "" : e.substring(eq + 1);
            }
        }
        return null;
    }

    void setEnv(String name, String value) {
        for (int i = 0; i < env.size(); i++) {
            String e = env.get(i);
            int eq = e.indexOf('=');
            String key = eq < 0 ? e : e.substring(0, eq);
            if (key.equals(name)) {
                env.set(i, name + "=" + value);
                return;
            }
        }
        env.add(name + "=" + value);
    }

    /**
     * The image config blob, deterministic: fields in a fixed order, maps sorted, times from the
     * build's epoch.
     */
    byte[] configJson(ObjectMapper mapper, String created) throws java.io.IOException {
        ObjectNode root = mapper.createObjectNode();
        root.put("architecture", architecture);
        if (!author.isEmpty()) {
            root.put("author", author);
        }
        ObjectNode c = root.putObject("config");
        if (!user.isEmpty()) {
            c.put("User", user);
        }
        if (!exposedPorts.isEmpty()) {
            ObjectNode ports = c.putObject("ExposedPorts");
            exposedPorts.keySet().forEach(p -> ports.putObject(p));
        }
        if (!env.isEmpty()) {
            ArrayNode e = c.putArray("Env");
            env.forEach(e::add);
        }
        if (entrypoint != null) {
            ArrayNode e = c.putArray("Entrypoint");
            entrypoint.forEach(e::add);
        }
        if (cmd != null) {
            ArrayNode e = c.putArray("Cmd");
            cmd.forEach(e::add);
        }
        if (healthcheck != null) {
            c.set("Healthcheck", healthcheck);
        }
        if (!volumes.isEmpty()) {
            ObjectNode v = c.putObject("Volumes");
            volumes.keySet().forEach(p -> v.putObject(p));
        }
        if (!workingDir.isEmpty()) {
            c.put("WorkingDir", workingDir);
        }
        if (!labels.isEmpty()) {
            ObjectNode l = c.putObject("Labels");
            labels.forEach(l::put);
        }
        if (!onBuild.isEmpty()) {
            ArrayNode o = c.putArray("OnBuild");
            onBuild.forEach(o::add);
        }
        if (!stopSignal.isEmpty()) {
            c.put("StopSignal", stopSignal);
        }
        if (shell != null) {
            ArrayNode s = c.putArray("Shell");
            shell.forEach(s::add);
        }
        root.put("created", created);
        ArrayNode h = root.putArray("history");
        history.forEach(h::add);
        root.put("os", os);
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(l -> diffIds.add(l.diffId()));
        if (!variant.isEmpty()) {
            root.put("variant", variant);
        }
        return mapper.writeValueAsBytes(root);
    }

    String topChainId() {
        return layers.isEmpty() ? null : layers.getLast().chainId();
    }

    static Map<String, String> envMap(List<String> env) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String e : env) {
            int eq = e.indexOf('=');
            m.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
        }
        return m;
    }
}
