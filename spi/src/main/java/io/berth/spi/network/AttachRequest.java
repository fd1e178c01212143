package io.berth.spi.network;

import java.util.List;
import java.util.Objects;

/**
 * A container's request to join a network.
 *
 * @param containerId   the engine's container id (64 hex digits in practice)
 * @param containerName the container's name, which the network's DNS answers; without a leading slash
 * @param netnsPath     the container's network namespace, for example {@code /proc/4242/ns/net} or a
 *                      bind mount of it such as {@code /run/netns/NAME}; it must exist
 * @param aliases       more names the network's DNS answers with the container's address (Docker's
 *                      network aliases; the engine adds the short id here as Docker does)
 * @param staticIp      the address to give the container, inside the network's subnet; {@code null}
 *                      to let the driver's address management choose
 * @param interfaceName the interface to create inside the namespace, for example {@code eth0};
 *                      {@code null} to take the first {@code ethN} the container does not use yet
 * @param portMappings  host ports to forward to the container; empty for none
 */
public record AttachRequest(String containerId, String containerName, String netnsPath, List<String> aliases,
                            String staticIp, String interfaceName, List<PortMapping> portMappings) {

    /** Copies the lists; null lists count as empty. */
    public AttachRequest {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(netnsPath, "netnsPath");
        containerName = containerName == null ? "" : containerName;
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    }

    /**
     * A request with no aliases, static address or ports.
     *
     * @param containerId   the container id
     * @param containerName its name
     * @param netnsPath     its network namespace
     * @return the request
     */
    public static AttachRequest of(String containerId, String containerName, String netnsPath) {
        return new AttachRequest(containerId, containerName, netnsPath, List.of(), null, null, List.of());
    }

    /**
     * Returns the same request with other aliases.
     *
     * @param newAliases the aliases
     * @return the same request with other aliases
     */
    public AttachRequest withAliases(List<String> newAliases) {
        return new AttachRequest(containerId, containerName, netnsPath, newAliases, staticIp, interfaceName, portMappings);
    }

    /**
     * Returns the same request asking for a static address.
     *
     * @param ip the address
     * @return the same request asking for a static address
     */
    public AttachRequest withStaticIp(String ip) {
        return new AttachRequest(containerId, containerName, netnsPath, aliases, ip, interfaceName, portMappings);
    }

    /**
     * Returns the same request publishing other ports.
     *
     * @param mappings the ports
     * @return the same request publishing other ports
     */
    public AttachRequest withPorts(List<PortMapping> mappings) {
        return new AttachRequest(containerId, containerName, netnsPath, aliases, staticIp, interfaceName, mappings);
    }
}
