package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.projection.Projections;
import java.util.List;

/**
 * What the container slice needs from networks, so that it does not depend on the network slice
 * (which the daemon wires in). {@link #NONE} is the behaviour without a network driver: every
 * container gets only its loopback, and a named network is unknown.
 */
public interface ContainerNetworks {

    /**
     * Checks a create request's network mode and endpoints before the container is recorded.
     *
     * @param hostConfig       HostConfig as stored (its NetworkMode may be completed here: empty → {@code bridge})
     * @param networkingConfig NetworkingConfig, possibly missing
     * @throws io.berth.engine.domain.DomainException not found for an unknown network, invalid for a malformed port or address
     */
    void validate(ObjectNode hostConfig, JsonNode networkingConfig);

    /**
     * Connects a created, not yet started container to its networks.
     *
     * @param containerId the container
     * @param name        its name
     * @param netnsPath   its network namespace
     * @param stored      {@code {"Config", "HostConfig", "NetworkingConfig"}} as recorded at create
     * @param context     who asked
     * @return what it got on each network, the first being the primary one
     * @throws io.berth.engine.domain.DomainException when a network refuses; nothing stays connected then
     */
    List<Connected> connect(String containerId, String name, String netnsPath, JsonNode stored, RequestContext context);

    /**
     * Whether containers (and build steps) can be put on the default network {@code bridge}: a
     * network driver is running and the network exists. Without it a build step on the default
     * network keeps the host's namespace.
     */
    default boolean bridgeAvailable() {
        return false;
    }

    /** Disconnects a container from every network it is on; does nothing when it is on none. */
    void disconnect(String containerId, RequestContext context);

    /** Inspect's {@code NetworkSettings} for a container, from {@code view}. */
    ObjectNode settings(Projections view, String containerId, JsonNode stored, boolean running);

    /** The list's {@code Ports} for a container, from {@code view}. */
    ArrayNode ports(Projections view, String containerId, JsonNode stored);

    /**
     * What connecting gave a container on one network.
     *
     * @param network    the network's name
     * @param ipAddress  its address
     * @param gateway    the network's gateway, empty on an internal network
     * @param dnsServers the network's DNS server, empty without one
     * @param aliases    names the network's DNS answers
     */
    record Connected(String network, String ipAddress, String gateway, List<String> dnsServers, List<String> aliases) { }

    /** No networks: loopback only. */
    ContainerNetworks NONE = new ContainerNetworks() {
        @Override
        public void validate(ObjectNode hostConfig, JsonNode networkingConfig) {
            String network = hostConfig.path("NetworkMode").asText("");
            if (!network.isEmpty() && !network.equals("none") && !network.equals("host")) {
                throw ContainerException.notFound("network " + network + " not found");
            }
        }

        @Override
        public List<Connected> connect(String containerId, String name, String netnsPath, JsonNode stored, RequestContext context) {
            return List.of();
        }

        @Override
        public void disconnect(String containerId, RequestContext context) {
        }

        @Override
        public ObjectNode settings(Projections view, String containerId, JsonNode stored, boolean running) {
            ObjectNode network = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            network.putObject("Networks");
            network.putObject("Ports");
            return network;
        }

        @Override
        public ArrayNode ports(Projections view, String containerId, JsonNode stored) {
            return new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        }
    };
}
