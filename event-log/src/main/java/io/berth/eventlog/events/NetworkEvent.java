package io.berth.eventlog.events;

import io.berth.spi.network.PortMapping;
import io.berth.spi.network.Subnet;
import java.util.List;
import java.util.Map;

/**
 * Events about networks and their members; the subject is the network id. A container joining or
 * leaving is an event of the network (as Docker's {@code network connect}/{@code disconnect} events
 * are), carrying the container id.
 */
public sealed interface NetworkEvent extends Event permits NetworkEvent.NetworkCreated, NetworkEvent.NetworkRemoved,
        NetworkEvent.ContainerConnected, NetworkEvent.ContainerDisconnected, NetworkEvent.PortsPublished,
        NetworkEvent.MembershipAdded, NetworkEvent.MembershipDropped {

    /**
     * A network was created, as its driver completed it.
     *
     * @param id               64 hex digits
     * @param name             the user's name, unique among networks
     * @param driver           Docker's driver name ({@code bridge})
     * @param subnets          its address ranges with their gateways
     * @param networkInterface the host bridge's name
     * @param internal         no route out
     * @param dnsEnabled       members resolve each other's names
     * @param labels           the user's labels
     * @param options          driver options
     * @param plugin           the network driver that made it ({@code netavark})
     */
    record NetworkCreated(String id, String name, String driver, List<Subnet> subnets, String networkInterface,
                          boolean internal, boolean dnsEnabled, Map<String, String> labels, Map<String, String> options,
                          String plugin) implements NetworkEvent {
        public NetworkCreated {
            subnets = subnets == null ? List.of() : List.copyOf(subnets);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            options = options == null ? Map.of() : Map.copyOf(options);
        }

        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * A network without members was removed.
     *
     * @param id   the network
     * @param name its name then
     */
    record NetworkRemoved(String id, String name) implements NetworkEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * A container joined a network: what its driver gave it.
     *
     * @param networkId     the network
     * @param containerId   the container
     * @param interfaceName its interface in the container, {@code eth0}
     * @param ipAddress     its address
     * @param prefixLength  the subnet's prefix length
     * @param gateway       the gateway, empty on an internal network
     * @param macAddress    the interface's MAC address
     * @param aliases       the names the network's DNS answers for it (its name first)
     * @param dnsServers    the network's DNS servers, empty without DNS
     */
    record ContainerConnected(String networkId, String containerId, String interfaceName, String ipAddress,
                              int prefixLength, String gateway, String macAddress, List<String> aliases,
                              List<String> dnsServers) implements NetworkEvent {
        public ContainerConnected {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
        }

        @Override
        public String subject() {
            return networkId;
        }
    }

    /**
     * A container left a network (it stopped, was removed, or was disconnected): its interface,
     * address, names and published ports are gone.
     *
     * @param networkId   the network
     * @param containerId the container
     */
    record ContainerDisconnected(String networkId, String containerId) implements NetworkEvent {
        @Override
        public String subject() {
            return networkId;
        }
    }

    /**
     * Host ports forward to a container on a network (recorded right after its
     * {@link ContainerConnected}; they go with its {@link ContainerDisconnected}).
     *
     * @param networkId   the network
     * @param containerId the container
     * @param ports       the mappings, host ports chosen
     */
    record PortsPublished(String networkId, String containerId, List<PortMapping> ports) implements NetworkEvent {
        public PortsPublished {
            ports = ports == null ? List.of() : List.copyOf(ports);
        }

        @Override
        public String subject() {
            return networkId;
        }
    }

    /**
     * {@code network connect} of a container, recorded so that it joins the network at every start
     * from now on (a created or stopped container joins at its next start; a running one joined
     * already, with a {@link ContainerConnected}, and joins again after a restart).
     *
     * @param networkId   the network
     * @param containerId the container
     * @param aliases     its aliases on the network ({@code --alias})
     * @param ipv4Address its static address ({@code --ip}), empty for one from the pool
     */
    record MembershipAdded(String networkId, String containerId, List<String> aliases, String ipv4Address) implements NetworkEvent {
        public MembershipAdded {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            ipv4Address = ipv4Address == null ? "" : ipv4Address;
        }

        @Override
        public String subject() {
            return networkId;
        }
    }

    /**
     * {@code network disconnect} of a container: it no longer joins the network at its starts, even
     * if its configuration at create named it (a running one also left it, with a {@link ContainerDisconnected}).
     *
     * @param networkId   the network
     * @param containerId the container
     */
    record MembershipDropped(String networkId, String containerId) implements NetworkEvent {
        @Override
        public String subject() {
            return networkId;
        }
    }
}
