package io.berth.engine.container;

import io.berth.engine.api.DockerFilters;
import io.berth.engine.api.FilterMatch;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Docker's container verbs: create, start, stop, kill, restart, wait, remove, rename, prune, pause, unpause, update. */
final class ContainerLifecycleEndpoints extends ContainerApiSupport {
    ContainerLifecycleEndpoints(Wiring wiring) {
        super(wiring);
    }

    public void create(ApiExchange exchange) throws IOException {
        String id = containers.create(body(exchange), exchange.query("name"), exchange.context());
        exchange.json(201, Map.of("Id", id, "Warnings", List.of()));
    }

    public void start(ApiExchange exchange) throws IOException {
        boolean started = containers.start(exchange.pathParam(1), exchange.context());
        exchange.text(started ? 204 : 304, "");
    }

    public void stop(ApiExchange exchange) throws IOException {
        Integer timeout = exchange.query("t") == null ? null : parseInt("t", exchange.query("t"));
        boolean stopped = containers.stop(exchange.pathParam(1), timeout, exchange.query("signal"), exchange.context());
        exchange.text(stopped ? 204 : 304, "");
    }

    public void kill(ApiExchange exchange) throws IOException {
        containers.kill(exchange.pathParam(1), exchange.query("signal"), exchange.context());
        exchange.text(204, "");
    }

    public void restart(ApiExchange exchange) throws IOException {
        Integer timeout = exchange.query("t") == null ? null : parseInt("t", exchange.query("t"));
        containers.restart(exchange.pathParam(1), timeout, exchange.context());
        exchange.text(204, "");
    }

    /**
     * {@code POST /containers/{id}/wait?condition=}: the head is sent at once and the body when the
     * condition holds, as Docker does; Docker's CLI waits for the head before it starts the container.
     */
    public void await(ApiExchange exchange) throws IOException {
        String id = containers.require(exchange.pathParam(1)).id();
        String condition = ContainerService.waitCondition(exchange.query("condition"));
        try (OutputStream out = exchange.binary("application/json")) {
            int code = containers.await(id, condition);
            ObjectNode answer = mapper.createObjectNode();
            answer.put("StatusCode", code);
            answer.putNull("Error");
            out.write(mapper.writeValueAsBytes(answer));
            out.write('\n');
        }
    }

    public void remove(ApiExchange exchange) throws IOException {
        containers.remove(exchange.pathParam(1), exchange.queryFlag("force", false), exchange.queryFlag("v", false), exchange.context());
        exchange.text(204, "");
    }

    public void rename(ApiExchange exchange) throws IOException {
        String name = exchange.query("name");
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("name is required");
        }
        containers.rename(exchange.pathParam(1), name, exchange.context());
        exchange.text(204, "");
    }

    /** {@code POST /containers/prune?filters=}: Docker's {@code until}, {@code label} and {@code label!}. */
    public void prune(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = DockerFilters.parse(exchange.query("filters"), mapper,
                java.util.Set.of("until", "label", "label!"), key -> "invalid filter '" + key + "'");
        Instant until = FilterMatch.until(filters);
        List<String> labels = filters.getOrDefault("label", List.of());
        List<String> notLabels = filters.getOrDefault("label!", List.of());
        exchange.json(200, containers.prune(c -> {
            Map<String, String> containerLabels = new java.util.TreeMap<>();
            containers.config(c).path("Config").path("Labels").fields()
                    .forEachRemaining(f -> containerLabels.put(f.getKey(), f.getValue().asText()));
            return FilterMatch.labelsMatchAll(containerLabels, labels)
                    && !FilterMatch.labelsMatchAny(containerLabels, notLabels)
                    && FilterMatch.createdBefore(c.created(), until);
        }, exchange.context()));
    }

    /** {@code POST /containers/{id}/pause}. */
    public void pause(ApiExchange exchange) throws IOException {
        resources().pause(exchange.pathParam(1), exchange.context());
        exchange.text(204, "");
    }

    /** {@code POST /containers/{id}/unpause}. */
    public void unpause(ApiExchange exchange) throws IOException {
        resources().unpause(exchange.pathParam(1), exchange.context());
        exchange.text(204, "");
    }

    /** {@code POST /containers/{id}/update}: Docker's {@code ContainerUpdate} body (resources and restart policy). */
    public void update(ApiExchange exchange) throws IOException {
        exchange.json(200, resources().update(exchange.pathParam(1), body(exchange), exchange.context()));
    }
}
