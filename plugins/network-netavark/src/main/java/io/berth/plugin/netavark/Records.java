package io.berth.plugin.netavark;

import io.berth.spi.json.JsonTree;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.PortMapping;
import io.berth.spi.network.Subnet;

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
        for (Object o : JsonTree.list(m, "subnets")) {
            Map<String, Object> sm = (Map<String, Object>) o;
            String gateway = JsonTree.string(sm, "gateway");
            subnets.add(new Subnet(JsonTree.string(sm, "subnet"), gateway.isEmpty() ? null : gateway));
        }
        return new NetworkDefinition(JsonTree.string(m, "name"), JsonTree.string(m, "id"), JsonTree.string(m, "driver"), subnets,
                JsonTree.string(m, "network_interface"), JsonTree.bool(m, "internal"), JsonTree.bool(m, "dns_enabled"),
                JsonTree.stringMap(m, "labels"), JsonTree.stringMap(m, "options"));
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
        return new PortMapping(JsonTree.string(m, "host_ip"), JsonTree.integer(m, "host_port"), JsonTree.integer(m, "container_port"),
                JsonTree.string(m, "protocol"), JsonTree.integer(m, "range"));
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
        List<PortMapping> ports = JsonTree.list(m, "port_mappings").stream().map(o -> port((Map<String, Object>) o)).toList();
        return new Attachment(JsonTree.string(m, "network_id"), JsonTree.string(m, "container_id"), JsonTree.string(m, "interface_name"),
                JsonTree.string(m, "ip_address"), JsonTree.integer(m, "prefix_length"), JsonTree.string(m, "gateway"),
                JsonTree.string(m, "mac_address"), JsonTree.strings(m, "dns_servers"), JsonTree.strings(m, "dns_search"),
                JsonTree.strings(m, "aliases"), ports);
    }
}
