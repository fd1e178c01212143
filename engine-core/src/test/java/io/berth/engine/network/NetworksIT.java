package io.berth.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Networks through a real daemon with the real netavark plugin: a published port answers from the
 * host on 127.0.0.1, two containers on a user network reach each other by name and alias, removing a
 * network in use is 409, nothing (veth, bridge, rule, namespace) is left after removal, and a replay
 * of the log equals the live state with networks. Talks only to 127.0.0.1 and the containers' addresses.
 */
class NetworksIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Path socket;
    private static Process daemon;
    private static String image;
    private static Set<String> linksBefore;

    @BeforeAll
    static void startDaemon() throws Exception {
        linksBefore = links();
        registry = LocalRegistry.start();
        registry.push(TestImages.busybox(TestImages.Format.OCI), "net/busybox", "1");
        root = Files.createTempDirectory("berth-networks-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        Path log = root.resolve("daemon.log");
        socket = root.resolve("berth.sock");
        daemon = TestDaemons.startChildDaemon(root, plugins, log);
        TestDaemons.awaitPing(socket, daemon, log);
        image = registry.host() + "/net/busybox";
        UnixHttp.post(socket, "/images/create?fromImage=" + URLEncoder.encode(image, StandardCharsets.UTF_8) + "&tag=1", "");
        image = image + ":1";
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        try {
            if (daemon != null && daemon.isAlive()) {
                for (JsonNode c : JSON.readTree(UnixHttp.get(socket, "/containers/json?all=1").body())) {
                    UnixHttp.send(socket, "DELETE", "/containers/" + c.get("Id").asText() + "?force=1", null);
                }
                for (JsonNode n : JSON.readTree(UnixHttp.get(socket, "/networks").body())) {
                    UnixHttp.send(socket, "DELETE", "/networks/" + n.get("Id").asText(), null);
                }
                daemon.destroy();
                daemon.waitFor();
            }
        } finally {
            if (daemon != null && daemon.isAlive()) {
                daemon.destroyForcibly().waitFor();
            }
            // The default network's bridge goes with the daemon's anchor at its stop unless another daemon
            // on the host holds it too: it is not deleted here.
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    private static Set<String> links(String... filter) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("ip", "-o", "link", "show"));
        command.addAll(List.of(filter));
        Process ip = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ip.waitFor();
        Set<String> names = new TreeSet<>();
        for (String line : out.split("\n")) {
            String[] parts = line.split(": ");
            if (parts.length > 1) {
                names.add(parts[1].replaceAll("@.*", ""));
            }
        }
        return names;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static String create(String name, String body) throws IOException {
        UnixHttp.Response created = UnixHttp.post(socket, "/containers/create?name=" + name, body);
        assertEquals(201, created.status(), created.body());
        return JSON.readTree(created.body()).get("Id").asText();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String httpGet(int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        Exception last = null;
        for (int attempt = 0; attempt < 30; attempt++) {
            try {
                return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = e;
                Thread.sleep(100); // httpd may still be starting
            }
        }
        throw last;
    }

    @Test
    void givenHttpdPublishedOnLoopback_whenTheHostAsks_thenItAnswersAndInspectAndPsShowThePort() throws Exception {
        Path www = Files.createDirectories(root.resolve("www"));
        Files.writeString(www.resolve("index.html"), "hello from berth\n");
        int port = freePort();
        String id = create("web", "{\"Image\":\"" + image + "\",\"Cmd\":[\"busybox\",\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"],"
                + "\"ExposedPorts\":{\"80/tcp\":{},\"81/tcp\":{}},\"HostConfig\":{\"Binds\":[\"" + www + ":/www\"],"
                + "\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"" + port + "\"}]},\"PublishAllPorts\":true}}");
        UnixHttp.Response started = UnixHttp.post(socket, "/containers/web/start", "");
        assertEquals(204, started.status(), started.body());
        assertEquals("hello from berth\n", httpGet(port));

        JsonNode settings = JSON.readTree(UnixHttp.get(socket, "/containers/web/json").body()).get("NetworkSettings");
        assertEquals(String.valueOf(port), settings.at("/Ports/80~1tcp/0/HostPort").asText(), settings.toString());
        assertEquals("127.0.0.1", settings.at("/Ports/80~1tcp/0/HostIp").asText());
        assertEquals("0.0.0.0", settings.at("/Ports/81~1tcp/0/HostIp").asText(), "-P published the other exposed port");
        assertTrue(settings.get("IPAddress").asText().startsWith("10.213."), settings.toString());
        assertEquals(settings.get("IPAddress").asText(), settings.at("/Networks/bridge/IPAddress").asText());
        assertTrue(settings.get("MacAddress").asText().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), settings.toString());

        JsonNode listed = JSON.readTree(UnixHttp.get(socket, "/containers/json").body()).get(0);
        assertEquals(id, listed.get("Id").asText());
        assertTrue(listed.get("Ports").toString().contains("\"PublicPort\":" + port), listed.get("Ports").toString());

        assertEquals(204, UnixHttp.send(socket, "DELETE", "/containers/web?force=1", null).status());
        assertTrue(run("iptables-save").lines().noneMatch(l -> l.contains(String.valueOf(port))), "no rule names the port");
    }

    @Test
    void givenAUserNetwork_whenTwoContainersJoinIt_thenTheyReachEachOtherByNameAndAliasAndItCannotBeRemovedWhileInUse() throws Exception {
        UnixHttp.Response made = UnixHttp.post(socket, "/networks/create", "{\"Name\":\"app\",\"Labels\":{\"team\":\"a\"}}");
        assertEquals(201, made.status(), made.body());
        String networkId = JSON.readTree(made.body()).get("Id").asText();
        assertEquals(409, UnixHttp.post(socket, "/networks/create", "{\"Name\":\"app\"}").status(), "a duplicate name");
        JsonNode network = JSON.readTree(UnixHttp.get(socket, "/networks/app").body());
        String subnet = network.at("/IPAM/Config/0/Subnet").asText();
        assertTrue(subnet.startsWith("10.213."), network.toString());

        create("db", "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"300\"],\"HostConfig\":{\"NetworkMode\":\"app\"},"
                + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"app\":{\"Aliases\":[\"database\"]}}}}");
        assertEquals(204, UnixHttp.post(socket, "/containers/db/start", "").status());
        create("client", "{\"Image\":\"" + image + "\",\"Cmd\":[\"sh\",\"-c\",\"ping -c1 -W3 db && ping -c1 -W3 database\"],"
                + "\"HostConfig\":{\"NetworkMode\":\"app\"}}");
        assertEquals(204, UnixHttp.post(socket, "/containers/client/start", "").status());
        JsonNode waited = JSON.readTree(UnixHttp.post(socket, "/containers/client/wait", "").body());
        String logs = UnixHttp.get(socket, "/containers/client/logs?stdout=1&stderr=1").body();
        assertEquals(0, waited.get("StatusCode").asInt(), logs);

        JsonNode inspected = JSON.readTree(UnixHttp.get(socket, "/networks/" + networkId).body());
        for (int i = 0; i < 50 && inspected.get("Containers").size() > 1; i++) {
            Thread.sleep(100); // client's endpoint goes when its exit is released, just after the exit
            inspected = JSON.readTree(UnixHttp.get(socket, "/networks/" + networkId).body());
        }
        assertEquals(1, inspected.get("Containers").size(), "db is on it, client left at its exit: " + inspected);
        UnixHttp.Response inUse = UnixHttp.send(socket, "DELETE", "/networks/app", null);
        assertEquals(409, inUse.status(), inUse.body());
        String filtered = UnixHttp.get(socket, "/networks?filters=" + URLEncoder.encode("{\"label\":[\"team=a\"]}", StandardCharsets.UTF_8)).body();
        assertEquals(1, JSON.readTree(filtered).size(), filtered);

        assertEquals(204, UnixHttp.send(socket, "DELETE", "/containers/db?force=1", null).status());
        assertEquals(204, UnixHttp.send(socket, "DELETE", "/containers/client", null).status());
        assertEquals(204, UnixHttp.send(socket, "DELETE", "/networks/app", null).status());
        assertEquals(404, UnixHttp.get(socket, "/networks/app").status());
        assertTrue(run("iptables-save").lines().noneMatch(l -> l.contains(subnet)), "no rule names " + subnet);
        Set<String> leftover = links();
        leftover.removeAll(linksBefore);
        leftover.remove(NetworkService.DEFAULT_BRIDGE); // the other test's default network may still hold members
        leftover.removeAll(links("master", NetworkService.DEFAULT_BRIDGE)); // and its anchor, while the daemon runs
        assertEquals(Set.of(), leftover.stream().filter(l -> l.startsWith("veth") || l.startsWith("berth")).collect(java.util.stream.Collectors.toSet()));
        assertEquals("", run("ip", "netns", "list").lines().filter(l -> l.startsWith("berth") && !l.contains("-anchor-"))
                .reduce("", String::concat), "no namespace but the default network's anchors");

        JsonNode replay = JSON.readTree(UnixHttp.post(socket, "/berth/system/replay", "").body());
        assertTrue(replay.get("Equal").asBoolean(), replay.toString());
        String events = UnixHttp.get(socket, "/berth/events?since=0&filters="
                + URLEncoder.encode("{\"type\":[\"network\"]}", StandardCharsets.UTF_8)).body();
        for (String type : List.of("NetworkCreated", "ContainerConnected", "ContainerDisconnected", "NetworkRemoved")) {
            assertTrue(events.contains(type), type + " in " + events);
        }
    }

    @Test
    void givenAHostPortInUse_whenTheContainerStarts_thenTheStartFailsInOneLineAndNothingIsLeft() throws Exception {
        Set<String> before = links();
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            create("clash", "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"30\"],"
                    + "\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"" + port + "\"}]}}}");
            UnixHttp.Response started = UnixHttp.post(socket, "/containers/clash/start", "");
            assertTrue(started.status() >= 400, started.body());
            assertTrue(started.body().contains(String.valueOf(port)) && !started.body().contains("\\n"), started.body());
            JsonNode state = JSON.readTree(UnixHttp.get(socket, "/containers/clash/json").body());
            assertEquals("created", state.at("/State/Status").asText(), state.toString());
            assertEquals("", state.at("/NetworkSettings/Networks/bridge/IPAddress").asText(), "no address kept");
            Set<String> after = links();
            after.removeAll(before);
            assertEquals(Set.of(), after.stream().filter(l -> l.startsWith("veth")).collect(java.util.stream.Collectors.toSet()));
            assertTrue(run("iptables-save").lines().noneMatch(l -> l.contains("dport " + port)), "no rule names " + port);
        }
        assertEquals(204, UnixHttp.send(socket, "DELETE", "/containers/clash", null).status());
    }

    @Test
    void givenAPublishedPort_whenTheDaemonIsKilled_thenItKeepsAnsweringAndTheRestartedDaemonStillKnowsIt() throws Exception {
        Path www = Files.createDirectories(root.resolve("www-kill"));
        Files.writeString(www.resolve("index.html"), "still here\n");
        int port = freePort();
        create("survivor", "{\"Image\":\"" + image + "\",\"Cmd\":[\"busybox\",\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"],"
                + "\"HostConfig\":{\"Binds\":[\"" + www + ":/www\"],\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"" + port + "\"}]}}}");
        assertEquals(204, UnixHttp.post(socket, "/containers/survivor/start", "").status());
        assertEquals("still here\n", httpGet(port));
        String address = JSON.readTree(UnixHttp.get(socket, "/containers/survivor/json").body()).at("/NetworkSettings/IPAddress").asText();

        daemon.destroyForcibly().waitFor(); // SIGKILL
        assertEquals("still here\n", httpGet(port), "the port answers with no daemon");
        Path plugins = root.resolve("plugin-jars");
        Path log = root.resolve("daemon.log");
        daemon = TestDaemons.startChildDaemon(root, plugins, log);
        TestDaemons.awaitPing(socket, daemon, log);

        JsonNode settings = JSON.readTree(UnixHttp.get(socket, "/containers/survivor/json").body()).get("NetworkSettings");
        assertEquals(String.valueOf(port), settings.at("/Ports/80~1tcp/0/HostPort").asText(), settings.toString());
        assertEquals(address, settings.get("IPAddress").asText(), "the same address after the restart");
        assertEquals("still here\n", httpGet(port));
        assertEquals(204, UnixHttp.send(socket, "DELETE", "/containers/survivor?force=1", null).status());
        assertTrue(run("iptables-save").lines().noneMatch(l -> l.contains("dport " + port)), "no rule names " + port);
        JsonNode replay = JSON.readTree(UnixHttp.post(socket, "/berth/system/replay", "").body());
        assertTrue(replay.get("Equal").asBoolean(), replay.toString());
    }

    @Test
    void givenARunningContainer_whenAnotherJoinsItsNetworkNamespace_thenItReachesItsServerOnLoopbackAndBadModesAreRefusedAsDockers() throws Exception {
        create("nsowner", "{\"Image\":\"" + image + "\",\"Cmd\":[\"busybox\",\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/etc\"]}");
        assertEquals(204, UnixHttp.post(socket, "/containers/nsowner/start", "").status());
        String ownerAddress = JSON.readTree(UnixHttp.get(socket, "/containers/nsowner/json").body()).at("/NetworkSettings/IPAddress").asText();
        create("joiner", "{\"Image\":\"" + image + "\",\"Cmd\":[\"sh\",\"-c\",\"sleep 1; wget -qO- http://127.0.0.1/hostname; hostname; ip -o -4 addr\"],"
                + "\"HostConfig\":{\"NetworkMode\":\"container:nsowner\"}}");
        assertEquals(204, UnixHttp.post(socket, "/containers/joiner/start", "").status());
        JsonNode waited = JSON.readTree(UnixHttp.post(socket, "/containers/joiner/wait", "").body());
        String logs = UnixHttp.get(socket, "/containers/joiner/logs?stdout=1&stderr=1").body();
        assertEquals(0, waited.get("StatusCode").asInt(), logs);
        String ownerHostname = JSON.readTree(UnixHttp.get(socket, "/containers/nsowner/json").body()).at("/Config/Hostname").asText();
        assertTrue(logs.split(ownerHostname, -1).length >= 3, "the owner's /etc/hostname over loopback, then the same hostname: " + logs);
        assertTrue(logs.contains(ownerAddress + "/"), "the owner's address in the joiner's namespace: " + logs);

        UnixHttp.Response unknown = UnixHttp.post(socket, "/containers/create?name=nojoin",
                "{\"Image\":\"" + image + "\",\"HostConfig\":{\"NetworkMode\":\"container:no-such-container\"}}");
        assertEquals(404, unknown.status(), unknown.body());
        assertTrue(unknown.body().contains("No such container: no-such-container"), unknown.body());
        UnixHttp.Response ports = UnixHttp.post(socket, "/containers/create?name=nojoin",
                "{\"Image\":\"" + image + "\",\"HostConfig\":{\"NetworkMode\":\"container:nsowner\",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"}]}}}");
        assertEquals(400, ports.status(), ports.body());
        assertTrue(ports.body().contains("conflicting options: port publishing and the container type network mode"), ports.body());
        UnixHttp.Response hostname = UnixHttp.post(socket, "/containers/create?name=nojoin",
                "{\"Image\":\"" + image + "\",\"Hostname\":\"h\",\"HostConfig\":{\"NetworkMode\":\"container:nsowner\"}}");
        assertEquals(400, hostname.status(), hostname.body());
        assertTrue(hostname.body().contains("conflicting options: hostname and the network mode"), hostname.body());

        assertEquals(204, UnixHttp.post(socket, "/containers/nsowner/stop?t=1", "").status());
        UnixHttp.Response notRunning = UnixHttp.post(socket, "/containers/joiner/start", "");
        assertEquals(409, notRunning.status(), notRunning.body());
        assertTrue(notRunning.body().contains("cannot join network of a non running container"), notRunning.body());
        assertEquals(404, UnixHttp.get(socket, "/containers/nojoin/json").status(), "nothing half-created");
        assertEquals(204, UnixHttp.send(socket, "DELETE", "/containers/joiner?force=1", null).status());
        assertEquals(204, UnixHttp.send(socket, "DELETE", "/containers/nsowner?force=1", null).status());
    }

    @Test
    void givenBadNetworkInput_whenCreatingNetworksAndContainers_thenEachIsRefusedInOneLineAndNothingIsLeft() throws Exception {
        Set<String> before = links();
        String subnet = "10.213.240.0/24";
        UnixHttp.Response first = UnixHttp.post(socket, "/networks/create", "{\"Name\":\"ov1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"" + subnet + "\"}]}}");
        assertEquals(201, first.status(), first.body());
        UnixHttp.Response overlap = UnixHttp.post(socket, "/networks/create", "{\"Name\":\"ov2\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.213.240.128/25\"}]}}");
        assertTrue(overlap.status() == 409 || overlap.status() == 403, overlap.body());
        assertTrue(overlap.body().contains("10.213.240.128/25") && overlap.body().contains("overlaps") && !overlap.body().contains("\\n"), overlap.body());
        assertEquals(404, UnixHttp.get(socket, "/networks/ov2").status(), "the refused network is not recorded");
        UnixHttp.Response duplicate = UnixHttp.post(socket, "/networks/create", "{\"Name\":\"ov1\"}");
        assertEquals(409, duplicate.status(), duplicate.body());
        UnixHttp.Response removeBridge = UnixHttp.send(socket, "DELETE", "/networks/bridge", null);
        assertEquals(403, removeBridge.status(), removeBridge.body());

        UnixHttp.Response unknown = UnixHttp.post(socket, "/containers/create?name=lost",
                "{\"Image\":\"" + image + "\",\"HostConfig\":{\"NetworkMode\":\"no-such-network\"}}");
        assertEquals(404, unknown.status(), unknown.body());
        assertTrue(unknown.body().contains("network no-such-network not found"), unknown.body());
        UnixHttp.Response badPort = UnixHttp.post(socket, "/containers/create?name=lost",
                "{\"Image\":\"" + image + "\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"99999\"}]}}}");
        assertEquals(400, badPort.status(), badPort.body());
        assertTrue(badPort.body().contains("99999") && !badPort.body().contains("\\n"), badPort.body());
        UnixHttp.Response badProto = UnixHttp.post(socket, "/containers/create?name=lost",
                "{\"Image\":\"" + image + "\",\"ExposedPorts\":{\"80/sctp\":{}},\"HostConfig\":{\"PortBindings\":{\"80/smtp\":[{\"HostPort\":\"8080\"}]}}}");
        assertEquals(400, badProto.status(), badProto.body());
        assertEquals(404, UnixHttp.get(socket, "/containers/lost/json").status(), "no refused container is recorded");

        assertEquals(204, UnixHttp.send(socket, "DELETE", "/networks/ov1", null).status());
        Set<String> after = links();
        after.removeAll(before);
        assertEquals(Set.of(), after.stream().filter(l -> l.startsWith("veth") || l.startsWith("br-")).collect(java.util.stream.Collectors.toSet()));
        assertTrue(run("iptables-save").lines().noneMatch(l -> l.contains("10.213.240.")), "no rule names the refused subnets");
    }

    private static boolean onNetwork(String network, String containerId) throws IOException {
        return JSON.readTree(UnixHttp.get(socket, "/networks/" + network).body()).path("Containers").has(containerId);
    }

    @Test
    void givenACreatedContainer_whenConnectedAndLaterDisconnected_thenItsStartsJoinAsRecordedAndARunningConnectSurvivesRestart() throws Exception {
        assertEquals(201, UnixHttp.post(socket, "/networks/create", "{\"Name\":\"later\"}").status());
        assertEquals(201, UnixHttp.post(socket, "/networks/create", "{\"Name\":\"later2\"}").status());
        String id = create("sleeper", "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"300\"]}");
        UnixHttp.Response connected = UnixHttp.post(socket, "/networks/later/connect",
                "{\"Container\":\"sleeper\",\"EndpointConfig\":{\"Aliases\":[\"snooze\"]}}");
        assertEquals(200, connected.status(), connected.body());
        assertEquals(403, UnixHttp.post(socket, "/networks/later/connect", "{\"Container\":\"sleeper\"}").status(), "connected twice");
        JsonNode planned = JSON.readTree(UnixHttp.get(socket, "/containers/sleeper/json").body()).at("/NetworkSettings/Networks");
        assertTrue(planned.has("later") && planned.has("bridge"), "a created container shows the network it will join: " + planned);
        assertFalse(onNetwork("later", id), "nothing is attached before the start");

        assertEquals(204, UnixHttp.post(socket, "/containers/sleeper/start", "").status());
        assertTrue(onNetwork("later", id) && onNetwork("bridge", id), "the start joined the recorded network and its own");
        assertTrue(JSON.readTree(UnixHttp.get(socket, "/networks/later").body()).at("/Containers/" + id).toString().length() > 2);
        assertEquals(200, UnixHttp.post(socket, "/networks/later2/connect", "{\"Container\":\"sleeper\"}").status());
        assertTrue(onNetwork("later2", id), "a running container joins at once");
        assertEquals(204, UnixHttp.post(socket, "/containers/sleeper/restart?t=1", "").status());
        assertTrue(onNetwork("later", id) && onNetwork("later2", id), "a restart joins both again");

        assertEquals(204, UnixHttp.post(socket, "/containers/sleeper/stop?t=1", "").status());
        assertEquals(200, UnixHttp.post(socket, "/networks/bridge/disconnect", "{\"Container\":\"sleeper\"}").status());
        assertEquals(404, UnixHttp.post(socket, "/networks/bridge/disconnect", "{\"Container\":\"sleeper\"}").status(), "disconnected twice");
        assertEquals(204, UnixHttp.post(socket, "/containers/sleeper/start", "").status());
        assertFalse(onNetwork("bridge", id), "the recorded disconnect holds at the next start");
        assertTrue(onNetwork("later", id) && onNetwork("later2", id));
        String events = UnixHttp.get(socket, "/berth/events?since=0&filters="
                + URLEncoder.encode("{\"type\":[\"network\"]}", StandardCharsets.UTF_8)).body();
        assertTrue(events.contains("MembershipAdded") && events.contains("MembershipDropped"), events);

        assertEquals(204, UnixHttp.send(socket, "DELETE", "/containers/sleeper?force=1", null).status());
        assertEquals(204, UnixHttp.send(socket, "DELETE", "/networks/later", null).status());
        assertEquals(204, UnixHttp.send(socket, "DELETE", "/networks/later2", null).status());
        JsonNode replay = JSON.readTree(UnixHttp.post(socket, "/berth/system/replay", "").body());
        assertTrue(replay.get("Equal").asBoolean(), replay.toString());
    }

    @Test
    void givenNetavarkOrAardvarkMissing_whenNetworksAreUsed_thenEachRefusalNamesTheProgramInOneLineAndNothingIsLeft() throws Exception {
        Set<String> before = links();
        for (String program : List.of("netavark", "aardvark-dns")) {
            Path otherRoot = Files.createTempDirectory("berth-networks-missing");
            Path config = otherRoot.resolve("daemon.json");
            String missing = "/nonexistent/" + program;
            Files.writeString(config, "{\"plugins\":{\"network-netavark\":{\"" + program + "\":\"" + missing + "\"}}}");
            Path log = otherRoot.resolve("daemon.log");
            Path otherSocket = otherRoot.resolve("berth.sock");
            Process other = TestDaemons.startChildDaemon(otherRoot, root.resolve("plugin-jars"), log, List.of("--config-file", config.toString()));
            try {
                TestDaemons.awaitPing(otherSocket, other, log);
                UnixHttp.post(otherSocket, "/images/create?fromImage=" + URLEncoder.encode(image.substring(0, image.lastIndexOf(':')),
                        StandardCharsets.UTF_8) + "&tag=1", "");
                UnixHttp.Response made = UnixHttp.post(otherSocket, "/networks/create", "{\"Name\":\"needs-" + program + "\"}");
                assertTrue(made.status() >= 400, made.body());
                assertTrue(made.body().contains(missing) && !made.body().contains("\\n"), made.body());
                UnixHttp.Response created = UnixHttp.post(otherSocket, "/containers/create?name=orphan", "{\"Image\":\"" + image + "\",\"Cmd\":[\"true\"]}");
                if (created.status() == 201) {
                    // the default network was made (it has no DNS, so no aardvark-dns): the start is refused
                    UnixHttp.Response started = UnixHttp.post(otherSocket, "/containers/orphan/start", "");
                    assertTrue(started.status() >= 400, started.body());
                    assertTrue(started.body().contains(missing) && !started.body().contains("\\n"), started.body());
                    assertEquals(204, UnixHttp.send(otherSocket, "DELETE", "/containers/orphan", null).status());
                } else {
                    assertTrue(created.body().contains("network bridge not found") && created.body().contains(missing), created.body());
                }
            } finally {
                other.destroy();
                other.waitFor();
                TestDaemons.deleteTree(otherRoot);
            }
        }
        Set<String> after = links();
        after.removeAll(before);
        after.removeAll(links("master", NetworkService.DEFAULT_BRIDGE));
        assertEquals(Set.of(), after.stream().filter(l -> l.startsWith("veth") || l.startsWith("br-")).collect(java.util.stream.Collectors.toSet()),
                "no veth or bridge from the refusals");
    }
}
