package io.berth.engine.container;

import io.berth.engine.history.TimeTravel;
import io.berth.engine.projection.Projections;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import java.io.IOException;

/**
 * What the container slice's endpoint classes share: the services they call (wired once by the daemon through
 * {@link ContainerEndpoints}) and the small readings of a request every group needs.
 */
abstract class ContainerApiSupport {
    /** The services behind the endpoints; the optional ones are set by {@link ContainerEndpoints}'s {@code with…}. */
    static final class Wiring {
        final ContainerService containers;
        final VolumeService volumes;
        final ObjectMapper mapper;
        volatile TimeTravel history;
        volatile ExecService execs;
        volatile ContainerResources resources;
        volatile ContainerCommit commits;

        Wiring(ContainerService containers, VolumeService volumes, ObjectMapper mapper) {
            this.containers = containers;
            this.volumes = volumes;
            this.mapper = mapper;
        }
    }

    private final Wiring wiring;
    protected final ContainerService containers;
    protected final VolumeService volumes;
    protected final ObjectMapper mapper;

    ContainerApiSupport(Wiring wiring) {
        this.wiring = wiring;
        this.containers = wiring.containers;
        this.volumes = wiring.volumes;
        this.mapper = wiring.mapper;
    }

    protected ExecService execs() {
        return wiring.execs;
    }

    protected ContainerResources resources() {
        return wiring.resources;
    }

    protected ContainerCommit commits() {
        return wiring.commits;
    }

    /** The state the request asks about: the live one (null), or the past one its {@code at} parameter names. */
    protected Projections view(ApiExchange exchange) {
        TimeTravel history = wiring.history;
        return history == null ? null : history.view(exchange);
    }

    protected JsonNode body(ApiExchange exchange) throws IOException {
        byte[] bytes = exchange.bodyBytes();
        if (bytes.length == 0) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("invalid JSON body: " + e.getOriginalMessage());
        }
    }

    protected static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid value for " + name + ": \"" + value + "\": not an integer");
        }
    }

    protected static String streamType(boolean tty) {
        return tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
    }
}
