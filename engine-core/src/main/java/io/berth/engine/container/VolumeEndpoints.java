package io.berth.engine.container;

import io.berth.engine.api.DockerFilters;
import io.berth.engine.api.FilterMatch;
import io.berth.engine.projection.Projections;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Docker's volume endpoints: create, list, inspect, remove and prune. */
final class VolumeEndpoints extends ContainerApiSupport {
    VolumeEndpoints(Wiring wiring) {
        super(wiring);
    }

    public void volumeCreate(ApiExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        body.path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        String driver = body.path("Driver").asText("local");
        if (!driver.isEmpty() && !driver.equals("local")) {
            throw ApiException.badRequest("volume driver " + driver + " is not supported: only local");
        }
        VolumeService.Created created = volumes.create(body.path("Name").asText(""), labels, false, exchange.context());
        exchange.json(201, volumeJson(created.volume()));
    }

    /** {@code GET /volumes?filters=}: Docker's {@code name} (a substring), {@code label}, {@code dangling} and {@code driver}. */
    public void volumeList(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = DockerFilters.parse(exchange.query("filters"), mapper,
                java.util.Set.of("name", "label", "dangling", "driver"), key -> "invalid filter '" + key + "'");
        Boolean dangling = FilterMatch.bool(filters, "dangling");
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode list = answer.putArray("Volumes");
        Projections view = view(exchange);
        for (ContainerState.VolumeRecord v : view == null ? volumes.list() : volumes.list(view)) {
            if (filters.containsKey("name") && filters.get("name").stream().noneMatch(v.name::contains)
                    || filters.containsKey("driver") && !filters.get("driver").contains(v.driver)
                    || !FilterMatch.labelsMatchAll(v.labels, filters.getOrDefault("label", List.of()))
                    || dangling != null && dangling == volumes.inUse(v.name)) {
                continue;
            }
            list.add(volumeJson(v));
        }
        answer.putArray("Warnings");
        exchange.json(200, answer);
    }

    public void volumeInspect(ApiExchange exchange) throws IOException {
        String name = exchange.pathParam(1);
        Projections view = view(exchange);
        exchange.json(200, volumeJson((view == null ? volumes.find(name) : volumes.find(view, name)).orElseThrow(() -> ApiException.notFound("get " + name + ": no such volume"))));
    }

    public void volumeRemove(ApiExchange exchange) throws IOException {
        volumes.remove(exchange.pathParam(1), exchange.queryFlag("force", false), exchange.context());
        exchange.text(204, "");
    }

    public void volumePrune(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = DockerFilters.parse(exchange.query("filters"), mapper,
                java.util.Set.of("all", "label", "label!"), key -> "invalid filter '" + key + "'");
        Boolean all = FilterMatch.bool(filters, "all");
        if (all == null && exchange.apiVersionBefore(1, 42)) {
            all = true; // before API 1.42 (Docker 23) a prune removed every unused volume, named ones too; 20.10's CLI speaks 1.41
        }
        List<String> labels = filters.getOrDefault("label", List.of());
        List<String> notLabels = filters.getOrDefault("label!", List.of());
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode deleted = answer.putArray("VolumesDeleted");
        volumes.prune(all != null && all, v -> FilterMatch.labelsMatchAll(v.labels, labels)
                && !FilterMatch.labelsMatchAny(v.labels, notLabels), exchange.context()).forEach(deleted::add);
        answer.put("SpaceReclaimed", 0);
        exchange.json(200, answer);
    }

    private ObjectNode volumeJson(ContainerState.VolumeRecord v) {
        ObjectNode node = mapper.createObjectNode();
        node.put("Name", v.name);
        node.put("Driver", v.driver);
        node.put("Mountpoint", v.mountpoint);
        node.put("CreatedAt", v.createdAt);
        node.set("Labels", mapper.valueToTree(v.labels));
        node.put("Scope", "local");
        node.putObject("Options");
        return node;
    }
}
