package io.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.spi.network.PortMapping;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Docker's port fields → the driver's {@link PortMapping}s, and back into inspect's and the list's
 * shapes. Inputs: {@code HostConfig.PortBindings} ({@code {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}},
 * a key or host port may be a range {@code 8000-8002}), {@code HostConfig.PublishAllPorts} with
 * {@code Config.ExposedPorts} (each exposed port without a binding gets a free host port, as {@code -P} does).
 */
final class PortSpecs {
    private PortSpecs() {
    }

    /**
     * A wanted mapping before host ports are chosen.
     *
     * @param hostIp        empty for every address
     * @param hostPort      first host port, 0 to choose a free one
     * @param hostPortEnd   last host port of a host range to choose from (equal to hostPort for one)
     * @param containerPort the container port
     * @param protocol      tcp or udp
     * @param range         consecutive ports (host range size equals it when both are ranges)
     */
    record Wanted(String hostIp, int hostPort, int hostPortEnd, int containerPort, String protocol, int range) { }

    /** A port key {@code 80/tcp}, {@code 80} or {@code 8000-8002/udp}: first port, last port, protocol. */
    record Key(int first, int last, String protocol) {
        static Key parse(String key) {
            String ports = key;
            String protocol = "tcp";
            int slash = key.indexOf('/');
            if (slash >= 0) {
                ports = key.substring(0, slash);
                protocol = key.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
            }
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw NetworkDomainException.invalid("invalid port " + key + ": the protocol must be tcp or udp");
            }
            int[] range = range(ports, "port " + key);
            if (range[0] == 0) {
                throw NetworkDomainException.invalid("invalid port " + key + ": a container port is required");
            }
            return new Key(range[0], range[1], protocol);
        }

        String text(int port) {
            return port + "/" + protocol;
        }
    }

    /** {@code 8080} or {@code 8000-8002}; empty is {0, 0}. */
    static int[] range(String text, String where) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return new int[] {0, 0};
        }
        try {
            int dash = t.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? t : t.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(t.substring(dash + 1));
            if (first < 0 || last > 65535 || last < first || dash >= 0 && first == 0) {
                throw new NumberFormatException();
            }
            return new int[] {first, last};
        } catch (NumberFormatException e) {
            throw NetworkDomainException.invalid("invalid " + where + ": '" + t + "' is not a port or range between 1 and 65535");
        }
    }

    /** What the container asks for, from its stored create request. */
    static List<Wanted> requested(JsonNode stored) {
        JsonNode host = stored.path("HostConfig");
        List<Wanted> wanted = new ArrayList<>();
        Set<String> bound = new TreeSet<>();
        var bindings = host.path("PortBindings").fields();
        while (bindings.hasNext()) {
            var entry = bindings.next();
            Key key = Key.parse(entry.getKey());
            int size = key.last - key.first + 1;
            if (!entry.getValue().isArray() || entry.getValue().isEmpty()) {
                continue;
            }
            for (JsonNode binding : entry.getValue()) {
                String hostIp = binding.path("HostIp").asText("");
                if (hostIp.equals("0.0.0.0")) {
                    hostIp = "";
                }
                if (!hostIp.isEmpty() && !hostIp.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                    throw NetworkDomainException.invalid("invalid host address " + hostIp + " for port " + entry.getKey()
                            + ": berth publishes on IPv4 addresses only");
                }
                int[] hostRange = range(binding.path("HostPort").asText(""), "host port for " + entry.getKey());
                int hostSize = hostRange[1] - hostRange[0] + 1;
                if (hostRange[0] == 0) {
                    for (int p = key.first; p <= key.last; p++) {
                        wanted.add(new Wanted(hostIp, 0, 0, p, key.protocol, 1));
                    }
                } else if (size == 1) {
                    wanted.add(new Wanted(hostIp, hostRange[0], hostRange[1], key.first, key.protocol, 1));
                } else if (hostSize == size) {
                    wanted.add(new Wanted(hostIp, hostRange[0], hostRange[0], key.first, key.protocol, size));
                } else {
                    throw NetworkDomainException.invalid("invalid port mapping " + binding.path("HostPort").asText() + ":"
                            + entry.getKey() + ": the host and container ranges differ in size");
                }
            }
            for (int p = key.first; p <= key.last; p++) {
                bound.add(key.text(p));
            }
        }
        if (host.path("PublishAllPorts").asBoolean(false)) {
            for (String exposed : exposed(stored)) {
                if (!bound.contains(exposed)) {
                    Key key = Key.parse(exposed);
                    wanted.add(new Wanted("", 0, 0, key.first, key.protocol, 1));
                }
            }
        }
        return wanted;
    }

    /** Every exposed port ({@code Config.ExposedPorts} and the bound ones), as {@code 80/tcp}, sorted by number. */
    static List<String> exposed(JsonNode stored) {
        TreeMap<Integer, List<String>> ordered = new TreeMap<>();
        Set<String> seen = new TreeSet<>();
        List<String> keys = new ArrayList<>();
        stored.path("Config").path("ExposedPorts").fieldNames().forEachRemaining(keys::add);
        stored.path("HostConfig").path("PortBindings").fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            Key key;
            try {
                key = Key.parse(k);
            } catch (NetworkDomainException e) {
                continue;
            }
            for (int p = key.first; p <= key.last; p++) {
                if (seen.add(key.text(p))) {
                    ordered.computeIfAbsent(p, x -> new ArrayList<>()).add(key.text(p));
                }
            }
        }
        List<String> all = new ArrayList<>();
        ordered.values().forEach(all::addAll);
        return all;
    }

    /** Picks host ports for the wanted mappings that leave them open: a free one, as the kernel hands out. */
    static List<PortMapping> chooseHostPorts(List<Wanted> wanted) {
        List<PortMapping> mappings = new ArrayList<>();
        for (Wanted w : wanted) {
            int hostPort = w.hostPort();
            if (hostPort == 0) {
                hostPort = freePort(w.hostIp(), w.protocol(), mappings);
            } else if (w.hostPortEnd() > w.hostPort()) {
                hostPort = 0;
                for (int p = w.hostPort(); p <= w.hostPortEnd() && hostPort == 0; p++) {
                    if (isFree(w.hostIp(), p, w.protocol(), mappings)) {
                        hostPort = p;
                    }
                }
                if (hostPort == 0) {
                    throw new NetworkDomainException(NetworkDomainException.Kind.INTERNAL, "no free host port in " + w.hostPort() + "-" + w.hostPortEnd()
                            + " for " + w.containerPort() + "/" + w.protocol());
                }
            }
            try {
                mappings.add(new PortMapping(w.hostIp(), hostPort, w.containerPort(), w.protocol(), w.range()));
            } catch (IllegalArgumentException e) {
                throw NetworkDomainException.invalid(e.getMessage());
            }
        }
        return mappings;
    }

    private static int freePort(String hostIp, String protocol, List<PortMapping> taken) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try {
                if (protocol.equals("udp")) {
                    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address(hostIp), 0))) {
                        port = socket.getLocalPort();
                    }
                } else {
                    try (ServerSocket socket = new ServerSocket()) {
                        socket.bind(new InetSocketAddress(address(hostIp), 0));
                        port = socket.getLocalPort();
                    }
                }
            } catch (IOException e) {
                throw new NetworkDomainException(NetworkDomainException.Kind.INTERNAL, "cannot find a free host port on " + (hostIp.isEmpty() ? "0.0.0.0" : hostIp)
                        + ": " + e.getMessage());
            }
            int chosen = port;
            if (taken.stream().noneMatch(m -> m.clashesWith(new PortMapping(hostIp, chosen, 1, protocol, 1)))) {
                return chosen;
            }
        }
        throw new NetworkDomainException(NetworkDomainException.Kind.INTERNAL, "cannot find a free host port for " + protocol);
    }

    private static boolean isFree(String hostIp, int port, String protocol, List<PortMapping> taken) {
        if (taken.stream().anyMatch(m -> m.clashesWith(new PortMapping(hostIp, port, 1, protocol, 1)))) {
            return false;
        }
        try {
            if (protocol.equals("udp")) {
                new DatagramSocket(new InetSocketAddress(address(hostIp), port)).close();
            } else {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress(address(hostIp), port));
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static InetAddress address(String hostIp) throws IOException {
        return InetAddress.getByName(hostIp.isEmpty() ? "0.0.0.0" : hostIp);
    }

    /** Inspect's {@code NetworkSettings.Ports}: every exposed port, null or its host bindings. */
    static void fillPorts(ObjectNode ports, JsonNode stored, List<NetworkState.PortRecord> published) {
        for (String exposed : exposed(stored)) {
            ports.putNull(exposed);
        }
        for (NetworkState.PortRecord port : published) {
            for (int i = 0; i < port.range; i++) {
                String key = (port.containerPort + i) + "/" + port.protocol;
                JsonNode existing = ports.get(key);
                ArrayNode list = existing != null && existing.isArray() ? (ArrayNode) existing : ports.putArray(key);
                ObjectNode binding = list.addObject();
                binding.put("HostIp", port.hostIp.isEmpty() ? "0.0.0.0" : port.hostIp);
                binding.put("HostPort", String.valueOf(port.hostPort + i));
            }
        }
    }

    /** The list's {@code Ports}: published ports with IP and PublicPort, exposed ones without. */
    static void fillList(ArrayNode list, JsonNode stored, List<NetworkState.PortRecord> published) {
        Set<String> done = new TreeSet<>();
        for (NetworkState.PortRecord port : published) {
            for (int i = 0; i < port.range; i++) {
                ObjectNode item = list.addObject();
                item.put("IP", port.hostIp.isEmpty() ? "0.0.0.0" : port.hostIp);
                item.put("PrivatePort", port.containerPort + i);
                item.put("PublicPort", port.hostPort + i);
                item.put("Type", port.protocol);
                done.add((port.containerPort + i) + "/" + port.protocol);
            }
        }
        for (String exposed : exposed(stored)) {
            if (!done.contains(exposed)) {
                Key key = Key.parse(exposed);
                ObjectNode item = list.addObject();
                item.put("PrivatePort", key.first);
                item.put("Type", key.protocol);
            }
        }
    }
}
