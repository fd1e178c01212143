package io.berth.spi.tck;

import io.berth.spi.NetworkDriver;
import io.berth.spi.PluginContext;
import io.berth.spi.Probe;
import io.berth.spi.network.AttachRequest;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.PortMapping;
import io.berth.spi.network.Subnet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance kit for {@link NetworkDriver}s. Extend it in one line:
 *
 * <pre>{@code
 * class MyNetworkDriverContractTest extends NetworkDriverContract {
 *     @Override protected NetworkDriver newExtension(PluginContext ctx) { return new MyDriver(); }
 * }
 * }</pre>
 *
 * <p>The checks run as root against the real thing: the driver's bridges, veth pairs, firewall
 * rules and DNS server, with network namespaces the kit makes ({@link NetNamespace}) standing in
 * for containers'. Traffic goes only to loopback and to the namespaces' own addresses. A driver
 * that reports itself unusable fails every check that needs the host, with the probe's summary.
 *
 * <p>After every check, even a failed one, the kit detaches what is attached, removes the
 * networks it created and deletes its namespaces, then fails the check if anything of them
 * remains: a host interface named after one of its networks' bridges, a veth that was not there
 * before, or a line of {@code iptables-save} or {@code nft list ruleset} naming one of its subnets
 * or published host ports.
 */
public abstract class NetworkDriverContract extends ExtensionContract<NetworkDriver> {

    private final List<NetworkDefinition> created = new ArrayList<>();
    private final List<NetNamespace> namespaces = new ArrayList<>();
    private final Set<Integer> hostPorts = new HashSet<>();
    private Set<String> vethsBefore;
    private Set<String> rulesBefore;

    /** Notes the host's veth interfaces, to find the ones a check leaves behind. */
    @BeforeEach
    void noteHostInterfaces() throws IOException {
        vethsBefore = veths();
        rulesBefore = ruleLines();
    }

    /**
     * The firewall's lines without their counters. A line that was there before the check is not
     * the check's: on a shared host another engine may hold (or have left) rules naming a subnet the
     * driver now chooses again, since nothing on the host uses it.
     */
    private static Set<String> ruleLines() throws IOException {
        Set<String> lines = new HashSet<>();
        iptablesSave().lines().map(NetworkDriverContract::withoutCounters).forEach(lines::add);
        return lines;
    }

    private static String withoutCounters(String line) {
        return line.replaceAll("counter packets \\d+ bytes \\d+", "counter").replaceAll("\\[\\d+:\\d+]", "").strip();
    }

    /** Undoes what the check made, then fails it if anything of it is left on the host. */
    @AfterEach
    void cleanUpAndCheckForLeaks() throws Exception {
        List<String> problems = new ArrayList<>();
        NetworkDriver cleaner = initialized(context);
        try {
            cleaner.restore(created);
            for (Attachment a : cleaner.attachments()) {
                if (created.stream().anyMatch(d -> d.id().equals(a.networkId()))) {
                    cleaner.detach(a.networkId(), a.containerId());
                }
            }
            for (NetworkDefinition d : created) {
                cleaner.remove(d.id());
            }
        } catch (Exception e) {
            problems.add("cleaning up failed: " + e.getMessage());
        }
        for (NetNamespace ns : namespaces) {
            try {
                ns.close();
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        problems.addAll(leaks());
        if (!problems.isEmpty()) {
            fail("left behind on the host: " + String.join("; ", problems));
        }
    }

    private List<String> leaks() throws IOException {
        List<String> found = new ArrayList<>();
        String rules = String.join("\n", iptablesSave().lines().filter(l -> !rulesBefore.contains(withoutCounters(l))).toList());
        for (NetworkDefinition d : created) {
            if (!d.networkInterface().isEmpty() && Files.exists(Path.of("/sys/class/net", d.networkInterface()))) {
                found.add("bridge " + d.networkInterface() + " of network " + d.name());
            }
            for (Subnet s : d.subnets()) {
                for (String line : rules.lines().toList()) {
                    if (line.contains(s.cidr())) {
                        found.add("firewall rule \"" + line + "\"");
                    }
                }
            }
        }
        for (int port : hostPorts) {
            for (String line : rules.lines().toList()) {
                if (line.matches(".*(--dport|dport) " + port + "\\b.*")) {
                    found.add("firewall rule \"" + line + "\"");
                }
            }
        }
        Set<String> veths = veths();
        veths.removeAll(vethsBefore);
        // a new veth on a bridge the kit did not make is another engine's member (a shared host), not a leftover
        Set<String> ownBridges = new HashSet<>();
        created.forEach(d -> ownBridges.add(d.networkInterface()));
        veths.stream().filter(v -> {
            Path master = Path.of("/sys/class/net", v, "master");
            try {
                return !Files.exists(master) || ownBridges.contains(Files.readSymbolicLink(master).getFileName().toString());
            } catch (IOException gone) {
                return false; // removed meanwhile
            }
        }).forEach(v -> found.add("veth " + v));
        return found;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * The probe on this host, failing the check with the probe's summary if the driver is not usable.
     *
     * @return the probe
     */
    protected Probe requireUsable() {
        Probe probe = extension.probe();
        if (!probe.usable()) {
            fail("the " + extension.name() + " network driver is not usable on this host, so the kit cannot check it: " + probe.summary());
        }
        return probe;
    }

    /**
     * Creates a bridge network with a fresh name and id, cleaned up after the check.
     *
     * @param request changes the default request
     * @return the completed definition
     * @throws NetworkException if the driver refuses
     */
    protected NetworkDefinition network(java.util.function.UnaryOperator<NetworkDefinition> request) throws NetworkException {
        String id = randomId();
        NetworkDefinition d = extension.create(request.apply(NetworkDefinition.bridge("tck-" + id.substring(0, 8), id)));
        created.add(d);
        return d;
    }

    /** @return a new namespace, deleted after the check @throws IOException if it cannot be made */
    protected NetNamespace namespace() throws IOException {
        NetNamespace ns = NetNamespace.create();
        namespaces.add(ns);
        return ns;
    }

    /** @return 64 random hex digits, as the engine's ids */
    protected static String randomId() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** @param udp whether the port must be free for UDP @return a host port free now, watched for leaked rules */
    protected int freePort(boolean udp) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 30000);
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress("0.0.0.0", port));
                if (udp) {
                    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("0.0.0.0", port))) {
                        socket.getLocalPort();
                    }
                }
                hostPorts.add(port);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free host port found between 20000 and 30000");
    }

    /** The host's firewall as {@code iptables-save} and, where installed, {@code nft list ruleset} print it. */
    private static String iptablesSave() throws IOException {
        NetNamespace.Result r = NetNamespace.run(List.of("iptables-save"));
        if (r.exitCode() != 0) {
            throw new IOException("iptables-save failed: " + r.output().strip());
        }
        String rules = r.output();
        if (Files.isExecutable(Path.of("/usr/sbin/nft"))) {
            NetNamespace.Result nft = NetNamespace.run(List.of("/usr/sbin/nft", "list", "ruleset"));
            if (nft.exitCode() == 0) {
                rules += nft.output();
            }
        }
        return rules;
    }

    private static Set<String> veths() throws IOException {
        NetNamespace.Result r = NetNamespace.run(List.of("ip", "-o", "link", "show", "type", "veth"));
        Set<String> names = new HashSet<>();
        for (String line : r.output().lines().toList()) {
            String[] f = line.split(":\\s+");
            if (f.length > 1) {
                names.add(f[1].split("@")[0]);
            }
        }
        return names;
    }

    private AttachRequest request(NetNamespace ns, String name) {
        return AttachRequest.of(randomId(), name, ns.path().toString());
    }

    /** A TCP listener inside {@code ns} answering {@code reply} and a newline to one connection. */
    private static Thread serveOnce(NetNamespace ns, int port, String reply) throws Exception {
        ServerSocket server = ns.inside(() -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return s;
        });
        Thread t = new Thread(() -> {
            try (server; Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
                out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the check reports what it did not receive
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String readLine(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    // ---- probe --------------------------------------------------------------------------------

    @Test
    void givenThisHost_whenProbed_thenTheDriverIsUsableAndEveryCheckSaysSomething() {
        Probe probe = requireUsable();
        probe.checks().forEach(c -> assertFalse(c.detail().isBlank(), "check " + c.name() + " must say where it looked"));
    }

    @Test
    void givenEveryProgramOptionPointingNowhere_whenAttaching_thenItFailsNotUsableNamingAProgramAndLeavesNothing() throws Exception {
        List<Probe.Check> programs = requireUsable().checks().stream().filter(c -> c.kind() == Probe.Kind.PROGRAM).toList();
        assertFalse(programs.isEmpty(), "a driver that runs programs reports one PROGRAM check per program");
        Map<String, String> options = new HashMap<>(options());
        programs.forEach(c -> options.put(c.name(), tempDir.resolve("missing").resolve(c.name()).toString()));
        NetworkDriver broken = initialized(context.withOptions(options));
        Probe probe = broken.probe();
        for (Probe.Check program : programs) {
            assertTrue(probe.problems().stream().anyMatch(p -> p.startsWith(program.name())), "the probe must name " + program.name() + ": " + probe);
        }
        String refusedId = randomId();
        try {
            broken.create(NetworkDefinition.bridge("tck-" + refusedId.substring(0, 8), refusedId));
            created.add(broken.networks().stream().filter(x -> x.id().equals(refusedId)).findFirst().orElseThrow());
        } catch (NetworkException refused) {
            // A driver may refuse at create already; then it must say why in one line and record nothing.
            assertEquals(NetworkException.Reason.NOT_USABLE, refused.reason(), refused.getMessage());
            assertFalse(refused.getMessage().contains("\n"), refused.getMessage());
            assertTrue(broken.networks().stream().noneMatch(x -> x.id().equals(refusedId)), "a refused network is not recorded");
        }
        NetworkDefinition d = network(r -> r);
        broken.restore(created);
        NetNamespace ns = namespace();
        NetworkException e = assertThrows(NetworkException.class, () -> broken.attach(d.id(), request(ns, "alpha")));
        assertEquals(NetworkException.Reason.NOT_USABLE, e.reason(), e.getMessage());
        assertTrue(programs.stream().anyMatch(p -> e.getMessage().contains(p.name())), "the error must name the missing program: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertEquals(List.of(), broken.attachments());
        assertFalse(ns.ip("-o", "link").contains("eth0"), "nothing may be made in the namespace");
    }

    // ---- networks -----------------------------------------------------------------------------

    @Test
    void givenNoSubnet_whenCreated_thenTheDriverChoosesOneWithTheGatewayAsItsFirstHostAndNamesTheBridge() throws Exception {
        NetworkDefinition a = network(r -> r);
        NetworkDefinition b = network(r -> r);
        assertEquals(1, a.subnets().size(), "one subnet: " + a);
        assertFalse(a.networkInterface().isEmpty(), "the driver names the bridge: " + a);
        assertTrue(a.networkInterface().length() <= 15, a.networkInterface());
        String cidr = a.subnets().getFirst().cidr();
        String prefix = cidr.substring(0, cidr.lastIndexOf('.'));
        assertEquals(cidr.substring(0, cidr.indexOf('/')).replaceAll("\\.0$", ".1"), a.subnets().getFirst().gateway());
        assertNotEquals(a.subnets().getFirst().cidr(), b.subnets().getFirst().cidr(), "two networks need two subnets");
        assertNotEquals(a.networkInterface(), b.networkInterface());
        assertFalse(cidr.startsWith("172.17.") || cidr.startsWith("10.88."), "the default pool must not clash with Docker's or Podman's: " + cidr);
        assertTrue(extension.networks().contains(a), "networks() lists it");
        assertFalse(prefix.isEmpty());
    }

    @Test
    void givenAnExplicitSubnetAndGateway_whenCreated_thenTheyAreKept() throws Exception {
        NetworkDefinition probeNet = network(r -> r);
        String free = probeNet.subnets().getFirst().cidr();
        extension.remove(probeNet.id());
        created.remove(probeNet);
        String base = free.substring(0, free.lastIndexOf('.'));
        NetworkDefinition d = network(r -> r.withSubnets(List.of(new Subnet(base + ".0/24", base + ".254"))).withNetworkInterface("berthtck0"));
        assertEquals(new Subnet(base + ".0/24", base + ".254"), d.subnets().getFirst());
        assertEquals("berthtck0", d.networkInterface());
    }

    @Test
    void givenAnOverlappingSubnet_whenCreated_thenItIsRefusedAsAConflictAndNotRecorded() throws Exception {
        NetworkDefinition a = network(r -> r);
        String id = randomId();
        NetworkDefinition clash = NetworkDefinition.bridge("tck-clash", id).withSubnets(List.of(new Subnet(a.subnets().getFirst().cidr(), null)));
        NetworkException e = assertThrows(NetworkException.class, () -> extension.create(clash));
        assertEquals(NetworkException.Reason.CONFLICT, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(a.subnets().getFirst().cidr()), "names the subnet: " + e.getMessage());
        assertTrue(extension.networks().stream().noneMatch(d -> d.id().equals(id)));
    }

    @Test
    void givenADuplicateName_whenCreated_thenItIsRefusedAsAConflict() throws Exception {
        NetworkDefinition a = network(r -> r);
        NetworkException e = assertThrows(NetworkException.class, () -> extension.create(NetworkDefinition.bridge(a.name(), randomId())));
        assertEquals(NetworkException.Reason.CONFLICT, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(a.name()), e.getMessage());
        assertEquals(1, extension.networks().stream().filter(d -> d.name().equals(a.name())).count());
    }

    @Test
    void givenMalformedRequests_whenCreated_thenEachIsRefusedAsInvalidInOneLineQuotingTheInput() {
        for (String subnet : List.of("10.213.300.0/24", "10.213.0.5/24", "10.213.0.0", "fd00::/64", "nonsense")) {
            NetworkDefinition bad = NetworkDefinition.bridge("tck-bad", randomId()).withSubnets(List.of(new Subnet(subnet, null)));
            NetworkException e = assertThrows(NetworkException.class, () -> extension.create(bad), subnet);
            assertEquals(NetworkException.Reason.INVALID, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(subnet) && !e.getMessage().contains("\n"), e.getMessage());
        }
        NetworkException e = assertThrows(NetworkException.class, () -> extension.create(NetworkDefinition.bridge("bad name!", randomId())));
        assertEquals(NetworkException.Reason.INVALID, e.reason(), e.getMessage());
        assertTrue(extension.networks().isEmpty(), "nothing is recorded: " + extension.networks());
    }

    // ---- attachments ----------------------------------------------------------------------------

    @Test
    void givenANetwork_whenANamespaceIsAttached_thenItHasItsAddressMacAndADefaultRouteViaTheGateway() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace ns = namespace();
        AttachRequest req = request(ns, "alpha");
        Attachment a = extension.attach(d.id(), req);
        assertEquals(d.id(), a.networkId());
        assertEquals(req.containerId(), a.containerId());
        assertEquals("eth0", a.interfaceName());
        assertEquals(d.subnets().getFirst().gateway(), a.gateway());
        assertEquals(Integer.parseInt(d.subnets().getFirst().cidr().split("/")[1]), a.prefixLength());
        String addr = ns.ip("-o", "-4", "addr", "show", "dev", a.interfaceName());
        assertTrue(addr.contains(a.ipAddress() + "/" + a.prefixLength()), "the namespace has the address " + a.ipAddress() + ": " + addr);
        assertTrue(ns.ip("link", "show", a.interfaceName()).contains(a.macAddress()), "the MAC address is the interface's");
        String route = ns.ip("route", "show", "default");
        assertTrue(route.contains("via " + a.gateway()), "a default route via the gateway: " + route);
        assertEquals(List.of(a), extension.attachments().stream().filter(x -> x.networkId().equals(d.id())).toList());
        assertNotEquals(a.gateway(), a.ipAddress());
    }

    @Test
    void givenTwoAttachedNamespaces_whenOneConnectsToTheOther_thenTheyReachEachOther() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace nsA = namespace();
        NetNamespace nsB = namespace();
        Attachment a = extension.attach(d.id(), request(nsA, "alpha"));
        Attachment b = extension.attach(d.id(), request(nsB, "beta"));
        assertNotEquals(a.ipAddress(), b.ipAddress());
        Thread server = serveOnce(nsB, 7000, "pong");
        String answer = nsA.inside(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(b.ipAddress(), 7000), 5000);
                return readLine(s);
            }
        });
        server.join(5000);
        assertEquals("pong", answer);
    }

    @Test
    void givenAPublishedTcpPort_whenTheHostConnectsTo127001_thenTheListenerInTheNamespaceAnswers() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace ns = namespace();
        int hostPort = freePort(false);
        extension.attach(d.id(), request(ns, "web").withPorts(List.of(PortMapping.of(hostPort, 80, "tcp"))));
        Thread server = serveOnce(ns, 80, "hello from 80");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), hostPort), 5000);
            assertEquals("hello from 80", readLine(s));
        }
        server.join(5000);
    }

    @Test
    void givenAPublishedUdpPort_whenTheHostSendsTo127001_thenTheSocketInTheNamespaceReceives() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace ns = namespace();
        int hostPort = freePort(true);
        extension.attach(d.id(), request(ns, "dns").withPorts(List.of(new PortMapping("127.0.0.1", hostPort, 5353, "udp", 1))));
        try (DatagramSocket inside = ns.inside(() -> new DatagramSocket(new InetSocketAddress("0.0.0.0", 5353)));
             DatagramSocket host = new DatagramSocket()) {
            inside.setSoTimeout(500);
            byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
            String got = null;
            for (int i = 0; i < 10 && got == null; i++) {
                host.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), hostPort));
                DatagramPacket packet = new DatagramPacket(new byte[64], 64);
                try {
                    inside.receive(packet);
                    got = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                } catch (SocketTimeoutException again) {
                    // send again
                }
            }
            assertEquals("ping", got, "a datagram to 127.0.0.1:" + hostPort + " must reach port 5353 in the namespace");
        }
    }

    @Test
    void givenAnInternalNetwork_whenAttached_thenTheNamespaceHasNoRouteOut() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r.withInternal(true));
        assertTrue(d.internal());
        NetNamespace ns = namespace();
        Attachment a = extension.attach(d.id(), request(ns, "secret"));
        assertEquals("", a.gateway(), "an internal network gives no gateway");
        assertEquals("", ns.ip("route", "show", "default").strip(), "no default route on an internal network");
        assertTrue(ns.ip("-o", "-4", "addr").contains(a.ipAddress()), "the member still has its address");
    }

    @Test
    void givenDnsEnabled_whenAMemberAsksForAnotherByNameAndAlias_thenTheNetworksDnsAnswersItsAddress() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace nsA = namespace();
        NetNamespace nsB = namespace();
        Attachment a = extension.attach(d.id(), request(nsA, "alpha").withAliases(List.of("db")));
        Attachment b = extension.attach(d.id(), request(nsB, "beta"));
        assertFalse(b.dnsServers().isEmpty(), "a DNS-enabled network gives its members a DNS server");
        for (String name : List.of("alpha", "db")) {
            String answer = "";
            for (int i = 0; i < 20 && !answer.contains(a.ipAddress()); i++) {
                answer = nsB.exec("busybox", "nslookup", name, b.dnsServers().getFirst()).output();
                if (!answer.contains(a.ipAddress())) {
                    Thread.sleep(250);
                }
            }
            assertTrue(answer.contains(a.ipAddress()), name + " must resolve to " + a.ipAddress() + ": " + answer);
        }
        extension.detach(d.id(), a.containerId());
        String after = nsB.exec("busybox", "nslookup", "alpha", b.dnsServers().getFirst()).output();
        assertFalse(after.contains(a.ipAddress()), "a detached member's name is gone: " + after);
    }

    @Test
    void givenAnAttachment_whenDetachedTwiceAndTheNetworkRemovedTwice_thenNothingRemainsAndNoCallFails() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace ns = namespace();
        int hostPort = freePort(false);
        Attachment a = extension.attach(d.id(), request(ns, "alpha").withPorts(List.of(PortMapping.of(hostPort, 80, "tcp"))));
        assertTrue(Files.exists(Path.of("/sys/class/net", d.networkInterface())), "the bridge exists while a member is attached");
        extension.detach(d.id(), a.containerId());
        extension.detach(d.id(), a.containerId());
        assertFalse(ns.ip("-o", "link").contains(a.interfaceName() + "@"), "the interface left the namespace");
        assertEquals(List.of(), extension.attachments());
        extension.remove(d.id());
        extension.remove(d.id());
        assertTrue(extension.networks().stream().noneMatch(x -> x.id().equals(d.id())));
        assertEquals(List.of(), leaks(), "nothing of the network remains");
    }

    @Test
    void givenAContainerWhoseNamespaceIsGone_whenDetached_thenItsBridgeRulesAndAddressAreGone() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace ns = namespace();
        int hostPort = freePort(false);
        Attachment a = extension.attach(d.id(), request(ns, "alpha").withPorts(List.of(PortMapping.of(hostPort, 80, "tcp"))));
        ns.close();
        extension.detach(d.id(), a.containerId());
        assertEquals(List.of(), extension.attachments());
        assertTrue(iptablesSave().lines().noneMatch(l -> l.matches(".*(--dport|dport) " + hostPort + "\\b.*")),
                "no rule for the ended member's port " + hostPort + " remains");
        // A driver may keep the bridge while the network exists; once removed, nothing of it remains.
        extension.remove(d.id());
        assertEquals(List.of(), leaks(), "nothing of the ended container's endpoint remains");
    }

    @Test
    void givenTwoMembersOneOfWhoseNamespaceIsGone_whenThatOneIsDetached_thenItsPortRulesGoAndTheOtherStillWorks() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace nsA = namespace();
        NetNamespace nsB = namespace();
        int portA = freePort(false);
        int portB = freePort(false);
        Attachment a = extension.attach(d.id(), request(nsA, "alpha").withPorts(List.of(PortMapping.of(portA, 80, "tcp"))));
        Attachment b = extension.attach(d.id(), request(nsB, "beta").withPorts(List.of(PortMapping.of(portB, 80, "tcp"))));
        nsA.close();
        extension.detach(d.id(), a.containerId());
        assertTrue(iptablesSave().lines().noneMatch(l -> l.matches(".*(--dport|dport) " + portA + "\\b.*")),
                "no rule for the ended member's port " + portA + " remains");
        assertEquals(List.of(b), extension.attachments().stream().filter(x -> x.networkId().equals(d.id())).toList());
        Thread server = serveOnce(nsB, 80, "still here");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), portB), 5000);
            assertEquals("still here", readLine(s), "the other member's published port still answers");
        }
        server.join(5000);
    }

    @Test
    void givenAMemberAndANetworkInUse_whenRemoved_thenItIsRefusedInUse() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        extension.attach(d.id(), request(namespace(), "alpha"));
        NetworkException e = assertThrows(NetworkException.class, () -> extension.remove(d.id()));
        assertEquals(NetworkException.Reason.IN_USE, e.reason(), e.getMessage());
        assertTrue(extension.networks().contains(d));
    }

    @Test
    void givenBadAttachRequests_whenAttached_thenEachIsRefusedWithItsReasonAndNothingIsMade() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace ns = namespace();
        String gateway = d.subnets().getFirst().gateway();
        NetworkException unknown = assertThrows(NetworkException.class, () -> extension.attach(randomId(), request(ns, "x")));
        assertEquals(NetworkException.Reason.NOT_FOUND, unknown.reason(), unknown.getMessage());
        NetworkException outside = assertThrows(NetworkException.class, () -> extension.attach(d.id(), request(ns, "x").withStaticIp("192.0.2.7")));
        assertEquals(NetworkException.Reason.INVALID, outside.reason(), outside.getMessage());
        assertTrue(outside.getMessage().contains("192.0.2.7"), outside.getMessage());
        NetworkException gw = assertThrows(NetworkException.class, () -> extension.attach(d.id(), request(ns, "x").withStaticIp(gateway)));
        assertEquals(NetworkException.Reason.CONFLICT, gw.reason(), gw.getMessage());
        NetworkException noNs = assertThrows(NetworkException.class,
                () -> extension.attach(d.id(), AttachRequest.of(randomId(), "x", "/run/netns/berth-tck-does-not-exist")));
        assertEquals(NetworkException.Reason.INVALID, noNs.reason(), noNs.getMessage());
        NetworkException badAlias = assertThrows(NetworkException.class, () -> extension.attach(d.id(), request(ns, "x").withAliases(List.of("no spaces"))));
        assertEquals(NetworkException.Reason.INVALID, badAlias.reason(), badAlias.getMessage());
        assertTrue(badAlias.getMessage().contains("no spaces"), badAlias.getMessage());
        assertEquals(List.of(), extension.attachments());
        assertFalse(ns.ip("-o", "link").contains("eth0"), "nothing was made in the namespace");
    }

    @Test
    void givenAStaticAddress_whenAttached_thenTheMemberHasItAndASecondClaimIsAConflict() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        String cidr = d.subnets().getFirst().cidr();
        String wanted = cidr.substring(0, cidr.lastIndexOf('.')) + ".77";
        NetNamespace ns = namespace();
        Attachment a = extension.attach(d.id(), request(ns, "alpha").withStaticIp(wanted));
        assertEquals(wanted, a.ipAddress());
        assertTrue(ns.ip("-o", "-4", "addr").contains(wanted + "/"));
        NetNamespace other = namespace();
        NetworkException e = assertThrows(NetworkException.class, () -> extension.attach(d.id(), request(other, "beta").withStaticIp(wanted)));
        assertEquals(NetworkException.Reason.CONFLICT, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(wanted), e.getMessage());
    }

    @Test
    void givenAHostPortInUse_whenAttachedPublishingIt_thenItIsRefusedPortInUseAndNothingIsMade() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace ns = namespace();
        int hostPort = freePort(false);
        try (ServerSocket holder = new ServerSocket()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), hostPort));
            NetworkException e = assertThrows(NetworkException.class,
                    () -> extension.attach(d.id(), request(ns, "web").withPorts(List.of(new PortMapping("127.0.0.1", hostPort, 80, "tcp", 1)))));
            assertEquals(NetworkException.Reason.PORT_IN_USE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(hostPort)) && !e.getMessage().contains("\n"), e.getMessage());
        }
        assertEquals(List.of(), extension.attachments());
        assertFalse(ns.ip("-o", "link").contains("eth0"), "nothing was made in the namespace");
        assertEquals(List.of(), leaks(), "no bridge, veth or rule after a refused attach");
        // The same port published by one member is refused for the next, though nothing listens on it.
        extension.attach(d.id(), request(ns, "web").withPorts(List.of(PortMapping.of(hostPort, 80, "tcp"))));
        NetworkException twice = assertThrows(NetworkException.class,
                () -> extension.attach(d.id(), request(namespace(), "web2").withPorts(List.of(PortMapping.of(hostPort, 81, "tcp")))));
        assertEquals(NetworkException.Reason.PORT_IN_USE, twice.reason(), twice.getMessage());
    }

    @Test
    void givenARestartedDriver_whenToldTheNetworksAgain_thenItKeepsTheOldMembersAddressesAndDetachesThem() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        NetNamespace nsA = namespace();
        Attachment a = extension.attach(d.id(), request(nsA, "alpha"));
        extension.close();
        NetworkDriver restarted = initialized(context);
        restarted.restore(List.of(d));
        assertEquals(List.of(d), restarted.networks().stream().filter(x -> x.id().equals(d.id())).toList());
        assertEquals(List.of(a), restarted.attachments(), "the attachment survives the restart");
        NetNamespace nsB = namespace();
        Attachment b = restarted.attach(d.id(), request(nsB, "beta"));
        assertNotEquals(a.ipAddress(), b.ipAddress(), "the address pool survived the restart");
        restarted.detach(d.id(), a.containerId());
        assertFalse(nsA.ip("-o", "link").contains("eth0"), "the old member was detached by the new instance");
        restarted.detach(d.id(), b.containerId());
        restarted.remove(d.id());
        assertEquals(List.of(), leaks());
    }

    @Test
    void givenTwoNetworks_whenOneNamespaceJoinsBoth_thenItGetsOneInterfaceInEach() throws Exception {
        requireUsable();
        NetworkDefinition d1 = network(r -> r);
        NetworkDefinition d2 = network(r -> r);
        NetNamespace ns = namespace();
        String cid = randomId();
        Attachment a1 = extension.attach(d1.id(), AttachRequest.of(cid, "alpha", ns.path().toString()));
        Attachment a2 = extension.attach(d2.id(), AttachRequest.of(cid, "alpha", ns.path().toString()));
        assertNotEquals(a1.interfaceName(), a2.interfaceName());
        String addrs = ns.ip("-o", "-4", "addr");
        assertTrue(addrs.contains(a1.ipAddress()) && addrs.contains(a2.ipAddress()), addrs);
        extension.detach(d1.id(), cid);
        assertTrue(ns.ip("-o", "-4", "addr").contains(a2.ipAddress()), "leaving one network keeps the other");
    }

    @Test
    void givenFourContainersJoiningAtOnce_whenAttachedFromFourThreads_thenEachHasItsOwnAddressInItsNamespace() throws Exception {
        requireUsable();
        NetworkDefinition d = network(r -> r);
        List<NetNamespace> spaces = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            spaces.add(namespace());
        }
        List<java.util.concurrent.CompletableFuture<Attachment>> joins = new ArrayList<>();
        for (NetNamespace ns : spaces) {
            joins.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return extension.attach(d.id(), request(ns, "c-" + ns.name()));
                } catch (NetworkException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }));
        }
        Set<String> addresses = new HashSet<>();
        for (int i = 0; i < spaces.size(); i++) {
            Attachment a = joins.get(i).join();
            addresses.add(a.ipAddress());
            assertTrue(spaces.get(i).ip("-o", "-4", "addr").contains(a.ipAddress() + "/"), "namespace " + i + " has " + a.ipAddress());
        }
        assertEquals(4, addresses.size(), "four members, four addresses: " + addresses);
    }

    /** @return the context the extension under test was initialized with */
    protected PluginContext pluginContext() {
        return context;
    }
}
