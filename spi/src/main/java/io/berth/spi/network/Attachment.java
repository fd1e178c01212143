package io.berth.spi.network;

import java.util.List;
import java.util.Objects;

/**
 * What joining a network gave a container: the engine shows it in {@code NetworkSettings} and
 * writes {@code /etc/resolv.conf} and {@code /etc/hosts} from it.
 *
 * @param networkId     the network's id
 * @param containerId   the container's id
 * @param interfaceName the interface inside the container's namespace, for example {@code eth0}
 * @param ipAddress     the container's address, for example {@code 10.213.0.2}
 * @param prefixLength  the subnet's prefix length, for example 24
 * @param gateway       the gateway's address; empty on an internal network, which has no default route
 * @param macAddress    the interface's MAC address, lower-case, colon-separated
 * @param dnsServers    the network's DNS servers for the container's {@code resolv.conf}; empty when
 *                      the network has no DNS
 * @param dnsSearch     search domains the DNS server expects, possibly empty
 * @param aliases       the names the network's DNS answers for the container (its name first)
 * @param portMappings  the published ports, as requested
 */
public record Attachment(String networkId, String containerId, String interfaceName, String ipAddress,
                         int prefixLength, String gateway, String macAddress, List<String> dnsServers,
                         List<String> dnsSearch, List<String> aliases, List<PortMapping> portMappings) {

    /** Copies the lists. */
    public Attachment {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(containerId, "containerId");
        gateway = gateway == null ? "" : gateway;
        dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
        dnsSearch = dnsSearch == null ? List.of() : List.copyOf(dnsSearch);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    }
}
