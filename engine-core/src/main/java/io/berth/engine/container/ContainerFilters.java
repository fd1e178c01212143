package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.DockerFilters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's {@code filters} for {@code GET /containers/json}: within one key any value matches (or),
 * across keys all must (and). Keys, as Docker's:
 * <ul>
 *   <li>{@code id}: a prefix of the id; {@code name}: a regular expression found in the name (with or
 *       without its leading slash);</li>
 *   <li>{@code label}: {@code KEY} or {@code KEY=VALUE}, all of those given (for the other keys any value
 *       given matches); {@code ancestor}: the image by name (with or without tag) or id prefix;</li>
 *   <li>{@code status}: created, restarting, running, removing, paused, exited or dead; {@code exited}:
 *       the exit code of a container that is not running;</li>
 *   <li>{@code before} / {@code since}: created before / after the container named (id or name);</li>
 *   <li>{@code volume}: a volume's name or a mount's destination; {@code network}: the network mode;</li>
 *   <li>{@code health}: starting, healthy, unhealthy, or none for a container without a health check (or not
 *       started yet).</li>
 * </ul>
 * An unknown key or a bad value is a 400 naming it.
 */
final class ContainerFilters {
    static final Set<String> KEYS = Set.of("id", "name", "label", "status", "exited", "ancestor", "before", "since", "volume",
            "network", "health");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");
    private static final Set<String> HEALTH = Set.of("starting", "healthy", "unhealthy", "none");

    /** What a filter looks at of one container. */
    record Candidate(ContainerState.ContainerRecord record, JsonNode stored, JsonNode mounts) {}

    private final Map<String, List<String>> criteria;
    private final Map<String, String> createdOf = new LinkedHashMap<>();

    private ContainerFilters(Map<String, List<String>> criteria) {
        this.criteria = criteria;
    }

    static ContainerFilters none() {
        return new ContainerFilters(Map.of());
    }

    /**
     * Parses Docker's filters JSON (a map of arrays, or the older map of maps) and checks every value.
     *
     * @param find finds a container by id, id prefix or name, for {@code before} and {@code since}
     * @throws ContainerException invalid for malformed JSON, an unknown key or a bad value; 404 for an unknown
     *                      container in {@code before} or {@code since}
     */
    static ContainerFilters parse(String json, ObjectMapper mapper,
                                  Function<String, java.util.Optional<ContainerState.ContainerRecord>> find) {
        Map<String, List<String>> criteria = DockerFilters.parse(json, mapper, KEYS,
                key -> "invalid filter '" + key + "': containers filter by " + String.join(", ",
                        List.of("id", "name", "label", "status", "exited", "ancestor", "before", "since", "volume", "network", "health")));
        if (criteria.isEmpty()) {
            return none();
        }
        criteria.forEach((key, values) -> values.forEach(v -> check(key, v)));
        ContainerFilters filters = new ContainerFilters(criteria);
        for (String key : List.of("before", "since")) {
            for (String v : criteria.getOrDefault(key, List.of())) {
                ContainerState.ContainerRecord other = find.apply(v).orElseThrow(() ->
                        ContainerException.notFound("No such container: " + v + " (in filter '" + key + "')"));
                filters.createdOf.put(v, other.created());
            }
        }
        return filters;
    }

    private static void check(String key, String v) {
        switch (key) {
            case "status" -> {
                if (!STATUSES.contains(v)) {
                    throw ContainerException.invalid("invalid filter 'status=" + v + "': a status is one of created, restarting, "
                            + "running, removing, paused, exited, dead");
                }
            }
            case "exited" -> {
                try {
                    Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw ContainerException.invalid("invalid filter 'exited=" + v + "': an exit code is an integer");
                }
            }
            case "health" -> {
                if (!HEALTH.contains(v)) {
                    throw ContainerException.invalid("invalid filter 'health=" + v + "': health is one of starting, healthy, unhealthy, none");
                }
            }
            case "name" -> {
                try {
                    Pattern.compile(v);
                } catch (PatternSyntaxException e) {
                    throw ContainerException.invalid("invalid filter 'name=" + v + "': not a regular expression: " + e.getDescription());
                }
            }
            default -> { }
        }
    }

    /** Whether any filter asks for containers that are not running (then {@code all} is implied, as Docker's). */
    boolean includesStopped() {
        return criteria.containsKey("status") || criteria.containsKey("exited");
    }

    boolean test(Candidate c) {
        for (Map.Entry<String, List<String>> criterion : criteria.entrySet()) {
            if (criterion.getKey().equals("label")) {
                // as Docker's: every label asked for must be there (compose finds its containers by project AND service)
                for (String v : criterion.getValue()) {
                    if (!matches(c, "label", v)) {
                        return false;
                    }
                }
                continue;
            }
            boolean any = false;
            for (String v : criterion.getValue()) {
                if (matches(c, criterion.getKey(), v)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private boolean matches(Candidate c, String key, String v) {
        ContainerState.ContainerRecord r = c.record();
        return switch (key) {
            case "id" -> r.id().startsWith(v);
            case "name" -> Pattern.compile(v).matcher(r.name()).find() || Pattern.compile(v).matcher("/" + r.name()).find();
            case "label" -> {
                JsonNode labels = c.stored().path("Config").path("Labels");
                int eq = v.indexOf('=');
                yield eq < 0 ? labels.has(v) : labels.path(v.substring(0, eq)).asText("\0").equals(v.substring(eq + 1));
            }
            case "status" -> (r.restarting() ? ContainerStatus.RESTARTING : r.status()).text().equals(v);
            case "exited" -> !r.running() && r.status() != ContainerStatus.CREATED && r.exitCode() == Integer.parseInt(v);
            case "ancestor" -> ancestor(r, v);
            case "before" -> java.time.Instant.parse(r.created()).isBefore(java.time.Instant.parse(createdOf.get(v)));
            case "since" -> java.time.Instant.parse(r.created()).isAfter(java.time.Instant.parse(createdOf.get(v)));
            case "volume" -> {
                for (JsonNode mount : c.mounts()) {
                    if (v.equals(mount.path("Name").asText()) || v.equals(mount.path("Destination").asText())) {
                        yield true;
                    }
                }
                yield false;
            }
            case "network" -> {
                String mode = c.stored().path("HostConfig").path("NetworkMode").asText("");
                yield v.equals(mode.isEmpty() || mode.equals("default") ? "bridge" : mode); // the default network
            }
            case "health" -> v.equals(r.health().isEmpty() ? "none" : r.health());
            default -> false;
        };
    }

    private static boolean ancestor(ContainerState.ContainerRecord r, String v) {
        String image = r.image();
        String hex = v.startsWith("sha256:") ? v.substring(7) : v;
        return image.equals(v) || image.equals(v + ":latest") || (!v.contains(":") && image.startsWith(v + ":"))
                || (hex.length() >= 4 && r.imageId().startsWith("sha256:" + hex));
    }
}
