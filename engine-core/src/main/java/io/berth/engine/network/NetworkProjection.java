package io.berth.engine.network;

import io.berth.engine.projection.Projection;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.NetworkEvent;
import io.berth.spi.network.PortMapping;
import io.berth.spi.network.Subnet;
import java.util.Set;

/** Folds network events into {@link NetworkState}. */
public final class NetworkProjection implements Projection<NetworkState> {
    public static final NetworkProjection INSTANCE = new NetworkProjection();

    private static final Set<String> TYPES = Set.of("NetworkCreated", "NetworkRemoved", "ContainerConnected",
            "ContainerDisconnected", "PortsPublished", "MembershipAdded", "MembershipDropped", "ContainerRemoved");

    @Override
    public String name() {
        return "networks";
    }

    @Override
    public boolean folds(String eventType) {
        return TYPES.contains(eventType);
    }

    @Override
    public NetworkState initialState() {
        return new NetworkState();
    }

    @Override
    public Class<NetworkState> stateType() {
        return NetworkState.class;
    }

    @Override
    public void apply(NetworkState state, EventEnvelope event) {
        if (event.payload() instanceof ContainerEvent.ContainerRemoved removed) {
            state.networks.values().forEach(n -> n.memberships.remove(removed.id()));
            return;
        }
        if (!(event.payload() instanceof NetworkEvent network)) {
            return;
        }
        switch (network) {
            case NetworkEvent.NetworkCreated created -> {
                NetworkState.NetworkRecord record = new NetworkState.NetworkRecord();
                record.id = created.id();
                record.name = created.name();
                record.driver = created.driver();
                record.plugin = created.plugin();
                for (Subnet subnet : created.subnets()) {
                    NetworkState.SubnetRecord s = new NetworkState.SubnetRecord();
                    s.subnet = subnet.cidr();
                    s.gateway = subnet.gateway() == null ? "" : subnet.gateway();
                    record.subnets.add(s);
                }
                record.networkInterface = created.networkInterface();
                record.internal = created.internal();
                record.dnsEnabled = created.dnsEnabled();
                record.labels.putAll(created.labels());
                record.options.putAll(created.options());
                record.created = event.time().toString();
                state.networks.put(record.id, record);
                state.names.put(record.name, record.id);
            }
            case NetworkEvent.NetworkRemoved removed -> {
                NetworkState.NetworkRecord record = state.networks.remove(removed.id());
                if (record != null) {
                    state.names.remove(record.name, record.id);
                }
            }
            case NetworkEvent.ContainerConnected connected -> {
                NetworkState.NetworkRecord record = state.networks.get(connected.networkId());
                if (record == null) {
                    return;
                }
                NetworkState.EndpointRecord endpoint = new NetworkState.EndpointRecord();
                endpoint.containerId = connected.containerId();
                endpoint.interfaceName = connected.interfaceName();
                endpoint.ipAddress = connected.ipAddress();
                endpoint.prefixLength = connected.prefixLength();
                endpoint.gateway = connected.gateway();
                endpoint.macAddress = connected.macAddress();
                endpoint.aliases.addAll(connected.aliases());
                endpoint.dnsServers.addAll(connected.dnsServers());
                record.endpoints.put(endpoint.containerId, endpoint);
            }
            case NetworkEvent.ContainerDisconnected disconnected -> {
                NetworkState.NetworkRecord record = state.networks.get(disconnected.networkId());
                if (record != null) {
                    record.endpoints.remove(disconnected.containerId());
                }
            }
            case NetworkEvent.MembershipAdded added -> {
                NetworkState.NetworkRecord record = state.networks.get(added.networkId());
                if (record != null) {
                    NetworkState.MembershipRecord membership = new NetworkState.MembershipRecord();
                    membership.member = true;
                    membership.aliases.addAll(added.aliases());
                    membership.ipv4Address = added.ipv4Address();
                    record.memberships.put(added.containerId(), membership);
                }
            }
            case NetworkEvent.MembershipDropped dropped -> {
                NetworkState.NetworkRecord record = state.networks.get(dropped.networkId());
                if (record != null) {
                    record.memberships.put(dropped.containerId(), new NetworkState.MembershipRecord());
                }
            }
            case NetworkEvent.PortsPublished published -> {
                NetworkState.NetworkRecord record = state.networks.get(published.networkId());
                NetworkState.EndpointRecord endpoint = record == null ? null : record.endpoints.get(published.containerId());
                if (endpoint == null) {
                    return;
                }
                endpoint.ports.clear();
                for (PortMapping mapping : published.ports()) {
                    NetworkState.PortRecord port = new NetworkState.PortRecord();
                    port.hostIp = mapping.hostIp();
                    port.hostPort = mapping.hostPort();
                    port.containerPort = mapping.containerPort();
                    port.protocol = mapping.protocol();
                    port.range = mapping.range();
                    endpoint.ports.add(port);
                }
            }
        }
    }
}
