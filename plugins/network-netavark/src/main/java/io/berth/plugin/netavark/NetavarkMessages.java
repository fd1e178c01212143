package io.berth.plugin.netavark;

import io.berth.text.json.Json;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.PortMapping;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * netavark 1.4's JSON as the driver writes and reads it: the {@code setup} input of a member (kept, since
 * {@code teardown} must be given the same), the status {@code setup} answers, and the name netavark knows a
 * network by.
 */
final class NetavarkMessages {

    private NetavarkMessages() {
    }

    /**
     * The name netavark knows a network by: its id, except for the default bridge, whose name is
     * the same in every daemon of the host (made from the bridge's name), so that daemons sharing the
     * bridge share the firewall chains netavark names after it, and whichever tears down the last
     * member removes them.
     */
    static String netavarkName(NetworkDefinition network) {
        if (!"true".equals(network.options().get(NetavarkDriver.DEFAULT_BRIDGE_OPTION))) {
            return network.id();
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("berth default bridge " + network.networkInterface()).getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** netavark's {@code setup} input for one member; {@code teardown} is given the same. */
    static Map<String, Object> setupInput(NetworkDefinition network, String cid, String containerName, String ifname, String ip,
                                          List<String> aliases, List<PortMapping> ports) {
        String name = netavarkName(network);
        Map<String, Object> perNetwork = new LinkedHashMap<>();
        perNetwork.put("interface_name", ifname);
        perNetwork.put("static_ips", List.of(ip));
        perNetwork.put("aliases", aliases);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", name);
        info.put("id", name);
        info.put("driver", "bridge");
        info.put("network_interface", network.networkInterface());
        info.put("subnets", network.subnets().stream().map(s -> Map.<String, Object>of("subnet", s.cidr(), "gateway", s.gateway())).toList());
        info.put("ipv6_enabled", false);
        info.put("internal", network.internal());
        info.put("dns_enabled", network.dnsEnabled());
        Map<String, Object> netOptions = new LinkedHashMap<>();
        String mtu = network.options().get(NetavarkDriver.MTU_OPTION);
        if (mtu != null) {
            netOptions.put("mtu", mtu);
        }
        info.put("options", netOptions);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("container_id", cid);
        input.put("container_name", containerName);
        input.put("networks", Map.of(name, perNetwork));
        input.put("network_info", Map.of(name, info));
        input.put("port_mappings", ports.stream().map(Records::port).toList());
        return input;
    }

    /** The attachment netavark's {@code setup} answer describes for the member. */
    static Attachment parseStatus(NetworkDefinition network, String cid, String ifname, String containerName, List<String> aliases,
                                  List<PortMapping> ports, Map<String, Object> status, Ipv4.Cidr cidr) throws IOException {
        Map<String, Object> block = Json.object(status, netavarkName(network));
        Map<String, Object> iface = Json.object(block, "interfaces", ifname);
        if (iface.isEmpty()) {
            throw new IOException("no interface " + ifname + " in " + Command.oneLine(Json.write(status)));
        }
        String address = "";
        String gateway = "";
        for (Object o : Json.list(iface, "subnets")) {
            if (o instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked") Map<String, Object> s = (Map<String, Object>) m;
                address = Json.text(s, "ipnet");
                gateway = Json.text(s, "gateway");
            }
        }
        String ip = address.contains("/") ? address.substring(0, address.indexOf('/')) : address;
        List<String> names = new ArrayList<>();
        names.add(containerName);
        aliases.stream().filter(a -> !names.contains(a)).forEach(names::add);
        return new Attachment(network.id(), cid, ifname, ip, cidr.prefix(), network.internal() ? "" : gateway,
                Json.text(iface, "mac_address").toLowerCase(java.util.Locale.ROOT),
                network.dnsEnabled() ? Records.strings(block, "dns_server_ips") : List.of(),
                network.dnsEnabled() ? Records.strings(block, "dns_search_domains") : List.of(), names, ports);
    }

    /** The bridge an attachment is on, from netavark's input (the network's definition may be gone). */
    static String bridgeOf(StoredAttachment s) {
        if (s.setup().get("network_info") instanceof Map<?, ?> infos) {
            for (Object info : infos.values()) {
                if (info instanceof Map<?, ?> m && m.get("network_interface") instanceof String bridge) {
                    return bridge;
                }
            }
        }
        return "";
    }

    /**
     * A setup input whose network takes no part in DNS, for the anchor: no name of it in aardvark-dns' list,
     * and aardvark-dns still stops with the last container.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withoutDns(Map<String, Object> setupInput) {
        Map<String, Object> setup = new LinkedHashMap<>(setupInput);
        Map<String, Object> infos = new LinkedHashMap<>();
        ((Map<String, Object>) setup.get("network_info")).forEach((name, info) -> {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) info);
            copy.put("dns_enabled", false);
            infos.put(name, copy);
        });
        setup.put("network_info", infos);
        return setup;
    }
}
