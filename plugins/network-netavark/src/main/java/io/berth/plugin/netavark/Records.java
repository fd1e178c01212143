package io.berth.plugin.netavark;

import io.berth.text.json.Json;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.PortMapping;
import io.berth.spi.network.Subnet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The driver's value types as JSON maps, for its state files, and netavark's port mappings. */
final class Records {

    private Records() {
    }

    static Map<String, Object> definition(NetworkDefinition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("id", d.id());
        m.put("driver", d.driver());
        List<Object> subnets = new ArrayList<>();
        for (Subnet s : d.subnets()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("subnet", s.cidr());
            sm.put("gateway", s.gateway());
            subnets.add(sm);
        }
        m.put("subnets", subnets);
        m.put("network_interface", d.networkInterface());
        m.put("internal", d.internal());
        m.put("dns_enabled", d.dnsEnabled());
        m.put("labels", new LinkedHashMap<>(d.labels()));
        m.put("options", new LinkedHashMap<>(d.options()));
        return m;
    }

    @SuppressWarnings("unchecked")
    static NetworkDefinition definition(Map<String, Object> m) {
        List<Subnet> subnets = new ArrayList<>();
        for (Object o : Json.list(m, "subnets")) {
            Map<String, Object> sm = (Map<String, Object>) o;
            String gateway = Json.text(sm, "gateway");
            subnets.add(new Subnet(Json.text(sm, "subnet"), gateway.isEmpty() ? null : gateway));
        }
        return new NetworkDefinition(Json.text(m, "name"), Json.text(m, "id"), Json.text(m, "driver"), subnets,
                Json.text(m, "network_interface"), bool(m, "internal"), bool(m, "dns_enabled"),
                stringMap(m, "labels"), stringMap(m, "options"));
    }

    /** A port mapping as netavark reads it (its field names, an empty host address for all). */
    static Map<String, Object> port(PortMapping p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host_ip", p.hostIp());
        m.put("host_port", p.hostPort());
        m.put("container_port", p.containerPort());
        m.put("protocol", p.protocol());
        m.put("range", p.range());
        return m;
    }

    static PortMapping port(Map<String, Object> m) {
        return new PortMapping(Json.text(m, "host_ip"), integer(m, "host_port"), integer(m, "container_port"),
                Json.text(m, "protocol"), integer(m, "range"));
    }

    static Map<String, Object> attachment(Attachment a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network_id", a.networkId());
        m.put("container_id", a.containerId());
        m.put("interface_name", a.interfaceName());
        m.put("ip_address", a.ipAddress());
        m.put("prefix_length", a.prefixLength());
        m.put("gateway", a.gateway());
        m.put("mac_address", a.macAddress());
        m.put("dns_servers", a.dnsServers());
        m.put("dns_search", a.dnsSearch());
        m.put("aliases", a.aliases());
        m.put("port_mappings", a.portMappings().stream().map(Records::port).toList());
        return m;
    }

    @SuppressWarnings("unchecked")
    static Attachment attachment(Map<String, Object> m) {
        List<PortMapping> ports = Json.list(m, "port_mappings").stream().map(o -> port((Map<String, Object>) o)).toList();
        return new Attachment(Json.text(m, "network_id"), Json.text(m, "container_id"), Json.text(m, "interface_name"),
                Json.text(m, "ip_address"), integer(m, "prefix_length"), Json.text(m, "gateway"),
                Json.text(m, "mac_address"), strings(m, "dns_servers"), strings(m, "dns_search"),
                strings(m, "aliases"), ports);
    }

    /** @return the members of the JSON object {@code text} (netavark's answer or a state file) */
    static Map<String, Object> parseObject(String text) throws IOException {
        return Json.parseObject(text.getBytes(StandardCharsets.UTF_8), "netavark");
    }

    /** @return the items of the array {@code key} as strings, or none */
    static List<String> strings(Map<String, Object> in, String key) {
        return Json.list(in, key).stream().map(String::valueOf).toList();
    }

    /** @return the members of the object {@code key} with their values as strings, or none */
    static Map<String, String> stringMap(Map<String, Object> in, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        Json.object(in, key).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /** @return the member {@code key} as an {@code int}, 0 when missing or not a number */
    static int integer(Map<String, Object> in, String key) {
        return in.get(key) instanceof Number n ? n.intValue() : 0;
    }

    /** @return whether the member {@code key} is {@code true} */
    static boolean bool(Map<String, Object> in, String key) {
        return Boolean.TRUE.equals(in.get(key));
    }
}
