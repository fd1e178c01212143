package io.berth.plugin.netavark;

import io.berth.spi.Probe;
import io.berth.spi.network.AttachRequest;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.PortMapping;
import io.berth.spi.network.Subnet;
import io.berth.spi.tck.NetNamespace;
import io.berth.spi.tck.TestPluginContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the conformance kit cannot see from outside: aardvark-dns' name lists and process, the
 * state files, the address-pool options, netavark's own limits.
 */
class NetavarkDriverTest {

    @TempDir
    Path tempDir;

    private final List<NetNamespace> namespaces = new ArrayList<>();
    private final List<Runnable> cleanups = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Runnable cleanup : cleanups.reversed()) {
            try {
                cleanup.run();
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        for (NetNamespace ns : namespaces) {
            try {
                ns.close();
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        assertEquals(List.of(), problems, "cleaning up");
    }

    private NetavarkDriver driver(Map<String, String> options) {
        NetavarkDriver d = new NetavarkDriver();
        d.initialize(TestPluginContext.in(tempDir, "network-netavark", options));
        return d;
    }

    private NetworkDefinition network(NetavarkDriver driver, NetworkDefinition request) throws NetworkException {
        NetworkDefinition d = driver.create(request);
        cleanUpWith(driver, d);
        return d;
    }

    /** Detaches every member and removes the network after the check, even a failed one. */
    private void cleanUpWith(NetavarkDriver driver, NetworkDefinition d) {
        cleanups.add(() -> {
            try {
                for (Attachment a : driver.attachments()) {
                    driver.detach(a.networkId(), a.containerId());
                }
                driver.remove(d.id());
            } catch (NetworkException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    private NetNamespace namespace() throws IOException {
        NetNamespace ns = NetNamespace.create();
        namespaces.add(ns);
        return ns;
    }

    private static String randomId() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private Path aardvarkDir() {
        return tempDir.resolve("root/plugins/network-netavark/netavark/aardvark-dns");
    }

    private static List<String> aardvarkProcessesUsing(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmdline.contains("aardvark-dns") && cmdline.contains(dir.toString())) {
                        found.add(p.getFileName() + ": " + cmdline);
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return found;
    }

    @Test
    void givenAMemberWithAliases_whenAttachedThenDetached_thenAardvarksNameListHasItThenNotAndItsServerStops() throws Exception {
        NetavarkDriver driver = driver(Map.of());
        NetworkDefinition d = network(driver, NetworkDefinition.bridge("dns-test", randomId()));
        String cid = randomId();
        Attachment a = driver.attach(d.id(), AttachRequest.of(cid, "alpha", namespace().path().toString()).withAliases(List.of("db")));
        assertEquals(List.of("alpha", "db"), a.aliases());
        String names = Files.readString(aardvarkDir().resolve(d.id()));
        assertTrue(names.contains(cid) && names.contains(a.ipAddress()) && names.contains("alpha") && names.contains("db"), names);
        assertFalse(aardvarkProcessesUsing(aardvarkDir()).isEmpty(), "aardvark-dns serves the network");
        driver.detach(d.id(), cid);
        Path list = aardvarkDir().resolve(d.id());
        assertTrue(!Files.exists(list) || !Files.readString(list).contains(cid), "the entry is gone");
        for (int i = 0; i < 20 && !aardvarkProcessesUsing(aardvarkDir()).isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), aardvarkProcessesUsing(aardvarkDir()), "with no member left aardvark-dns stops");
    }

    @Test
    void givenAnAttachment_whenItsStateIsWritten_thenOneFileHoldsItAndDetachDeletesIt() throws Exception {
        NetavarkDriver driver = driver(Map.of());
        NetworkDefinition d = network(driver, NetworkDefinition.bridge("state-test", randomId()));
        String cid = randomId();
        driver.attach(d.id(), AttachRequest.of(cid, "alpha", namespace().path().toString()));
        Path file = tempDir.resolve("root/plugins/network-netavark/attachments").resolve(d.id() + "-" + cid + ".json");
        assertTrue(Files.exists(file), "the attachment and netavark's setup input are kept for teardown");
        assertTrue(Files.exists(tempDir.resolve("root/plugins/network-netavark/networks").resolve(d.id() + ".json")));
        driver.detach(d.id(), cid);
        assertFalse(Files.exists(file));
    }

    @Test
    void givenTheNetworkFilesLost_whenANewInstanceIsToldTheNetworks_thenItRebuildsThemAndStillDetaches() throws Exception {
        NetavarkDriver first = driver(Map.of());
        NetworkDefinition d = network(first, NetworkDefinition.bridge("rebuild-test", randomId()));
        String cid = randomId();
        NetNamespace ns = namespace();
        Attachment a = first.attach(d.id(), AttachRequest.of(cid, "alpha", ns.path().toString()));
        Files.delete(tempDir.resolve("root/plugins/network-netavark/networks").resolve(d.id() + ".json"));
        NetavarkDriver second = driver(Map.of());
        cleanUpWith(second, d);
        second.restore(List.of(d));
        assertEquals(List.of(d), second.networks());
        assertEquals(List.of(a), second.attachments());
        second.detach(d.id(), cid);
        second.remove(d.id());
        assertFalse(Files.exists(Path.of("/sys/class/net", d.networkInterface())));
    }

    @Test
    void givenADaemonKilledDuringSetup_whenANewInstanceIsRestored_thenThePendingAttachmentIsTornDownAndItsAddressFreed() throws Exception {
        NetavarkDriver first = driver(Map.of());
        NetworkDefinition d = network(first, NetworkDefinition.bridge("pending-test", randomId()));
        String cid = randomId();
        NetNamespace ns = namespace();
        Attachment a = first.attach(d.id(), AttachRequest.of(cid, "alpha", ns.path().toString()));
        // What a kill -9 between netavark's setup and the driver's record leaves: the file without its result.
        Path file = tempDir.resolve("root/plugins/network-netavark/attachments").resolve(d.id() + "-" + cid + ".json");
        Files.writeString(file, Files.readString(file).replaceAll(",\"attachment\":\\{.*}}$", ",\"attachment\":null}"));
        NetavarkDriver second = driver(Map.of());
        cleanUpWith(second, d);
        second.restore(List.of(d));
        assertEquals(List.of(), second.attachments());
        assertFalse(Files.exists(file), "the pending record is gone");
        assertFalse(ns.ip("-o", "link").contains("eth0"), "what setup made is undone");
        assertTrue(Files.exists(Path.of("/sys/class/net", d.networkInterface())), "the live anchor was kept, and holds the bridge");
        Attachment again = second.attach(d.id(), AttachRequest.of(randomId(), "beta", namespace().path().toString()));
        assertEquals(a.ipAddress(), again.ipAddress(), "the address was freed");
    }

    private static long ifindex(String name) throws IOException {
        return Long.parseLong(Files.readString(Path.of("/sys/class/net", name, "ifindex")).strip());
    }

    private static List<String> anchorNamespaces() throws IOException {
        if (!Files.isDirectory(Path.of("/run/netns"))) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(Path.of("/run/netns"))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("berth-nv-") && n.contains("-anchor-")).toList();
        }
    }

    @Test
    void givenAMemberThatLeft_whenAnotherJoins_thenTheBridgeStayedUpAndRemoveOrCloseTakesItDown() throws Exception {
        List<String> anchorsBefore = anchorNamespaces();
        NetavarkDriver driver = driver(Map.of());
        NetworkDefinition d = network(driver, NetworkDefinition.bridge("anchor-test", randomId()));
        String first = randomId();
        Attachment a = driver.attach(d.id(), AttachRequest.of(first, "alpha", namespace().path().toString()));
        long bridge = ifindex(d.networkInterface());
        driver.detach(d.id(), first);
        assertTrue(Files.exists(Path.of("/sys/class/net", d.networkInterface())), "the anchor holds the bridge with no container");
        assertEquals(List.of(), driver.attachments(), "the anchor is not an attachment");
        Attachment b = driver.attach(d.id(), AttachRequest.of(randomId(), "beta", namespace().path().toString()));
        assertEquals(bridge, ifindex(d.networkInterface()), "the same bridge, not a rebuilt one");
        assertEquals(a.ipAddress(), b.ipAddress(), "the anchor's address is the subnet's highest, containers start at the lowest");
        assertEquals(1, anchorNamespaces().size() - anchorsBefore.size(), "one anchor namespace for the network");
        driver.detach(d.id(), b.containerId());
        driver.close();
        assertFalse(Files.exists(Path.of("/sys/class/net", d.networkInterface())), "close took the anchor and the bridge with it");
        assertEquals(anchorsBefore, anchorNamespaces());
        driver.attach(d.id(), AttachRequest.of(randomId(), "gamma", namespace().path().toString()));
        for (Attachment left : driver.attachments()) {
            driver.detach(left.networkId(), left.containerId());
        }
        driver.remove(d.id());
        assertFalse(Files.exists(Path.of("/sys/class/net", d.networkInterface())), "remove took the anchor and the bridge with it");
        assertEquals(anchorsBefore, anchorNamespaces());
    }

    @Test
    void givenTwoDaemonsOnOneHost_whenBothMakeTheDefaultBridge_thenTheSecondJoinsItsSubnetAndNoAddressIsGivenTwice() throws Exception {
        Map<String, String> options = Map.of("host-lease-directory", tempDir.resolve("leases").toString());
        String bridgeName = "bnv" + randomId().substring(0, 8);
        // a subnet of its own: the default pool's first subnet may be named by rules of other daemons on the host
        String subnet = "10.213." + (200 + ThreadLocalRandom.current().nextInt(50)) + ".0/24";
        java.util.function.BiFunction<String, List<Subnet>, NetworkDefinition> defaultBridge = (id, subnets) -> new NetworkDefinition("bridge", id, "bridge", subnets,
                bridgeName, false, false, Map.of(), Map.of("com.docker.network.bridge.default_bridge", "true",
                "com.docker.network.bridge.name", bridgeName));
        NetavarkDriver one = driver(options);
        NetworkDefinition first = network(one, defaultBridge.apply(randomId(), List.of(new Subnet(subnet, null))));
        Attachment a = one.attach(first.id(), AttachRequest.of(randomId(), "alpha", namespace().path().toString()));

        NetavarkDriver two = new NetavarkDriver();
        two.initialize(TestPluginContext.in(tempDir.resolve("second"), "network-netavark", options));
        NetworkDefinition second = network(two, defaultBridge.apply(randomId(), List.of()));
        assertEquals(first.subnets(), second.subnets(), "the second daemon joins the bridge with its subnet and gateway");
        NetNamespace nsB = namespace();
        Attachment b = two.attach(second.id(), AttachRequest.of(randomId(), "beta", nsB.path().toString()));
        assertNotEquals(a.ipAddress(), b.ipAddress(), "the host's leases keep the daemons' addresses apart");
        String answer = nsB.inside(() -> {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new InetSocketAddress(a.ipAddress(), 9), 3000);
                return "connected";
            } catch (java.net.ConnectException e) {
                return String.valueOf(e.getMessage());
            }
        });
        assertTrue(answer.contains("refused"), "the other daemon's member answers (with a reset on a closed port): " + answer);

        one.detach(first.id(), a.containerId());
        one.remove(first.id());
        one.close();
        assertTrue(Files.exists(Path.of("/sys/class/net", bridgeName)), "the other daemon's member keeps the bridge");
        two.detach(second.id(), b.containerId());
        two.remove(second.id());
        assertFalse(Files.exists(Path.of("/sys/class/net", bridgeName)), "the last member took the bridge");
        assertTrue(iptablesSave().lines().noneMatch(l -> l.contains(first.subnets().getFirst().cidr())), "no rule names the subnet");
    }

    private static String iptablesSave() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("iptables-save").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void givenNetavarkMissing_whenANetworkIsCreated_thenItIsRefusedNotUsableInOneLine() {
        NetavarkDriver driver = driver(Map.of("netavark", "/nonexistent/netavark"));
        NetworkException e = assertThrows(NetworkException.class, () -> driver.create(NetworkDefinition.bridge("nv", randomId())));
        assertEquals(NetworkException.Reason.NOT_USABLE, e.reason());
        assertTrue(e.getMessage().contains("/nonexistent/netavark") && !e.getMessage().contains("\n"), e.getMessage());
        assertEquals(List.of(), driver.networks());
    }

    @Test
    void givenAPoolOption_whenANetworkIsCreatedWithoutSubnet_thenItsSubnetComesFromThatPool() throws Exception {
        NetavarkDriver driver = driver(Map.of("default-address-pool", "10.217.64.0/18", "default-address-pool-size", "26"));
        NetworkDefinition d = network(driver, NetworkDefinition.bridge("pool-test", randomId()));
        assertEquals("10.217.64.0/26", d.subnets().getFirst().cidr());
        assertEquals("10.217.64.1", d.subnets().getFirst().gateway());
        NetworkDefinition e = network(driver, NetworkDefinition.bridge("pool-test2", randomId()));
        assertEquals("10.217.64.64/26", e.subnets().getFirst().cidr());
    }

    @Test
    void givenABadPoolOption_whenProbedOrCreating_thenBothNameTheOption() {
        NetavarkDriver driver = driver(Map.of("default-address-pool", "10.217.0.7/16"));
        Probe probe = driver.probe();
        assertTrue(probe.problems().stream().anyMatch(p -> p.startsWith("default-address-pool")), probe.summary());
        NetworkException e = assertThrows(NetworkException.class, () -> driver.create(NetworkDefinition.bridge("x", randomId())));
        assertEquals(NetworkException.Reason.INVALID, e.reason());
        assertTrue(e.getMessage().contains("default-address-pool"), e.getMessage());
    }

    @Test
    void givenNoOptions_whenTheDefaultPoolIsUsed_thenItIsNeitherDockersNorPodmans() {
        Ipv4.Cidr pool = Ipv4.Cidr.parse(NetavarkDriver.DEFAULT_POOL);
        for (String other : List.of("172.16.0.0/12", "192.168.0.0/16", "10.88.0.0/16", "10.89.0.0/16")) {
            assertFalse(pool.overlaps(Ipv4.Cidr.parse(other)), other);
        }
    }

    @Test
    void givenSomethingListeningOnLoopback_whenPublishingThatPortOnAllAddresses_thenItIsRefusedPortInUse() throws Exception {
        NetavarkDriver driver = driver(Map.of());
        NetworkDefinition d = network(driver, NetworkDefinition.bridge("port-test", randomId()));
        try (ServerSocket holder = new ServerSocket()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = holder.getLocalPort();
            NetworkException e = assertThrows(NetworkException.class, () -> driver.attach(d.id(),
                    AttachRequest.of(randomId(), "web", namespace().path().toString()).withPorts(List.of(PortMapping.of(port, 80, "tcp")))));
            assertEquals(NetworkException.Reason.PORT_IN_USE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(port + "/tcp"), e.getMessage());
        }
        assertEquals(List.of(), driver.attachments());
    }

    @Test
    void givenAHostAddressNotOnThisHost_whenPublishing_thenItIsRefusedAsInvalid() throws Exception {
        NetavarkDriver driver = driver(Map.of());
        NetworkDefinition d = network(driver, NetworkDefinition.bridge("addr-test", randomId()));
        NetworkException e = assertThrows(NetworkException.class, () -> driver.attach(d.id(),
                AttachRequest.of(randomId(), "web", namespace().path().toString())
                        .withPorts(List.of(new PortMapping("192.0.2.77", 28080, 80, "tcp", 1)))));
        assertEquals(NetworkException.Reason.INVALID, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("192.0.2.77"), e.getMessage());
    }

    @Test
    void givenARangeOfPorts_whenPublished_thenTheLastPortOfTheRangeReachesItsContainerPort() throws Exception {
        NetavarkDriver driver = driver(Map.of());
        NetworkDefinition d = network(driver, NetworkDefinition.bridge("range-test", randomId()));
        NetNamespace ns = namespace();
        int base = 0;
        for (int attempt = 0; attempt < 20 && base == 0; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(30000, 31000) * 2;
            try (ServerSocket s1 = new ServerSocket(candidate); ServerSocket s2 = new ServerSocket(candidate + 1)) {
                base = candidate;
            } catch (IOException taken) {
                // try another pair
            }
        }
        int hostBase = base;
        driver.attach(d.id(), AttachRequest.of(randomId(), "web", ns.path().toString())
                .withPorts(List.of(new PortMapping("127.0.0.1", hostBase, 8000, "tcp", 2))));
        ServerSocket server = ns.inside(() -> new ServerSocket(8001));
        try (server; java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), hostBase + 1), 5000);
            try (java.net.Socket accepted = server.accept()) {
                assertTrue(accepted.isConnected(), "host port " + (hostBase + 1) + " reaches container port 8001");
            }
        }
    }

    @Test
    void givenAnUnsupportedDriverOrSecondSubnet_whenCreated_thenTheErrorSaysWhatThisDriverTakes() {
        NetavarkDriver driver = driver(Map.of());
        NetworkException overlay = assertThrows(NetworkException.class, () -> driver.create(
                new NetworkDefinition("o", randomId(), "overlay", null, null, false, true, null, null)));
        assertEquals(NetworkException.Reason.INVALID, overlay.reason());
        assertTrue(overlay.getMessage().contains("overlay"), overlay.getMessage());
        NetworkException two = assertThrows(NetworkException.class, () -> driver.create(NetworkDefinition.bridge("t", randomId())
                .withSubnets(List.of(new io.berth.spi.network.Subnet("10.218.0.0/24", null), new io.berth.spi.network.Subnet("10.218.1.0/24", null)))));
        assertEquals(NetworkException.Reason.INVALID, two.reason());
        assertEquals(List.of(), driver.networks());
    }
}
