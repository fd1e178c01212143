package io.berth.spi.network;

import java.util.Locale;

/**
 * A published port: connections to {@code hostIp:hostPort} on the host are forwarded to
 * {@code containerPort} at the container's address on the network. With a {@code range} above 1,
 * {@code hostPort+i} forwards to {@code containerPort+i} for every {@code i < range}.
 *
 * @param hostIp        the host address to publish on; empty for every address (Docker's default),
 *                      which includes {@code 127.0.0.1}
 * @param hostPort      1 to 65535
 * @param containerPort 1 to 65535
 * @param protocol      {@code tcp} or {@code udp}
 * @param range         how many consecutive ports, at least 1
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol, int range) {

    /** Validates the ports and normalises the protocol and host address. */
    public PortMapping {
        hostIp = hostIp == null ? "" : hostIp.strip();
        protocol = protocol == null || protocol.isBlank() ? "tcp" : protocol.strip().toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("port mapping " + hostPort + ":" + containerPort + "/" + protocol
                    + ": the protocol must be tcp or udp");
        }
        if (range < 1) {
            throw new IllegalArgumentException("port mapping " + hostPort + ":" + containerPort + ": the range must be at least 1, got " + range);
        }
        if (hostPort < 1 || hostPort + range - 1 > 65535 || containerPort < 1 || containerPort + range - 1 > 65535) {
            throw new IllegalArgumentException("port mapping " + hostPort + ":" + containerPort + "/" + protocol
                    + (range > 1 ? " (range " + range + ")" : "") + ": ports must lie between 1 and 65535");
        }
    }

    /**
     * One TCP or UDP port on every host address.
     *
     * @param hostPort      the host port
     * @param containerPort the container port
     * @param protocol      {@code tcp} or {@code udp}
     * @return the mapping
     */
    public static PortMapping of(int hostPort, int containerPort, String protocol) {
        return new PortMapping("", hostPort, containerPort, protocol, 1);
    }

    /**
     * Whether two mappings cannot both be published: a common host port of the same protocol on a
     * common host address (an empty address is every address).
     *
     * @param other another mapping
     * @return whether they clash
     */
    public boolean clashesWith(PortMapping other) {
        boolean sameAddress = hostIp.isEmpty() || other.hostIp.isEmpty() || hostIp.equals(other.hostIp);
        return sameAddress && protocol.equals(other.protocol)
                && hostPort < other.hostPort + other.range && other.hostPort < hostPort + range;
    }

    /** @return Docker's notation, for example {@code 127.0.0.1:8080->80/tcp} */
    @Override
    public String toString() {
        String host = (hostIp.isEmpty() ? "" : hostIp + ":") + hostPort + (range > 1 ? "-" + (hostPort + range - 1) : "");
        return host + "->" + containerPort + (range > 1 ? "-" + (containerPort + range - 1) : "") + "/" + protocol;
    }
}
