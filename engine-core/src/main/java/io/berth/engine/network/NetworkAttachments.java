package io.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.container.ContainerNetworks.Connected;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.NetworkEvent;
import io.berth.spi.NetworkDriver;
import io.berth.spi.network.AttachRequest;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.PortMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Containers on networks: attaching a starting container to every network it joins (publishing its ports on the
 * first), attaching a running one to one more, and detaching, each step recorded as it succeeds. Which networks a
 * container joins and the networks themselves come from {@link NetworkService}.
 */
final class NetworkAttachments {
    private static final System.Logger LOG = System.getLogger("berth.networks");

    private final NetworkService networks;
    private final Journal journal;
    private final ObjectMapper mapper;
    private final Object detaching = new Object();

    NetworkAttachments(NetworkService networks, Journal journal, ObjectMapper mapper) {
        this.networks = networks;
        this.journal = journal;
        this.mapper = mapper;
    }

    List<Connected> connect(String containerId, String name, String netnsPath, JsonNode stored, RequestContext context) {
        List<String> targets = networks.targets(journal.projections(), containerId, stored);
        if (targets.isEmpty()) {
            return List.of();
        }
        disconnect(containerId, context); // what a previous run left (its exit not yet released)
        NetworkDriver driver = networks.driver();
        List<Connected> connected = new ArrayList<>();
        List<NetworkState.NetworkRecord> done = new ArrayList<>();
        try {
            int index = 0;
            for (String target : targets) {
                NetworkState.NetworkRecord network = networks.require(target);
                JsonNode endpoint = endpointConfig(stored, target, network);
                NetworkState.MembershipRecord membership = network.memberships.get(containerId);
                if (membership != null && membership.member) {
                    endpoint = membershipConfig(membership);
                }
                List<String> aliases = new ArrayList<>();
                endpoint.path("Aliases").forEach(a -> {
                    if (!aliases.contains(a.asText())) {
                        aliases.add(a.asText());
                    }
                });
                if (network.dnsEnabled && !aliases.contains(containerId.substring(0, 12))) {
                    aliases.add(containerId.substring(0, 12)); // Docker's user networks answer the short id too
                }
                String staticIp = endpoint.path("IPAMConfig").path("IPv4Address").asText("");
                List<PortMapping> ports = index == 0 ? PortSpecs.chooseHostPorts(PortSpecs.requested(stored)) : List.of();
                AttachRequest request = new AttachRequest(containerId, name, netnsPath, aliases,
                        staticIp.isEmpty() ? null : staticIp, "eth" + index, ports);
                Attachment attachment;
                try {
                    attachment = driver.attach(network.id, request);
                } catch (NetworkException e) {
                    throw NetworkDomainException.of(e);
                }
                done.add(network);
                List<Event> events = new ArrayList<>();
                events.add(new NetworkEvent.ContainerConnected(network.id, containerId, attachment.interfaceName(),
                        attachment.ipAddress(), attachment.prefixLength(), attachment.gateway(), attachment.macAddress(),
                        attachment.aliases(), attachment.dnsServers()));
                if (!attachment.portMappings().isEmpty()) {
                    events.add(new NetworkEvent.PortsPublished(network.id, containerId, attachment.portMappings()));
                }
                journal.record(context, events);
                connected.add(new Connected(network.name, attachment.ipAddress(), attachment.gateway(), attachment.dnsServers(), attachment.aliases()));
                index++;
            }
        } catch (RuntimeException e) {
            for (NetworkState.NetworkRecord network : done) {
                detachRecorded(network, containerId, context);
            }
            throw e;
        }
        return connected;
    }

    /** The endpoint settings the container's create gave for {@code target} (by the name used, the network's name or its id). */
    static JsonNode endpointConfig(JsonNode stored, String target, NetworkState.NetworkRecord network) {
        JsonNode endpoints = stored.path("NetworkingConfig").path("EndpointsConfig");
        JsonNode byTarget = endpoints.path(target);
        if (!byTarget.isMissingNode()) {
            return byTarget;
        }
        JsonNode byName = endpoints.path(network.name);
        if (byName.isMissingNode() && network.name.equals(NetworkService.DEFAULT_NETWORK)) {
            byName = endpoints.path("default");
        }
        return byName.isMissingNode() ? endpoints.path(network.id) : byName;
    }

    void disconnect(String containerId, RequestContext context) {
        Optional<NetworkDriver> driver = networks.optionalDriver();
        if (driver.isEmpty()) {
            return;
        }
        for (NetworkState.NetworkRecord network : networks.list()) {
            if (network.endpoints.containsKey(containerId)) {
                detachRecorded(network, containerId, context);
            }
        }
    }

    /** Connects a running container's namespace to one more network ({@code POST /networks/{id}/connect}). */
    Connected connectRunning(String networkIdOrName, String containerId, String containerName, long pid, JsonNode endpointConfig,
                                    RequestContext context) {
        NetworkState.NetworkRecord network = networks.require(networkIdOrName);
        if (network.endpoints.containsKey(containerId)) {
            throw NetworkDecider.alreadyThere(containerName, network);
        }
        ObjectNode stored = mapper.createObjectNode();
        stored.putObject("HostConfig").put("NetworkMode", network.name);
        if (endpointConfig != null && endpointConfig.isObject()) {
            stored.putObject("NetworkingConfig").putObject("EndpointsConfig").set(network.name, endpointConfig);
        }
        Set<String> interfaces = new java.util.HashSet<>();
        for (NetworkState.NetworkRecord other : networks.list()) {
            NetworkState.EndpointRecord endpoint = other.endpoints.get(containerId);
            if (endpoint != null) {
                interfaces.add(endpoint.interfaceName);
            }
        }
        int index = 0;
        while (interfaces.contains("eth" + index)) {
            index++;
        }
        JsonNode endpoint = endpointConfig(stored, network.name, network);
        List<String> aliases = new ArrayList<>();
        endpoint.path("Aliases").forEach(a -> aliases.add(a.asText()));
        if (network.dnsEnabled) {
            aliases.add(containerId.substring(0, 12));
        }
        String staticIp = endpoint.path("IPAMConfig").path("IPv4Address").asText("");
        Attachment attachment;
        try {
            attachment = networks.driver().attach(network.id, new AttachRequest(containerId, containerName, "/proc/" + pid + "/ns/net",
                    aliases, staticIp.isEmpty() ? null : staticIp, "eth" + index, List.of()));
        } catch (NetworkException e) {
            throw NetworkDomainException.of(e);
        }
        journal.record(context, new NetworkEvent.ContainerConnected(network.id, containerId, attachment.interfaceName(),
                attachment.ipAddress(), attachment.prefixLength(), attachment.gateway(), attachment.macAddress(),
                attachment.aliases(), attachment.dnsServers()));
        return new Connected(network.name, attachment.ipAddress(), attachment.gateway(), attachment.dnsServers(), attachment.aliases());
    }

    void detachRecorded(NetworkState.NetworkRecord network, String containerId, RequestContext context) {
        synchronized (detaching) {
            // again under the lock: an exit's release and the start-up reconcile may both get here
            if (networks.find(network.id).map(n -> !n.endpoints.containsKey(containerId)).orElse(true)) {
                return;
            }
            detachLocked(network, containerId, context);
        }
    }

    private void detachLocked(NetworkState.NetworkRecord network, String containerId, RequestContext context) {
        try {
            networks.driver().detach(network.id, containerId);
        } catch (NetworkException | RuntimeException e) {
            // the driver keeps the attachment so that a later call retries; the log says it is still there
            LOG.log(System.Logger.Level.WARNING, "cannot disconnect " + containerId + " from " + network.name + ": " + e.getMessage());
            return;
        }
        journal.record(context, new NetworkEvent.ContainerDisconnected(network.id, containerId));
    }

    private JsonNode membershipConfig(NetworkState.MembershipRecord membership) {
        ObjectNode config = mapper.createObjectNode();
        ArrayNode aliases = config.putArray("Aliases");
        membership.aliases.forEach(aliases::add);
        if (!membership.ipv4Address.isEmpty()) {
            config.putObject("IPAMConfig").put("IPv4Address", membership.ipv4Address);
        }
        return config;
    }

}
