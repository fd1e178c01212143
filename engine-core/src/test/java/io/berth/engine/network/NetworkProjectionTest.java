package io.berth.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.NetworkEvent;
import io.berth.spi.network.PortMapping;
import io.berth.spi.network.Subnet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The network record as a pure fold, and Docker's port fields in and out. */
class NetworkProjectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NET = "a".repeat(64);
    private static final String C1 = "c".repeat(64);
    private static final String C2 = "d".repeat(64);
    private long sequence;

    private EventEnvelope envelope(Event event) {
        return new EventEnvelope(++sequence, Instant.ofEpochSecond(1_800_000_000L + sequence), event.getClass().getSimpleName(),
                event.subject(), new Actor(1000, "alice", 42, "berth-cli/1"), "corr", "host", 1, event);
    }

    private NetworkState fold(List<Event> events) {
        NetworkState state = NetworkProjection.INSTANCE.initialState();
        sequence = 0;
        for (Event e : events) {
            NetworkProjection.INSTANCE.apply(state, envelope(e));
        }
        return state;
    }

    private static List<Event> aNetworkLife() {
        return List.of(
                new NetworkEvent.NetworkCreated(NET, "app", "bridge", List.of(new Subnet("10.213.1.0/24", "10.213.1.1")), "berth1",
                        false, true, Map.of("team", "a"), Map.of(), "netavark"),
                new NetworkEvent.ContainerConnected(NET, C1, "eth0", "10.213.1.2", 24, "10.213.1.1", "0a:00:00:00:00:02",
                        List.of("web", C1.substring(0, 12)), List.of("10.213.1.1")),
                new NetworkEvent.PortsPublished(NET, C1, List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp", 1))),
                new NetworkEvent.ContainerConnected(NET, C2, "eth0", "10.213.1.3", 24, "10.213.1.1", "0a:00:00:00:00:03",
                        List.of("db"), List.of("10.213.1.1")));
    }

    @Test
    void givenANetworkWithTwoMembers_whenFolded_thenBothEndpointsAndThePortAreThere() {
        NetworkState state = fold(aNetworkLife());
        NetworkState.NetworkRecord app = state.networks.get(NET);
        assertEquals(NET, state.names.get("app"));
        assertEquals("10.213.1.0/24", app.subnets.getFirst().subnet);
        assertEquals(List.of(C1, C2), List.copyOf(app.endpoints.keySet()));
        assertEquals(8080, app.endpoints.get(C1).ports.getFirst().hostPort);
        assertEquals("127.0.0.1", app.endpoints.get(C1).ports.getFirst().hostIp);
    }

    @Test
    void givenMembersLeaveAndTheNetworkGoes_whenFolded_thenNothingIsLeft() {
        List<Event> events = new java.util.ArrayList<>(aNetworkLife());
        events.add(new NetworkEvent.ContainerDisconnected(NET, C1));
        events.add(new NetworkEvent.ContainerDisconnected(NET, C2));
        events.add(new NetworkEvent.NetworkRemoved(NET, "app"));
        NetworkState state = fold(events);
        assertTrue(state.networks.isEmpty());
        assertTrue(state.names.isEmpty());
    }

    @Test
    void givenTheSameEvents_whenFoldedTwice_thenTheStatesAreEqualJson() {
        assertEquals(JSON.valueToTree(fold(aNetworkLife())), JSON.valueToTree(fold(aNetworkLife())));
    }

    @Test
    void givenPortBindingsAndPublishAll_whenRequested_thenEveryPortIsWantedOnce() throws Exception {
        JsonNode stored = JSON.readTree("""
                {"Config": {"ExposedPorts": {"80/tcp": {}, "53/udp": {}, "443/tcp": {}}},
                 "HostConfig": {"PublishAllPorts": true, "PortBindings": {
                   "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}],
                   "9000-9001/tcp": [{"HostIp": "", "HostPort": "19000-19001"}]}}}""");
        List<PortSpecs.Wanted> wanted = PortSpecs.requested(stored);
        assertEquals(new PortSpecs.Wanted("127.0.0.1", 8080, 8080, 80, "tcp", 1), wanted.get(0));
        assertEquals(new PortSpecs.Wanted("", 19000, 19000, 9000, "tcp", 2), wanted.get(1));
        assertEquals(4, wanted.size(), wanted.toString()); // 53/udp and 443/tcp get free ports
        List<PortMapping> chosen = PortSpecs.chooseHostPorts(wanted);
        assertTrue(chosen.get(2).hostPort() > 0 && chosen.get(3).hostPort() > 0);
        assertEquals(List.of("53/udp", "80/tcp", "443/tcp", "9000/tcp", "9001/tcp"), PortSpecs.exposed(stored));
    }

    @Test
    void givenAMalformedPort_whenRequested_thenOneLineNamesIt() throws Exception {
        JsonNode stored = JSON.readTree("{\"HostConfig\": {\"PortBindings\": {\"80/sctp\": [{\"HostPort\": \"1\"}]}}}");
        assertEquals("invalid port 80/sctp: the protocol must be tcp or udp",
                assertThrows(NetworkDomainException.class, () -> PortSpecs.requested(stored)).getMessage());
        JsonNode badHost = JSON.readTree("{\"HostConfig\": {\"PortBindings\": {\"80/tcp\": [{\"HostPort\": \"70000\"}]}}}");
        assertTrue(assertThrows(NetworkDomainException.class, () -> PortSpecs.requested(badHost)).getMessage().contains("'70000'"));
    }

    @Test
    void givenPublishedPorts_whenShown_thenInspectAndListHaveDockersShapes() throws Exception {
        JsonNode stored = JSON.readTree("{\"Config\": {\"ExposedPorts\": {\"80/tcp\": {}, \"443/tcp\": {}}}}");
        NetworkState.PortRecord port = new NetworkState.PortRecord();
        port.hostIp = "";
        port.hostPort = 8080;
        port.containerPort = 80;
        port.protocol = "tcp";
        port.range = 1;
        ObjectNode ports = JSON.createObjectNode();
        PortSpecs.fillPorts(ports, stored, List.of(port));
        assertEquals(JSON.readTree("{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}],\"443/tcp\":null}"), ports);
        ArrayNode list = JSON.createArrayNode();
        PortSpecs.fillList(list, stored, List.of(port));
        assertEquals(JSON.readTree("[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
                + "{\"PrivatePort\":443,\"Type\":\"tcp\"}]"), list);
    }

    @Test
    void givenDockersCreateBodies_whenTheNetworksAreRead_thenDefaultIsTheBridgeAndHostOrNoneJoinNothing() throws Exception {
        assertEquals(List.of("bridge"), NetworkService.targets(JSON.readTree(
                "{\"HostConfig\":{\"NetworkMode\":\"default\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{}}}}")));
        assertEquals(List.of("app", "other"), NetworkService.targets(JSON.readTree(
                "{\"HostConfig\":{\"NetworkMode\":\"app\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"app\":{},\"other\":{}}}}")));
        assertEquals(List.of(), NetworkService.targets(JSON.readTree("{\"HostConfig\":{\"NetworkMode\":\"host\"}}")));
        assertEquals(List.of(), NetworkService.targets(JSON.readTree("{\"HostConfig\":{\"NetworkMode\":\"none\"}}")));
        assertEquals(List.of("bridge"), NetworkService.targets(JSON.readTree("{\"HostConfig\":{}}")));
    }
}
