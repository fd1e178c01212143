package io.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.projection.Projections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's networks as Docker's inspect and list show them ({@code NetworkSettings}, {@code Ports}), read
 * from the network projection (live or past); writes nothing.
 */
final class NetworkSettingsView {
    private final NetworkService service;
    private final ObjectMapper mapper;

    NetworkSettingsView(NetworkService networks, ObjectMapper mapper) {
        this.service = networks;
        this.mapper = mapper;
    }

    ObjectNode settings(Projections view, String containerId, JsonNode stored, boolean running) {
        ObjectNode settings = mapper.createObjectNode();
        settings.put("Bridge", "");
        settings.put("SandboxID", "");
        settings.put("HairpinMode", false);
        settings.put("LinkLocalIPv6Address", "");
        settings.put("LinkLocalIPv6PrefixLen", 0);
        ObjectNode ports = settings.putObject("Ports");
        settings.put("SandboxKey", "");
        settings.putNull("SecondaryIPAddresses");
        settings.putNull("SecondaryIPv6Addresses");
        settings.put("EndpointID", "");
        settings.put("Gateway", "");
        settings.put("GlobalIPv6Address", "");
        settings.put("GlobalIPv6PrefixLen", 0);
        settings.put("IPAddress", "");
        settings.put("IPPrefixLen", 0);
        settings.put("IPv6Gateway", "");
        settings.put("MacAddress", "");
        ObjectNode networks = settings.putObject("Networks");
        List<String> targets = service.targets(view, containerId, stored);
        Map<String, NetworkState.NetworkRecord> byTarget = new LinkedHashMap<>();
        for (String target : targets) {
            service.find(view, target).ifPresent(n -> byTarget.put(target, n));
        }
        // networks joined later (connect) show too
        for (NetworkState.NetworkRecord network : service.list(view)) {
            if (network.endpoints.containsKey(containerId) && byTarget.values().stream().noneMatch(n -> n.id.equals(network.id))) {
                byTarget.put(network.name, network);
            }
        }
        boolean first = true;
        for (Map.Entry<String, NetworkState.NetworkRecord> entry : byTarget.entrySet()) {
            NetworkState.NetworkRecord network = entry.getValue();
            NetworkState.EndpointRecord endpoint = network.endpoints.get(containerId);
            JsonNode config = NetworkAttachments.endpointConfig(stored, entry.getKey(), network);
            ObjectNode n = networks.putObject(network.name);
            JsonNode ipam = config.path("IPAMConfig");
            if (ipam.isObject()) {
                n.set("IPAMConfig", ipam);
            } else {
                n.putNull("IPAMConfig");
            }
            n.putNull("Links");
            if (network.dnsEnabled) {
                ArrayNode aliases = n.putArray("Aliases");
                config.path("Aliases").forEach(aliases::add);
                if (!aliases.toString().contains("\"" + containerId.substring(0, 12) + "\"")) {
                    aliases.add(containerId.substring(0, 12));
                }
            } else {
                n.putNull("Aliases");
            }
            n.put("NetworkID", network.id);
            n.put("EndpointID", endpoint == null ? "" : endpointId(network.id, containerId));
            n.put("Gateway", endpoint == null ? "" : endpoint.gateway);
            n.put("IPAddress", endpoint == null ? "" : endpoint.ipAddress);
            n.put("IPPrefixLen", endpoint == null ? 0 : endpoint.prefixLength);
            n.put("IPv6Gateway", "");
            n.put("GlobalIPv6Address", "");
            n.put("GlobalIPv6PrefixLen", 0);
            n.put("MacAddress", endpoint == null ? "" : endpoint.macAddress);
            n.putNull("DriverOpts");
            if (first && endpoint != null) {
                if (network.name.equals(NetworkService.DEFAULT_NETWORK)) {
                    // Docker fills the top-level fields for the default bridge only
                    settings.put("EndpointID", endpointId(network.id, containerId));
                    settings.put("Gateway", endpoint.gateway);
                    settings.put("IPAddress", endpoint.ipAddress);
                    settings.put("IPPrefixLen", endpoint.prefixLength);
                    settings.put("MacAddress", endpoint.macAddress);
                }
                if (running) {
                    PortSpecs.fillPorts(ports, stored, endpoint.ports);
                }
            }
            first = false;
        }
        return settings;
    }

    ArrayNode ports(Projections view, String containerId, JsonNode stored) {
        ArrayNode list = mapper.createArrayNode();
        List<String> targets = service.targets(view, containerId, stored);
        NetworkState.EndpointRecord endpoint = targets.isEmpty() ? null
                : service.find(view, targets.getFirst()).map(n -> n.endpoints.get(containerId)).orElse(null);
        PortSpecs.fillList(list, stored, endpoint == null ? List.of() : endpoint.ports);
        return list;
    }

    /** A stable endpoint id: Docker's is random; berth derives it from the network and container ids. */
    static String endpointId(String networkId, String containerId) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest((networkId + "/" + containerId)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
