package io.berth.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.engine.domain.DomainException;
import io.berth.eventlog.events.NetworkEvent;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.Subnet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The network slice's rules, decided from a command and a state with no daemon or network driver. */
class NetworkDeciderTest {
    private static final String BRIDGE_ID = "b".repeat(64);
    private static final String FRONT_ID = "f".repeat(64);
    private static final String WEB = "c".repeat(64);

    /** A state with the default network and {@code front}, {@code WEB} attached to front when {@code attached}. */
    private static NetworkState state(boolean attached) {
        NetworkState state = new NetworkState();
        add(state, BRIDGE_ID, NetworkService.DEFAULT_NETWORK);
        NetworkState.NetworkRecord front = add(state, FRONT_ID, "front");
        if (attached) {
            NetworkState.EndpointRecord endpoint = new NetworkState.EndpointRecord();
            endpoint.containerId = WEB;
            front.endpoints.put(WEB, endpoint);
        }
        return state;
    }

    private static NetworkState.NetworkRecord add(NetworkState state, String id, String name) {
        NetworkState.NetworkRecord network = new NetworkState.NetworkRecord();
        network.id = id;
        network.name = name;
        network.driver = "bridge";
        state.networks.put(id, network);
        state.names.put(name, id);
        return network;
    }

    private static NetworkCommand.CreateNetwork create(String name, String driver, String subnet, String gateway) {
        return new NetworkCommand.CreateNetwork("1".repeat(64), name, driver, subnet, gateway, false, Map.of("team", "a"), Map.of());
    }

    private static DomainException refusal(NetworkCommand command, NetworkState state) {
        return assertThrows(NetworkDomainException.class, () -> NetworkDecider.decide(command, state));
    }

    @Test
    void givenAFreeName_whenCreated_thenTheDriverIsAskedForABridgeWithDnsAndNothingIsRecordedYet() {
        NetworkDecider.Decision decision = NetworkDecider.decide(create(" back ", "", "10.89.7.0/24", "10.89.7.1"), state(false));
        NetworkDefinition asked = ((NetworkDecider.DriverCall.Create) decision.driver()).network();
        assertEquals(new NetworkDefinition("back", "1".repeat(64), "bridge", List.of(new Subnet("10.89.7.0/24", "10.89.7.1")), "",
                false, true, Map.of("team", "a"), Map.of()), asked);
        assertEquals(List.of(), decision.events());
    }

    @Test
    void givenBadCreates_whenDecided_thenEachRefusedAsDockerAnswers() {
        NetworkState state = state(false);
        assertEquals(DomainException.Kind.INVALID, refusal(create(" ", null, null, null), state).kind());
        DomainException taken = refusal(create("front", null, null, null), state);
        assertEquals(DomainException.Kind.CONFLICT, taken.kind());
        assertEquals("network with name front already exists", taken.getMessage());
        DomainException predefined = refusal(create("host", null, null, null), state);
        assertEquals(DomainException.Kind.FORBIDDEN, predefined.kind());
        assertEquals("network host is a pre-defined network and cannot be created", predefined.getMessage());
        assertEquals("plugin \"overlay\" not found: berth's networks use the driver bridge",
                refusal(create("back", "overlay", null, null), state).getMessage());
        assertEquals("network back: --gateway needs --subnet", refusal(create("back", null, null, "10.0.0.1"), state).getMessage());
    }

    @Test
    void givenTheCreatedNetwork_whenRecorded_thenTheEventHoldsWhatTheDriverChose() {
        NetworkDefinition made = new NetworkDefinition("back", FRONT_ID, "bridge", List.of(new Subnet("10.89.9.0/24", "10.89.9.1")),
                "berth1", false, true, Map.of(), Map.of());
        NetworkEvent.NetworkCreated created = NetworkDecider.created(made, "network-netavark");
        assertEquals("berth1", created.networkInterface());
        assertEquals(made.subnets(), created.subnets());
        assertEquals("network-netavark", created.plugin());
    }

    @Test
    void givenAnEmptyUserNetwork_whenRemoved_thenTheDriverRemovesItThenItIsRecorded() {
        NetworkDecider.Decision decision = NetworkDecider.decide(new NetworkCommand.RemoveNetwork(FRONT_ID), state(false));
        assertEquals(new NetworkDecider.DriverCall.Remove(FRONT_ID), decision.driver());
        assertEquals(List.of(new NetworkEvent.NetworkRemoved(FRONT_ID, "front")), decision.events());
    }

    @Test
    void givenTheDefaultOrABusyNetwork_whenRemoved_thenRefused() {
        DomainException predefined = refusal(new NetworkCommand.RemoveNetwork(BRIDGE_ID), state(false));
        assertEquals(DomainException.Kind.FORBIDDEN, predefined.kind());
        DomainException busy = refusal(new NetworkCommand.RemoveNetwork(FRONT_ID), state(true));
        assertEquals(DomainException.Kind.CONFLICT, busy.kind());
        assertEquals("error while removing network: network front id " + FRONT_ID + " has active endpoints", busy.getMessage());
        assertEquals(DomainException.Kind.NOT_FOUND, refusal(new NetworkCommand.RemoveNetwork("gone"), state(false)).kind());
    }

    private static NetworkCommand.ConnectContainer connect(String mode, boolean joinsAtStart, boolean running) {
        return new NetworkCommand.ConnectContainer(FRONT_ID, WEB, "web", mode, joinsAtStart, running, List.of("www"), "");
    }

    @Test
    void givenAStoppedContainer_whenConnected_thenOnlyItsMembershipIsRecorded() {
        NetworkDecider.Decision decision = NetworkDecider.decide(connect("bridge", false, false), state(false));
        assertEquals(new NetworkDecider.DriverCall.None(), decision.driver());
        assertEquals(List.of(new NetworkEvent.MembershipAdded(FRONT_ID, WEB, List.of("www"), "")), decision.events());
        assertEquals(new NetworkDecider.DriverCall.Attach(FRONT_ID, WEB),
                NetworkDecider.decide(connect("bridge", false, true), state(false)).driver());
    }

    @Test
    void givenAHostNoneOrMemberContainer_whenConnected_thenRefusedAsDockerWordsIt() {
        assertEquals(DomainException.Kind.INVALID, refusal(connect("host", false, true), state(false)).kind());
        assertEquals(DomainException.Kind.INVALID, refusal(connect("container:" + "d".repeat(64), false, true), state(false)).kind());
        assertEquals("container cannot be connected to multiple networks with one of the networks in private (none) mode",
                refusal(connect("none", false, false), state(false)).getMessage());
        DomainException member = refusal(connect("bridge", true, false), state(false));
        assertEquals(DomainException.Kind.FORBIDDEN, member.kind());
        assertEquals("endpoint with name web already exists in network front", member.getMessage());
        assertEquals(DomainException.Kind.FORBIDDEN, refusal(connect("bridge", false, false), state(true)).kind());
    }

    @Test
    void givenAnAttachedContainer_whenDisconnected_thenDetachedNowAndDroppedForItsStarts() {
        NetworkDecider.Decision decision = NetworkDecider.decide(new NetworkCommand.DisconnectContainer(FRONT_ID, WEB, false), state(true));
        assertEquals(new NetworkDecider.DriverCall.Detach(FRONT_ID, WEB), decision.driver());
        assertEquals(List.of(new NetworkEvent.MembershipDropped(FRONT_ID, WEB)), decision.events());
        assertEquals(new NetworkDecider.DriverCall.None(),
                NetworkDecider.decide(new NetworkCommand.DisconnectContainer(FRONT_ID, WEB, true), state(false)).driver());
    }

    @Test
    void givenAContainerNotOnTheNetwork_whenDisconnected_thenNotFound() {
        DomainException refused = refusal(new NetworkCommand.DisconnectContainer(FRONT_ID, WEB, false), state(false));
        assertEquals(DomainException.Kind.NOT_FOUND, refused.kind());
        assertEquals("container " + WEB + " is not connected to network front", refused.getMessage());
    }
}
