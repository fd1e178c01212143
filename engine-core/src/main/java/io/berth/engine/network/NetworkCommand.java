package io.berth.engine.network;

import java.util.List;
import java.util.Map;

/**
 * What a caller asks of the network slice, completed: a network named by name, id or id prefix is resolved to its
 * id, a new network has its id, and what the container's own configuration says (its network mode, whether its
 * create or an earlier connect already makes it join the network) is looked up. {@link NetworkDecider} turns a
 * command and the {@link NetworkState} into a {@link NetworkDecider.Decision}, or refuses it.
 */
public sealed interface NetworkCommand {

    /**
     * Create a network ({@code POST /networks/create}).
     *
     * @param id       the new network's id
     * @param name     the name as given (blank is refused)
     * @param driver   Docker's driver name, blank for {@code bridge}
     * @param subnet   a CIDR, or null for one from the driver's pool
     * @param gateway  an address, or null for the subnet's first
     * @param internal no route out
     * @param labels   labels
     * @param options  driver options
     */
    record CreateNetwork(String id, String name, String driver, String subnet, String gateway, boolean internal,
                         Map<String, String> labels, Map<String, String> options) implements NetworkCommand {
        public CreateNetwork {
            // kept in the order given: the event records them as they come
            labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
            options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
        }
    }

    /**
     * Remove a network ({@code DELETE /networks/{id}}).
     *
     * @param networkId the network
     */
    record RemoveNetwork(String networkId) implements NetworkCommand { }

    /**
     * A container joins a network at its starts from now on, and now if it runs ({@code POST /networks/{id}/connect}).
     *
     * @param networkId     the network
     * @param containerId   the container
     * @param containerName its name (for messages)
     * @param networkMode   its {@code HostConfig.NetworkMode}
     * @param joinsAtStart  its create or an earlier connect already makes it join this network
     * @param running       it runs now, so it is attached now too
     * @param aliases       the endpoint's DNS aliases
     * @param ipv4Address   a static address, or empty
     */
    record ConnectContainer(String networkId, String containerId, String containerName, String networkMode, boolean joinsAtStart,
                            boolean running, List<String> aliases, String ipv4Address) implements NetworkCommand {
        public ConnectContainer {
            aliases = List.copyOf(aliases);
        }
    }

    /**
     * A container no longer joins a network at its starts, and leaves it now if attached ({@code POST /networks/{id}/disconnect}).
     *
     * @param networkId    the network
     * @param containerId  the container
     * @param joinsAtStart its create or an earlier connect makes it join this network
     */
    record DisconnectContainer(String networkId, String containerId, boolean joinsAtStart) implements NetworkCommand { }
}
