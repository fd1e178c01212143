package io.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.api.DockerFilters;
import io.berth.engine.container.ContainerService;
import io.berth.engine.container.ContainerState;
import io.berth.engine.history.TimeTravel;
import io.berth.engine.projection.Projections;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's {@code /networks} endpoints: create, list (filters), inspect, connect, disconnect,
 * remove, prune, with Docker's shapes and status codes; list and inspect take berth's {@code at}.
 */
public final class NetworkEndpoints {
    private static final Set<String> LIST_FILTERS = Set.of("dangling", "driver", "id", "label", "name", "scope", "type");
    private final NetworkService networks;
    private final ContainerService containers;
    private final ObjectMapper mapper;
    private TimeTravel history;

    public NetworkEndpoints(NetworkService networks, ContainerService containers, ObjectMapper mapper) {
        this.networks = networks;
        this.containers = containers;
        this.mapper = mapper;
    }

    /** Answers {@code ?at=} from the log's past. */
    public NetworkEndpoints withHistory(TimeTravel history) {
        this.history = history;
        return this;
    }

    private Projections view(ApiExchange exchange) {
        Projections view = history == null ? null : history.view(exchange);
        return view == null ? containers.projections() : view;
    }

    private JsonNode body(ApiExchange exchange) throws IOException {
        byte[] bytes = exchange.bodyBytes();
        if (bytes.length == 0) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid JSON body: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** {@code POST /networks/create}. */
    public void create(ApiExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        if (body.path("EnableIPv6").asBoolean(false)) {
            throw ApiException.badRequest("network " + body.path("Name").asText() + ": IPv6 is not supported by berth yet");
        }
        JsonNode config = body.path("IPAM").path("Config");
        if (config.size() > 1) {
            throw ApiException.badRequest("network " + body.path("Name").asText() + ": one subnet per network");
        }
        JsonNode first = config.path(0);
        String subnet = first.path("Subnet").asText("");
        String gateway = first.path("Gateway").asText("");
        Map<String, String> labels = new LinkedHashMap<>();
        body.path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        Map<String, String> options = new LinkedHashMap<>();
        body.path("Options").fields().forEachRemaining(f -> options.put(f.getKey(), f.getValue().asText()));
        NetworkState.NetworkRecord made = networks.create(new NetworkService.CreateRequest(body.path("Name").asText(""),
                body.path("Driver").asText(""), subnet.isEmpty() ? null : subnet, gateway.isEmpty() ? null : gateway,
                body.path("Internal").asBoolean(false), labels, options), exchange.context());
        ObjectNode answer = mapper.createObjectNode();
        answer.put("Id", made.id);
        answer.put("Warning", "");
        exchange.json(201, answer);
    }

    /** {@code GET /networks?filters=}. */
    public void list(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = DockerFilters.parse(exchange.query("filters"), mapper, LIST_FILTERS,
                key -> "invalid filter '" + key + "'");
        Projections view = view(exchange);
        ArrayNode list = mapper.createArrayNode();
        for (NetworkState.NetworkRecord network : networks.list(view)) {
            if (matches(network, filters)) {
                list.add(json(network, view, false));
            }
        }
        exchange.json(200, list);
    }

    static boolean matches(NetworkState.NetworkRecord network, Map<String, List<String>> filters) {
        for (Map.Entry<String, List<String>> filter : filters.entrySet()) {
            List<String> values = filter.getValue();
            boolean any = switch (filter.getKey()) {
                case "name" -> values.stream().anyMatch(network.name::contains);
                case "id" -> values.stream().anyMatch(network.id::startsWith);
                case "driver" -> values.contains(network.driver);
                case "scope" -> values.contains("local");
                case "type" -> values.stream().anyMatch(v -> v.equals(network.name.equals(NetworkService.DEFAULT_NETWORK) ? "builtin" : "custom"));
                case "dangling" -> values.stream().anyMatch(v -> (v.equals("true") || v.equals("1"))
                        == (network.endpoints.isEmpty() && !network.name.equals(NetworkService.DEFAULT_NETWORK)));
                case "label" -> values.stream().allMatch(v -> {
                    int eq = v.indexOf('=');
                    return eq < 0 ? network.labels.containsKey(v) : v.substring(eq + 1).equals(network.labels.get(v.substring(0, eq)));
                });
                default -> true;
            };
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /** {@code GET /networks/{id}}. */
    public void inspect(ApiExchange exchange) throws IOException {
        Projections view = view(exchange);
        String idOrName = exchange.pathParam(1);
        NetworkState.NetworkRecord network = networks.find(view, idOrName)
                .orElseThrow(() -> ApiException.notFound("network " + idOrName + " not found"));
        exchange.json(200, json(network, view, true));
    }

    private ObjectNode json(NetworkState.NetworkRecord network, Projections view, boolean withContainers) {
        ObjectNode n = mapper.createObjectNode();
        n.put("Name", network.name);
        n.put("Id", network.id);
        n.put("Created", network.created);
        n.put("Scope", "local");
        n.put("Driver", network.driver);
        n.put("EnableIPv6", false);
        ObjectNode ipam = n.putObject("IPAM");
        ipam.put("Driver", "default");
        ipam.putObject("Options");
        ArrayNode config = ipam.putArray("Config");
        for (NetworkState.SubnetRecord subnet : network.subnets) {
            ObjectNode s = config.addObject();
            s.put("Subnet", subnet.subnet);
            if (subnet.gateway != null && !subnet.gateway.isEmpty()) {
                s.put("Gateway", subnet.gateway);
            }
        }
        n.put("Internal", network.internal);
        n.put("Attachable", false);
        n.put("Ingress", false);
        n.putObject("ConfigFrom").put("Network", "");
        n.put("ConfigOnly", false);
        ObjectNode members = n.putObject("Containers");
        if (withContainers) {
            for (NetworkState.EndpointRecord endpoint : network.endpoints.values()) {
                ObjectNode m = members.putObject(endpoint.containerId);
                m.put("Name", containers.find(view, endpoint.containerId).map(c -> c.name()).orElse(""));
                m.put("EndpointID", NetworkSettingsView.endpointId(network.id, endpoint.containerId));
                m.put("MacAddress", endpoint.macAddress);
                m.put("IPv4Address", endpoint.ipAddress + "/" + endpoint.prefixLength);
                m.put("IPv6Address", "");
            }
        }
        ObjectNode options = n.putObject("Options");
        network.options.forEach(options::put);
        ObjectNode labels = n.putObject("Labels");
        network.labels.forEach(labels::put);
        return n;
    }

    /** {@code DELETE /networks/{id}}. */
    public void remove(ApiExchange exchange) throws IOException {
        networks.remove(exchange.pathParam(1), exchange.context());
        exchange.text(204, "");
    }

    /** {@code POST /networks/prune?filters=} (until, label). */
    public void prune(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = DockerFilters.parse(exchange.query("filters"), mapper, Set.of("until", "label", "label!"),
                key -> "invalid filter '" + key + "'");
        Instant until = filters.containsKey("until") ? untilOf(filters.get("until").getFirst()) : null;
        List<String> removed = networks.prune(network -> {
            if (until != null && Instant.parse(network.created).isAfter(until)) {
                return false;
            }
            for (String label : filters.getOrDefault("label", List.of())) {
                if (!matches(network, Map.of("label", List.of(label)))) {
                    return false;
                }
            }
            for (String label : filters.getOrDefault("label!", List.of())) {
                if (matches(network, Map.of("label", List.of(label)))) {
                    return false;
                }
            }
            return true;
        }, exchange.context());
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode deleted = answer.putArray("NetworksDeleted");
        removed.forEach(deleted::add);
        exchange.json(200, answer);
    }

    private static Instant untilOf(String value) {
        try {
            if (value.matches("\\d+")) {
                return Instant.ofEpochSecond(Long.parseLong(value));
            }
            if (value.matches("\\d+[smh]")) {
                long amount = Long.parseLong(value.substring(0, value.length() - 1));
                Duration d = switch (value.charAt(value.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
                return Instant.now().minus(d);
            }
            return Instant.parse(value);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid filter 'until=" + value + "': a time, a Unix time or a duration such as 10m");
        }
    }

    /**
     * {@code POST /networks/{id}/connect} {@code {"Container", "EndpointConfig"}}: recorded for the
     * container's starts; a running container joins now too.
     */
    public void connect(ApiExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        String networkName = exchange.pathParam(1);
        networks.require(networkName);
        ContainerState.ContainerRecord container = containers.require(body.path("Container").asText(""));
        networks.connect(networkName, container.id(), container.name(), container.running(), container.pid(),
                containers.config(container), body.path("EndpointConfig"), exchange.context());
        exchange.text(200, "");
    }

    /** {@code POST /networks/{id}/disconnect} {@code {"Container", "Force"}}: recorded; a running container leaves now too. */
    public void disconnect(ApiExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        ContainerState.ContainerRecord container = containers.require(body.path("Container").asText(""));
        networks.disconnect(exchange.pathParam(1), container.id(), containers.config(container), exchange.context());
        exchange.text(200, "");
    }
}
