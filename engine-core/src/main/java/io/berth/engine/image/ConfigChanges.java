package io.berth.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.dockerfile.DockerWordExpander;
import io.berth.engine.dockerfile.DockerfileException;
import io.berth.engine.dockerfile.DockerfileParser;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Location;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's {@code --change} for {@code commit} and {@code import}: Dockerfile instructions that change an
 * image's config, applied in order to a Docker {@code Config} object. Only the instructions Docker accepts
 * there: {@code CMD}, {@code ENTRYPOINT}, {@code ENV}, {@code EXPOSE}, {@code LABEL}, {@code ONBUILD},
 * {@code STOPSIGNAL}, {@code USER}, {@code VOLUME}, {@code WORKDIR}. Words are expanded with the config's
 * environment as it is when the instruction applies, as Docker's builder does.
 */
public final class ConfigChanges {
    private static final DockerWordExpander EXPANDER = new DockerWordExpander();
    private static final List<String> ALLOWED = List.of("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD",
            "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");

    private ConfigChanges() {
    }

    /**
     * @param config  Docker's {@code Config} object, changed in place
     * @param changes the instructions, one per entry, as the client sent them
     * @throws ApiException (400) naming the change that is not an allowed instruction or does not parse
     */
    public static void apply(ObjectNode config, List<String> changes) {
        for (String change : changes) {
            if (change == null || change.isBlank()) {
                continue;
            }
            String keyword = change.strip().split("\\s+", 2)[0].toUpperCase(java.util.Locale.ROOT);
            if (!ALLOWED.contains(keyword)) {
                throw ApiException.badRequest(keyword + " is not a valid change command");
            }
            Instruction instruction;
            try {
                instruction = DockerfileParser.parseInstruction(change.strip(), new Location("change", 1, 1), '\\');
                apply(config, instruction);
            } catch (DockerfileException e) {
                throw ApiException.badRequest("invalid change \"" + change.strip() + "\": " + e.getMessage());
            }
        }
    }

    private static void apply(ObjectNode config, Instruction instruction) throws DockerfileException {
        Map<String, String> env = env(config);
        switch (instruction) {
            case Instruction.Cmd cmd -> config.set("Cmd", array(config, command(cmd.command())));
            case Instruction.Entrypoint entrypoint -> config.set("Entrypoint", array(config, command(entrypoint.command())));
            case Instruction.Env e -> {
                Map<String, String> before = new LinkedHashMap<>(env); // every word of the line sees the environment before it
                for (Instruction.KeyValue kv : e.pairs()) {
                    env.put(expand(kv.key(), before), expand(kv.value(), before));
                }
                ArrayNode list = config.putArray("Env");
                env.forEach((k, v) -> list.add(k + "=" + v));
            }
            case Instruction.Label label -> {
                ObjectNode labels = object(config, "Labels");
                for (Instruction.KeyValue kv : label.pairs()) {
                    labels.put(expand(kv.key(), env), expand(kv.value(), env));
                }
            }
            case Instruction.Expose expose -> {
                ObjectNode ports = object(config, "ExposedPorts");
                for (String word : expose.ports()) {
                    String port = expand(word, env);
                    ports.putObject(port.contains("/") ? port : port + "/tcp");
                }
            }
            case Instruction.Volume volume -> {
                ObjectNode volumes = object(config, "Volumes");
                for (String path : volume.paths()) {
                    volumes.putObject(expand(path, env).strip());
                }
            }
            case Instruction.User user -> config.put("User", expand(user.user(), env));
            case Instruction.Workdir workdir -> {
                String dir = expand(workdir.path(), env);
                String current = config.path("WorkingDir").asText("");
                config.put("WorkingDir", dir.startsWith("/") ? dir : (current.isEmpty() ? "/" : current + "/") + dir);
            }
            case Instruction.StopSignal stop -> config.put("StopSignal", expand(stop.signal(), env));
            case Instruction.Onbuild onbuild -> {
                ArrayNode triggers = config.has("OnBuild") && config.get("OnBuild").isArray()
                        ? (ArrayNode) config.get("OnBuild") : config.putArray("OnBuild");
                triggers.add(onbuild.triggerSource());
            }
            default -> throw new DockerfileException(instruction.location(), "not a valid change command");
        }
    }

    private static List<String> command(Instruction.CommandLine line) {
        if (line.execForm()) {
            return line.words();
        }
        List<String> words = new ArrayList<>(List.of("/bin/sh", "-c"));
        if (!line.words().isEmpty()) {
            words.add(line.words().getFirst());
        }
        return words;
    }

    private static ArrayNode array(ObjectNode config, List<String> words) {
        ArrayNode array = config.arrayNode();
        words.forEach(array::add);
        return array;
    }

    private static ObjectNode object(ObjectNode config, String field) {
        JsonNode node = config.get(field);
        return node != null && node.isObject() ? (ObjectNode) node : config.putObject(field);
    }

    private static Map<String, String> env(ObjectNode config) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode entry : config.path("Env")) {
            String text = entry.asText();
            int eq = text.indexOf('=');
            env.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? "" : text.substring(eq + 1));
        }
        return env;
    }

    private static String expand(String word, Map<String, String> env) throws DockerfileException {
        return EXPANDER.expand(word, env::get, '\\', new Location("change", 1, 1));
    }
}
