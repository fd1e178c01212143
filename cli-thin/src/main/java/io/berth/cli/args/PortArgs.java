package io.berth.cli.args;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The port options of {@code run} and {@code create}: {@code -p} and {@code --expose}, parsed as Docker's CLI
 * parses them (its {@code nat.ParsePortSpec}). A bad value throws {@link IllegalArgumentException} with
 * Docker's message, as in {@link ContainerArgs}.
 */
public final class PortArgs {
    private PortArgs() {
    }

    /**
     * One {@code -p} value as Docker's CLI sends it.
     *
     * @param exposed  the container ports it exposes ({@code "80/tcp" → {}})
     * @param bindings each container port's host bindings ({@code "80/tcp" → [{"HostIp", "HostPort"}]})
     */
    public record Published(Map<String, Object> exposed, Map<String, List<Map<String, Object>>> bindings) { }

    /**
     * {@code -p [ip:][hostPort:]containerPort[/proto]} with ranges ({@code 8080-8081:80-81}), as Docker's
     * nat.ParsePortSpec reads it: a container range is expanded port by port; a host range against one
     * container port lets the daemon choose in it.
     */
    public static Published publish(String spec) {
        String[] portAndProtocol = portAndProtocol(spec);
        String rest = portAndProtocol[0];
        String protocol = portAndProtocol[1];
        if (rest.startsWith("[")) {
            throw new IllegalArgumentException("invalid port " + spec + ": berth publishes on IPv4 addresses only");
        }
        String[] parts = rest.split(":", -1);
        String hostIp = "";
        String hostPorts = "";
        String containerPorts;
        switch (parts.length) {
            case 1 -> containerPorts = parts[0];
            case 2 -> {
                hostPorts = parts[0];
                containerPorts = parts[1];
            }
            case 3 -> {
                hostIp = parts[0];
                hostPorts = parts[1];
                containerPorts = parts[2];
            }
            default -> throw new IllegalArgumentException("invalid port specification: \"" + spec + "\"");
        }
        if (!hostIp.isEmpty() && !hostIp.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("invalid IP address: " + hostIp);
        }
        if (containerPorts.isEmpty()) {
            throw new IllegalArgumentException("no port specified: " + spec + "<empty>");
        }
        int[] container = portRange(containerPorts, "containerPort", spec);
        int[] host = hostPorts.isEmpty() ? new int[] {0, 0} : portRange(hostPorts, "hostPort", spec);
        int containerSize = container[1] - container[0] + 1;
        int hostSize = host[1] - host[0] + 1;
        if (host[0] != 0 && containerSize > 1 && hostSize != containerSize) {
            throw new IllegalArgumentException("invalid ranges specified for container and host Ports: " + containerPorts + " and " + hostPorts);
        }
        Map<String, Object> exposed = new java.util.LinkedHashMap<>();
        Map<String, List<Map<String, Object>>> bindings = new java.util.LinkedHashMap<>();
        for (int i = 0; i < containerSize; i++) {
            String key = (container[0] + i) + "/" + protocol;
            exposed.put(key, new java.util.LinkedHashMap<>());
            String hostPort = host[0] == 0 ? "" : containerSize > 1 ? String.valueOf(host[0] + i)
                    : hostSize > 1 ? host[0] + "-" + host[1] : String.valueOf(host[0]);
            Map<String, Object> binding = new java.util.LinkedHashMap<>();
            binding.put("HostIp", hostIp);
            binding.put("HostPort", hostPort);
            bindings.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(binding);
        }
        return new Published(exposed, bindings);
    }

    /** {@code --expose 80}, {@code 80/udp} or {@code 8000-8002}: the port keys. */
    public static List<String> expose(String spec) {
        String[] portAndProtocol = portAndProtocol(spec);
        String rest = portAndProtocol[0];
        String protocol = portAndProtocol[1];
        int[] range = portRange(rest, "port", spec);
        List<String> keys = new java.util.ArrayList<>();
        for (int p = range[0]; p <= range[1]; p++) {
            keys.add(p + "/" + protocol);
        }
        return keys;
    }

    private static int[] portRange(String text, String what, String spec) {
        try {
            int dash = text.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(text.substring(dash + 1));
            if (first < 1 || last > 65535 || last < first) {
                throw new NumberFormatException();
            }
            return new int[] {first, last};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + what + ": " + text + " in " + spec + " (a port or range between 1 and 65535)");
        }
    }

    /** A port spec split at its {@code /proto} suffix: the rest, and {@code tcp} or {@code udp} (default tcp). */
    private static String[] portAndProtocol(String spec) {
        String rest = spec.strip();
        int slash = rest.lastIndexOf('/');
        if (slash < 0) {
            return new String[] {rest, "tcp"};
        }
        String protocol = rest.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("invalid proto: " + protocol);
        }
        return new String[] {rest.substring(0, slash), protocol};
    }
}
