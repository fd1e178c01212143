package io.berth.engine.network;

import io.berth.eventlog.events.NetworkEvent;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.Subnet;
import java.util.List;

/**
 * The network slice's rules in plain code: from a completed {@link NetworkCommand} and the {@link NetworkState} the
 * log folds to, what the driver must do and the events to record once it has, or a {@link NetworkDomainException}
 * refusing the command in Docker's words. Reads the state, never changes it, and calls no driver, so every rule is
 * tested without a daemon.
 */
final class NetworkDecider {
    private NetworkDecider() { }

    /**
     * What carries a command out: first the driver's part, then the events (recorded only when the driver's part
     * succeeded). A create's event is made from the driver's answer ({@link #created}), so it has none here.
     *
     * @param driver what the driver (or, for a running container, the attachment) must do first
     * @param events what to record after it
     */
    record Decision(DriverCall driver, List<NetworkEvent> events) { }

    /** The driver's part of a command. */
    sealed interface DriverCall {
        /** Nothing for the driver: the change is in the log alone. */
        record None() implements DriverCall { }

        /** Ask the driver to make this network (it may choose the subnet and gateway). */
        record Create(NetworkDefinition network) implements DriverCall { }

        /** Ask the driver to remove the network. */
        record Remove(String networkId) implements DriverCall { }

        /** Attach the running container to the network now. */
        record Attach(String networkId, String containerId) implements DriverCall { }

        /** Detach the container from the network now. */
        record Detach(String networkId, String containerId) implements DriverCall { }
    }

    /**
     * The decision for {@code command} on {@code state}.
     *
     * @throws NetworkDomainException INVALID, NOT_FOUND, CONFLICT or FORBIDDEN, as Docker answers the same request
     */
    static Decision decide(NetworkCommand command, NetworkState state) {
        return switch (command) {
            case NetworkCommand.CreateNetwork create -> new Decision(new DriverCall.Create(asked(create, state)), List.of());
            case NetworkCommand.RemoveNetwork remove -> {
                NetworkState.NetworkRecord network = require(state, remove.networkId());
                if (network.name.equals(NetworkService.DEFAULT_NETWORK)) {
                    throw new NetworkDomainException(NetworkDomainException.Kind.FORBIDDEN, "bridge is a pre-defined network and cannot be removed");
                }
                if (!network.endpoints.isEmpty()) {
                    throw new NetworkDomainException(NetworkDomainException.Kind.CONFLICT, "error while removing network: network "
                            + network.name + " id " + network.id + " has active endpoints");
                }
                yield new Decision(new DriverCall.Remove(network.id), List.of(new NetworkEvent.NetworkRemoved(network.id, network.name)));
            }
            case NetworkCommand.ConnectContainer connect -> {
                NetworkState.NetworkRecord network = require(state, connect.networkId());
                String mode = connect.networkMode();
                if (mode.equals("host") || mode.startsWith("container:")) {
                    throw NetworkDomainException.invalid(
                            "container sharing network namespace with another container or host cannot be connected to any other network");
                }
                if (mode.equals("none")) {
                    throw NetworkDomainException.invalid(
                            "container cannot be connected to multiple networks with one of the networks in private (none) mode");
                }
                if (network.endpoints.containsKey(connect.containerId()) || connect.joinsAtStart()) {
                    throw alreadyThere(connect.containerName(), network);
                }
                DriverCall now = connect.running() ? new DriverCall.Attach(network.id, connect.containerId()) : new DriverCall.None();
                yield new Decision(now, List.of(new NetworkEvent.MembershipAdded(network.id, connect.containerId(), connect.aliases(),
                        connect.ipv4Address())));
            }
            case NetworkCommand.DisconnectContainer disconnect -> {
                NetworkState.NetworkRecord network = require(state, disconnect.networkId());
                boolean attached = network.endpoints.containsKey(disconnect.containerId());
                if (!attached && !disconnect.joinsAtStart()) {
                    throw NetworkDomainException.notFound("container " + disconnect.containerId() + " is not connected to network "
                            + network.name);
                }
                DriverCall now = attached ? new DriverCall.Detach(network.id, disconnect.containerId()) : new DriverCall.None();
                yield new Decision(now, List.of(new NetworkEvent.MembershipDropped(network.id, disconnect.containerId())));
            }
        };
    }

    /** The network a create asks the driver for, once the request passes Docker's rules. */
    private static NetworkDefinition asked(NetworkCommand.CreateNetwork create, NetworkState state) {
        String name = create.name() == null ? "" : create.name().strip();
        if (name.isEmpty()) {
            throw NetworkDomainException.invalid("network create: a name is required");
        }
        if (state.names.containsKey(name)) {
            throw new NetworkDomainException(NetworkDomainException.Kind.CONFLICT, "network with name " + name + " already exists");
        }
        if (name.equals("host") || name.equals("none")) {
            throw new NetworkDomainException(NetworkDomainException.Kind.FORBIDDEN, "network " + name
                    + " is a pre-defined network and cannot be created");
        }
        String driver = create.driver() == null || create.driver().isBlank() ? "bridge" : create.driver();
        if (!driver.equals("bridge")) {
            throw NetworkDomainException.notFound("plugin \"" + driver + "\" not found: berth's networks use the driver bridge");
        }
        if (create.subnet() == null && create.gateway() != null) {
            throw NetworkDomainException.invalid("network " + name + ": --gateway needs --subnet");
        }
        return new NetworkDefinition(name, create.id(), driver,
                create.subnet() == null ? List.of() : List.of(new Subnet(create.subnet(), create.gateway())), "",
                create.internal(), true, create.labels(), create.options());
    }

    /** The event recording a network the driver made, by the plugin named {@code plugin}. */
    static NetworkEvent.NetworkCreated created(NetworkDefinition made, String plugin) {
        return new NetworkEvent.NetworkCreated(made.id(), made.name(), made.driver(), made.subnets(), made.networkInterface(),
                made.internal(), made.dnsEnabled(), made.labels(), made.options(), plugin);
    }

    /** Docker's answer when a container is already on the network (403). */
    static NetworkDomainException alreadyThere(String containerName, NetworkState.NetworkRecord network) {
        return new NetworkDomainException(NetworkDomainException.Kind.FORBIDDEN, "endpoint with name " + containerName
                + " already exists in network " + network.name);
    }

    private static NetworkState.NetworkRecord require(NetworkState state, String networkId) {
        NetworkState.NetworkRecord network = state.networks.get(networkId);
        if (network == null) {
            throw NetworkDomainException.notFound("network " + networkId + " not found");
        }
        return network;
    }
}
