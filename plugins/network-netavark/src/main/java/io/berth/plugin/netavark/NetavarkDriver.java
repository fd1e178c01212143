package io.berth.plugin.netavark;

import io.berth.spi.json.JsonTree;
import io.berth.spi.NetworkDriver;
import io.berth.spi.PluginContext;
import io.berth.spi.Probe;
import io.berth.spi.network.AttachRequest;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.NetworkException.Reason;
import io.berth.spi.network.PortMapping;
import io.berth.spi.network.Subnet;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link NetworkDriver} on netavark 1.4 and aardvark-dns: netavark makes the bridge, the veth
 * pair, the firewall rules (masquerading, port forwarding) and starts aardvark-dns for the names;
 * this class does the address management netavark 1.4 leaves to its caller, and remembers what
 * each {@code setup} was given, because {@code teardown} must be given the same input.
 *
 * <p>Options (from the daemon config's {@code plugins."network-netavark"} object):
 * <dl>
 *   <dt>{@code netavark}, {@code aardvark-dns}, {@code ip}</dt>
 *   <dd>paths of the programs; by default found on {@code PATH} or in {@code /usr/lib/podman}.</dd>
 *   <dt>{@code default-address-pool}</dt>
 *   <dd>where networks created without a subnet get theirs; default {@value #DEFAULT_POOL}, which
 *       is neither Docker's ({@code 172.17.0.0/16} and up, {@code 192.168.0.0/16}) nor Podman's
 *       ({@code 10.88.0.0/16}, {@code 10.89.0.0/16} and up).</dd>
 *   <dt>{@code default-address-pool-size}</dt>
 *   <dd>the prefix length of those subnets; default {@value #DEFAULT_POOL_SIZE}.</dd>
 * </dl>
 *
 * <p>State, under the data directory: {@code networks/<id>.json} (the completed definitions),
 * {@code attachments/<network id>-<container id>.json} (netavark's setup input and what it
 * answered; the address pool is rebuilt from these), and {@code netavark/}, netavark's config
 * directory (aardvark-dns' name lists), apart from Podman's.
 */
public class NetavarkDriver implements NetworkDriver {

    static final String DEFAULT_POOL = "10.213.0.0/16";
    static final int DEFAULT_POOL_SIZE = 24;

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern INTERFACE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}");
    private static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";
    private static final String MTU_OPTION = "com.docker.network.driver.mtu";
    /** Marks the engine's default network, whose bridge every berth daemon on the host shares. */
    private static final String DEFAULT_BRIDGE_OPTION = "com.docker.network.bridge.default_bridge";
    /** The container id of a network's anchor (container ids are 64 hex digits, so it names no container). */
    static final String ANCHOR_ID = "berth-anchor";
    private static final long TIMEOUT_SECONDS = 60;

    private PluginContext context;
    private Map<String, String> options = Map.of();
    private Path data;
    private HostLeases leases;
    private final Map<String, NetworkDefinition> networks = new LinkedHashMap<>();
    private final Map<String, Stored> attachments = new TreeMap<>();
    private boolean loaded;

    /**
     * What the driver keeps of one attachment.
     *
     * @param networkId   the network
     * @param containerId the container
     * @param netns       the namespace it was set up in
     * @param ip          its address, reserved from before setup
     * @param ifname      its interface in the namespace
     * @param setup       netavark's setup input, given again to teardown
     * @param attachment  what setup gave; {@code null} while setup runs (or if the daemon died then)
     */
    private record Stored(String networkId, String containerId, String netns, String ip, String ifname,
                          Map<String, Object> setup, Attachment attachment) {
        List<PortMapping> ports() {
            return attachment != null ? attachment.portMappings() : List.of();
        }

        /** Whether this is the network's anchor, the driver's own member that keeps the bridge up. */
        boolean anchor() {
            return containerId.equals(ANCHOR_ID);
        }
    }

    /** PF4J creates the driver with this constructor; it does nothing. */
    public NetavarkDriver() {
    }

    @Override
    public String name() {
        return "netavark";
    }

    @Override
    public synchronized void initialize(PluginContext ctx) {
        this.context = ctx;
        this.options = Map.copyOf(ctx.options());
        this.data = ctx.dataDirectory();
        this.leases = new HostLeases(Path.of(options.getOrDefault("host-lease-directory", HostLeases.DEFAULT_DIRECTORY)));
    }

    @Override
    public Probe probe() {
        List<Probe.Check> checks = new ArrayList<>();
        checks.add(Programs.lookup(options, "netavark", "netavark").check());
        checks.add(Programs.lookup(options, "aardvark-dns", "aardvark-dns").check());
        checks.add(Programs.lookup(options, "ip", "iproute2").check());
        boolean root = "root".equals(System.getProperty("user.name"));
        checks.add(root ? Probe.Check.passed("root", Probe.Kind.PRIVILEGE, "running as root")
                : Probe.Check.failed("root", Probe.Kind.PRIVILEGE, "netavark needs root to make bridges and firewall rules; run the daemon as root"));
        try {
            pool();
            checks.add(Probe.Check.passed("default-address-pool", Probe.Kind.OTHER, pool() + " in /" + poolSize() + " subnets"));
        } catch (NetworkException e) {
            checks.add(Probe.Check.failed("default-address-pool", Probe.Kind.OTHER, e.getMessage()));
        }
        return new Probe(checks);
    }

    // ---- networks -------------------------------------------------------------------------------

    @Override
    public synchronized NetworkDefinition create(NetworkDefinition request) throws NetworkException {
        load();
        String name = request.name();
        if (!NAME.matcher(name).matches()) {
            throw new NetworkException(Reason.INVALID, "network name \"" + name
                    + "\" is invalid: use letters, digits, '_', '.', '-', starting with a letter or digit, at most 64");
        }
        if (!ID.matcher(request.id()).matches()) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": id \"" + request.id() + "\" is not 64 lower-case hex digits");
        }
        if (!request.driver().equals("bridge")) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": driver \"" + request.driver()
                    + "\" is not supported by netavark here; use bridge");
        }
        for (NetworkDefinition known : networks.values()) {
            if (known.name().equals(name)) {
                throw new NetworkException(Reason.CONFLICT, "network with name " + name + " already exists");
            }
            if (known.id().equals(request.id())) {
                throw new NetworkException(Reason.CONFLICT, "network " + name + ": id " + request.id() + " is taken by network " + known.name());
            }
        }
        // Refused here rather than at the first attach, so that a host without netavark says so at once.
        program("netavark", "netavark", "network " + name);
        if (request.dnsEnabled()) {
            program("aardvark-dns", "aardvark-dns", "network " + name);
        }
        if (request.subnets().size() > 1) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": " + request.subnets().size()
                    + " subnets given; this driver takes one IPv4 subnet per network");
        }
        String bridge = request.options().getOrDefault(BRIDGE_NAME_OPTION, request.networkInterface());
        if (bridge.isEmpty()) {
            bridge = "br-" + request.id().substring(0, 12);
        }
        if (!INTERFACE.matcher(bridge).matches()) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": bridge name \"" + bridge
                    + "\" is invalid: at most 15 letters, digits, '_', '.', '-'");
        }
        for (NetworkDefinition known : networks.values()) {
            if (known.networkInterface().equals(bridge)) {
                throw new NetworkException(Reason.CONFLICT, "network " + name + ": bridge " + bridge + " is used by network " + known.name());
            }
        }
        Subnet subnet;
        if (Files.exists(Path.of("/sys/class/net", bridge))) {
            // Another daemon's default network is up: this one joins its bridge, with its subnet, and
            // takes addresses through the host's leases. Any other bridge of that name is someone else's.
            BridgeAddress found = bridgeAddress(bridge);
            if (!"true".equals(request.options().get(DEFAULT_BRIDGE_OPTION)) || found == null) {
                throw new NetworkException(Reason.CONFLICT, "network " + name + ": interface " + bridge
                        + " exists already on this host; choose another bridge name or subnet");
            }
            Ipv4.Cidr existing = found.subnet();
            if (!request.subnets().isEmpty() && !Ipv4.Cidr.parse(checkSubnet(name, request.subnets().getFirst()).cidr()).equals(existing)) {
                throw new NetworkException(Reason.CONFLICT, "network " + name + ": bridge " + bridge + " exists already on this host with subnet "
                        + existing + ", not " + request.subnets().getFirst().cidr() + "; give the same subnet (bip) as the daemon that made it");
            }
            subnet = checkSubnet(name, new Subnet(existing.toString(), Ipv4.format(found.address())));
        } else {
            subnet = request.subnets().isEmpty() ? freeSubnet(name) : checkSubnet(name, request.subnets().getFirst());
        }
        String mtu = request.options().get(MTU_OPTION);
        if (mtu != null && !mtu.matches("\\d{3,5}")) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": option " + MTU_OPTION + "=" + mtu + " is not a number");
        }
        NetworkDefinition done = new NetworkDefinition(name, request.id(), "bridge", List.of(subnet), bridge, request.internal(),
                request.dnsEnabled(), request.labels(), request.options());
        writeAtomically(networkFile(done.id()), JsonTree.write(Records.definition(done)));
        networks.put(done.id(), done);
        return done;
    }

    private Subnet checkSubnet(String name, Subnet given) throws NetworkException {
        Ipv4.Cidr cidr;
        try {
            cidr = Ipv4.Cidr.parse(given.cidr());
        } catch (IllegalArgumentException e) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": " + e.getMessage());
        }
        if (cidr.prefix() > 30 || cidr.prefix() < 8) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": subnet " + cidr + " must have a prefix length between /8 and /30");
        }
        for (NetworkDefinition known : networks.values()) {
            for (Subnet s : known.subnets()) {
                if (Ipv4.Cidr.parse(s.cidr()).overlaps(cidr)) {
                    throw new NetworkException(Reason.CONFLICT, "network " + name + ": subnet " + cidr + " overlaps " + s.cidr()
                            + " of network " + known.name());
                }
            }
        }
        int gateway = cidr.base() + 1;
        if (given.gateway() != null && !given.gateway().isBlank()) {
            try {
                gateway = Ipv4.parse(given.gateway());
            } catch (IllegalArgumentException e) {
                throw new NetworkException(Reason.INVALID, "network " + name + ": gateway " + e.getMessage());
            }
            if (!cidr.isHost(gateway)) {
                throw new NetworkException(Reason.INVALID, "network " + name + ": gateway " + given.gateway()
                        + " is not a host address of subnet " + cidr);
            }
        }
        return new Subnet(cidr.toString(), Ipv4.format(gateway));
    }

    /**
     * An IPv4 address of a host interface and the subnet it is in.
     *
     * @param address the interface's address (a bridge's: its network's gateway)
     * @param subnet  the subnet, from the address's prefix length
     */
    private record BridgeAddress(int address, Ipv4.Cidr subnet) { }

    /** The first IPv4 address of a host interface, or null if it has none or is not there. */
    private static BridgeAddress bridgeAddress(String bridge) {
        try {
            java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(bridge);
            if (nic == null) {
                return null;
            }
            for (java.net.InterfaceAddress a : nic.getInterfaceAddresses()) {
                if (a.getAddress() instanceof java.net.Inet4Address v4) {
                    int address = Ipv4.parse(v4.getHostAddress());
                    int prefix = a.getNetworkPrefixLength();
                    return new BridgeAddress(address, new Ipv4.Cidr(address & Ipv4.Cidr.mask(prefix), prefix));
                }
            }
        } catch (IOException e) {
            // an interface that cannot be read is treated as one without an address
        }
        return null;
    }

    /** The lowest subnet of the pool that overlaps no known network and no route of the host. */
    private Subnet freeSubnet(String name) throws NetworkException {
        Ipv4.Cidr pool = pool();
        int size = poolSize();
        List<Ipv4.Cidr> taken = new ArrayList<>(hostRoutes());
        for (NetworkDefinition known : networks.values()) {
            known.subnets().forEach(s -> taken.add(Ipv4.Cidr.parse(s.cidr())));
        }
        long step = 1L << (32 - size);
        for (long base = Integer.toUnsignedLong(pool.base()); base + step - 1 <= Integer.toUnsignedLong(pool.last()); base += step) {
            Ipv4.Cidr candidate = new Ipv4.Cidr((int) base, size);
            if (taken.stream().noneMatch(candidate::overlaps)) {
                return new Subnet(candidate.toString(), Ipv4.format(candidate.base() + 1));
            }
        }
        throw new NetworkException(Reason.CONFLICT, "network " + name + ": no free /" + size + " subnet left in the address pool " + pool
                + "; give --subnet or set the option default-address-pool");
    }

    private Ipv4.Cidr pool() throws NetworkException {
        String text = options.getOrDefault("default-address-pool", DEFAULT_POOL);
        try {
            return Ipv4.Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new NetworkException(Reason.INVALID, "option default-address-pool: " + e.getMessage());
        }
    }

    private int poolSize() throws NetworkException {
        String text = options.getOrDefault("default-address-pool-size", String.valueOf(DEFAULT_POOL_SIZE));
        try {
            int size = Integer.parseInt(text.strip());
            if (size >= pool().prefix() && size <= 30) {
                return size;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw new NetworkException(Reason.INVALID, "option default-address-pool-size=" + text
                + " must be a prefix length between the pool's (/" + pool().prefix() + ") and /30");
    }

    /** The destinations of the host's IPv4 routes, except the default route, from /proc/net/route. */
    private static List<Ipv4.Cidr> hostRoutes() {
        List<Ipv4.Cidr> routes = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8 || f[0].equals("Iface")) {
                    continue;
                }
                int destination = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
                int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
                if (mask != 0) {
                    routes.add(new Ipv4.Cidr(destination & mask, Integer.bitCount(mask)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Without the route table the pool's own bookkeeping still prevents clashes between berth's networks.
        }
        return routes;
    }

    @Override
    public synchronized void restore(Collection<NetworkDefinition> given) throws NetworkException {
        load();
        Map<String, NetworkDefinition> listed = new LinkedHashMap<>();
        given.forEach(d -> listed.put(d.id(), d));
        // An anchor outlives a killed daemon; it is kept while it still holds its network's bridge.
        for (Stored anchor : anchors()) {
            NetworkDefinition network = listed.get(anchor.networkId());
            if (network == null || !anchorAlive(anchor, network)) {
                dropAnchor(anchor, true);
            }
        }
        removeStaleScratchNamespaces(anchors().stream().map(Stored::netns).collect(java.util.stream.Collectors.toSet()));
        for (NetworkDefinition known : List.copyOf(networks.values())) {
            boolean used = attachments.values().stream().anyMatch(s -> s.networkId().equals(known.id()) && !s.anchor());
            if (!listed.containsKey(known.id()) && !used) {
                networks.remove(known.id());
                delete(networkFile(known.id()));
            }
        }
        for (NetworkDefinition d : listed.values()) {
            writeAtomically(networkFile(d.id()), JsonTree.write(Records.definition(d)));
            networks.put(d.id(), d);
        }
        // A setup the daemon did not see finish: undo whatever part of it netavark did.
        for (Stored pending : List.copyOf(attachments.values())) {
            if (pending.attachment() == null) {
                teardown(pending, true);
                attachments.remove(key(pending.networkId(), pending.containerId()));
                delete(attachmentFile(pending.networkId(), pending.containerId()));
                releaseLease(pending);
            }
        }
        // The host's leases name every address this driver holds (also those taken before leases existed).
        for (Stored held : attachments.values()) {
            String bridge = bridgeOf(held);
            if (!bridge.isEmpty()) {
                leases.keep(bridge, attachmentFile(held.networkId(), held.containerId()), held.ip());
            }
        }
    }

    @Override
    public synchronized List<NetworkDefinition> networks() {
        try {
            load();
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        return networks.values().stream().sorted(Comparator.comparing(NetworkDefinition::name)).toList();
    }

    @Override
    public synchronized void remove(String networkId) throws NetworkException {
        load();
        NetworkDefinition network = networks.get(networkId);
        if (network == null) {
            return;
        }
        List<String> members = attachments.values().stream().filter(s -> s.networkId().equals(networkId) && !s.anchor())
                .map(s -> s.containerId().substring(0, Math.min(12, s.containerId().length()))).toList();
        if (!members.isEmpty()) {
            throw new NetworkException(Reason.IN_USE, "network " + network.name() + " has active endpoints ("
                    + String.join(", ", members) + "); disconnect or remove those containers first");
        }
        Stored anchor = attachments.get(key(networkId, ANCHOR_ID));
        if (anchor != null) {
            dropAnchor(anchor, false);
        }
        delete(networkFile(networkId));
        networks.remove(networkId);
    }

    // ---- attachments ----------------------------------------------------------------------------

    @Override
    public synchronized Attachment attach(String networkId, AttachRequest request) throws NetworkException {
        load();
        NetworkDefinition network = networks.get(networkId);
        if (network == null) {
            throw new NetworkException(Reason.NOT_FOUND, "network " + networkId + " not found");
        }
        String cid = request.containerId();
        String where = "network " + network.name() + ", container " + cid.substring(0, Math.min(12, cid.length()));
        if (!CONTAINER_ID.matcher(cid).matches()) {
            throw new NetworkException(Reason.INVALID, "network " + network.name() + ": container id \"" + cid + "\" is invalid");
        }
        if (attachments.containsKey(key(networkId, cid))) {
            throw new NetworkException(Reason.CONFLICT, where + ": the container is attached to this network already");
        }
        Path netns = Path.of(request.netnsPath());
        if (!netns.isAbsolute() || !Files.exists(netns)) {
            throw new NetworkException(Reason.INVALID, where + ": network namespace " + request.netnsPath() + " does not exist");
        }
        Path netavark = program("netavark", "netavark", where);
        Path aardvark = program("aardvark-dns", "aardvark-dns", where);
        if (!request.containerName().isEmpty() && !NAME.matcher(request.containerName()).matches()) {
            throw new NetworkException(Reason.INVALID, where + ": container name \"" + request.containerName() + "\" is not a valid DNS name");
        }
        for (String alias : request.aliases()) {
            if (!NAME.matcher(alias).matches()) {
                throw new NetworkException(Reason.INVALID, where + ": alias \"" + alias + "\" is not a valid DNS name");
            }
        }
        checkPorts(where, request.portMappings());
        checkBridge(where, network);
        ensureAnchor(where, network);
        String ifname = interfaceFor(where, cid, request.interfaceName());
        String containerName = request.containerName().isEmpty() ? cid.substring(0, Math.min(12, cid.length())) : request.containerName();
        Stored pending = reserve(where, network, cid, netns.toString(), ifname, containerName, request.staticIp(), false,
                request.aliases(), request.portMappings());
        return setUp(where, network, pending, containerName, request.aliases(), request.portMappings());
    }

    /**
     * Chooses the member's address among those no member of this driver nor any lease of the host
     * holds, and writes its pending attachment file (the lease's owner), both under the host's lease lock.
     */
    private Stored reserve(String where, NetworkDefinition network, String cid, String netns, String ifname, String containerName,
                           String staticIp, boolean fromTop, List<String> aliases, List<PortMapping> ports) throws NetworkException {
        Ipv4.Cidr cidr = Ipv4.Cidr.parse(network.subnets().getFirst().cidr());
        List<Stored> made = new ArrayList<>(1);
        leases.lease(network.networkInterface(), attachmentFile(network.id(), cid), takenElsewhere -> {
            String ip = address(where, network, cidr, staticIp, takenElsewhere, fromTop);
            Stored pending = new Stored(network.id(), cid, netns, ip, ifname, setupInput(network, cid, containerName, ifname, ip, aliases, ports), null);
            store(pending);
            made.add(pending);
            return ip;
        });
        return made.getFirst();
    }

    /** Runs netavark setup for a reserved member; on failure undoes it, so that nothing is left. */
    private Attachment setUp(String where, NetworkDefinition network, Stored pending, String containerName, List<String> aliases,
                             List<PortMapping> ports) throws NetworkException {
        Path netavark;
        Path aardvark;
        try {
            netavark = program("netavark", "netavark", where);
            aardvark = program("aardvark-dns", "aardvark-dns", where);
        } catch (NetworkException e) {
            undo(pending);
            throw e;
        }
        Command.Result result;
        try {
            result = Command.run(List.of(netavark.toString(), "--config", configDirectory().toString(), "--aardvark-binary",
                    aardvark.toString(), "setup", pending.netns()), JsonTree.write(pending.setup()), TIMEOUT_SECONDS);
        } catch (IOException e) {
            undo(pending);
            throw new NetworkException(Reason.FAILED, where + ": cannot run " + netavark + ": " + e.getMessage(), e);
        }
        if (!result.ok()) {
            undo(pending);
            throw new NetworkException(Reason.FAILED, where + ": netavark setup failed: " + errorOf(result));
        }
        Attachment attachment;
        try {
            attachment = parseStatus(network, pending.containerId(), pending.ifname(), containerName, aliases, ports,
                    JsonTree.object(result.stdout()), Ipv4.Cidr.parse(network.subnets().getFirst().cidr()));
        } catch (IOException | RuntimeException e) {
            undo(pending);
            throw new NetworkException(Reason.FAILED, where + ": cannot read netavark's answer: " + e.getMessage(), e);
        }
        store(new Stored(pending.networkId(), pending.containerId(), pending.netns(), pending.ip(), pending.ifname(), pending.setup(), attachment));
        return attachment;
    }

    /**
     * Refuses to join a bridge that is up with another subnet (another daemon's default network
     * given a different {@code bip}): netavark would add a second gateway address to it.
     */
    private static void checkBridge(String where, NetworkDefinition network) throws NetworkException {
        BridgeAddress found = bridgeAddress(network.networkInterface());
        Subnet subnet = network.subnets().getFirst();
        if (found != null && !found.subnet().equals(Ipv4.Cidr.parse(subnet.cidr()))) {
            throw new NetworkException(Reason.CONFLICT, where + ": bridge " + network.networkInterface() + " is up on this host with subnet "
                    + found.subnet() + ", not the network's " + subnet.cidr() + "; another daemon made it with another subnet");
        }
    }

    // ---- the anchor: a member the driver owns, so the bridge stays while the network exists -----

    /*
     * netavark 1.4 deletes a bridge and its network's rules with its last member, so without an
     * anchor every `run --rm` on an otherwise empty network rebuilds them (about 240 ms). The anchor
     * is a netavark member like a container's, in a namespace the driver makes (named with its data
     * directory's tag), with the subnet's highest free address; it goes at remove(), at close() and
     * at restore() when its namespace or bridge is gone. netavark itself then removes the bridge and
     * rules with the last member, another daemon's or this one's.
     */

    private List<Stored> anchors() {
        return attachments.values().stream().filter(Stored::anchor).toList();
    }

    private static boolean anchorAlive(Stored anchor, NetworkDefinition network) {
        return anchor.attachment() != null && Files.exists(Path.of(anchor.netns()))
                && Files.exists(Path.of("/sys/class/net", network.networkInterface()));
    }

    private void ensureAnchor(String where, NetworkDefinition network) throws NetworkException {
        Stored anchor = attachments.get(key(network.id(), ANCHOR_ID));
        if (anchor != null && anchorAlive(anchor, network)) {
            return;
        }
        if (anchor != null) {
            dropAnchor(anchor, true);
        }
        String ip = program("ip", "iproute2", where).toString();
        String namespace = scratchPrefix() + "anchor-" + network.id().substring(0, 12);
        try {
            if (Files.exists(Path.of("/run/netns", namespace))) {
                run(where, ip, "netns", "del", namespace);
            }
            run(where, ip, "netns", "add", namespace);
        } catch (IOException e) {
            throw e instanceof NetworkException ne ? ne : new NetworkException(Reason.FAILED, where + ": " + e.getMessage(), e);
        }
        Stored pending;
        try {
            pending = reserve(where, network, ANCHOR_ID, "/run/netns/" + namespace, "eth0", ANCHOR_ID, null, true, List.of(), List.of());
            pending = withoutDns(pending);
            setUp(where + ", bridge anchor", network, pending, ANCHOR_ID, List.of(), List.of());
        } catch (NetworkException e) {
            deleteNamespace(where, "/run/netns/" + namespace);
            throw e;
        }
    }

    /**
     * The anchor takes no part in the network's DNS: no name of it in aardvark-dns' list, and
     * aardvark-dns still stops with the last container.
     */
    @SuppressWarnings("unchecked")
    private Stored withoutDns(Stored anchor) throws NetworkException {
        Map<String, Object> setup = new LinkedHashMap<>(anchor.setup());
        Map<String, Object> infos = new LinkedHashMap<>();
        ((Map<String, Object>) setup.get("network_info")).forEach((name, info) -> {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) info);
            copy.put("dns_enabled", false);
            infos.put(name, copy);
        });
        setup.put("network_info", infos);
        Stored changed = new Stored(anchor.networkId(), anchor.containerId(), anchor.netns(), anchor.ip(), anchor.ifname(), setup, null);
        store(changed);
        return changed;
    }

    /** Tears the anchor down; the bridge and the network's rules go with it if it was the last member. */
    private void dropAnchor(Stored anchor, boolean bestEffort) throws NetworkException {
        String where = "network " + networkName(anchor.networkId()) + ", bridge anchor";
        try {
            teardown(anchor, bestEffort);
        } catch (NetworkException e) {
            if (!bestEffort) {
                throw e;
            }
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        deleteNamespace(where, anchor.netns());
        attachments.remove(key(anchor.networkId(), ANCHOR_ID));
        delete(attachmentFile(anchor.networkId(), ANCHOR_ID));
        releaseLease(anchor);
    }

    private void deleteNamespace(String where, String netns) {
        Path path = Path.of(netns);
        if (!path.startsWith("/run/netns") || !Files.exists(path)) {
            return;
        }
        try {
            run(where, program("ip", "iproute2", where).toString(), "netns", "del", path.getFileName().toString());
        } catch (IOException e) {
            context.logger().log(System.Logger.Level.WARNING, where + ": cannot remove namespace " + netns + ": " + e.getMessage());
        }
    }

    /** The bridge an attachment is on, from netavark's input (the network's definition may be gone). */
    private static String bridgeOf(Stored s) {
        if (s.setup().get("network_info") instanceof Map<?, ?> infos) {
            for (Object info : infos.values()) {
                if (info instanceof Map<?, ?> m && m.get("network_interface") instanceof String bridge) {
                    return bridge;
                }
            }
        }
        return "";
    }

    private void releaseLease(Stored s) {
        String bridge = bridgeOf(s);
        if (bridge.isEmpty()) {
            return;
        }
        try {
            leases.release(bridge, attachmentFile(s.networkId(), s.containerId()));
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    /**
     * The name netavark knows a network by: its id, except for the default bridge, whose name is
     * the same in every daemon of the host (made from the bridge's name), so that daemons sharing the
     * bridge share the firewall chains netavark names after it, and whichever tears down the last
     * member removes them.
     */
    private static String netavarkName(NetworkDefinition network) {
        if (!"true".equals(network.options().get(DEFAULT_BRIDGE_OPTION))) {
            return network.id();
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("berth default bridge " + network.networkInterface()).getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private Map<String, Object> setupInput(NetworkDefinition network, String cid, String containerName, String ifname, String ip,
                                           List<String> aliases, List<PortMapping> ports) {
        String name = netavarkName(network);
        Map<String, Object> perNetwork = new LinkedHashMap<>();
        perNetwork.put("interface_name", ifname);
        perNetwork.put("static_ips", List.of(ip));
        perNetwork.put("aliases", aliases);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", name);
        info.put("id", name);
        info.put("driver", "bridge");
        info.put("network_interface", network.networkInterface());
        info.put("subnets", network.subnets().stream().map(s -> Map.<String, Object>of("subnet", s.cidr(), "gateway", s.gateway())).toList());
        info.put("ipv6_enabled", false);
        info.put("internal", network.internal());
        info.put("dns_enabled", network.dnsEnabled());
        Map<String, Object> netOptions = new LinkedHashMap<>();
        String mtu = network.options().get(MTU_OPTION);
        if (mtu != null) {
            netOptions.put("mtu", mtu);
        }
        info.put("options", netOptions);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("container_id", cid);
        input.put("container_name", containerName);
        input.put("networks", Map.of(name, perNetwork));
        input.put("network_info", Map.of(name, info));
        input.put("port_mappings", ports.stream().map(Records::port).toList());
        return input;
    }

    private Attachment parseStatus(NetworkDefinition network, String cid, String ifname, String containerName, List<String> aliases,
                                   List<PortMapping> ports, Map<String, Object> status, Ipv4.Cidr cidr) throws IOException {
        Map<String, Object> block = JsonTree.object(status, netavarkName(network));
        Map<String, Object> iface = JsonTree.object(JsonTree.object(block, "interfaces"), ifname);
        if (iface.isEmpty()) {
            throw new IOException("no interface " + ifname + " in " + oneLine(JsonTree.write(status)));
        }
        String address = "";
        String gateway = "";
        for (Object o : JsonTree.list(iface, "subnets")) {
            if (o instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked") Map<String, Object> s = (Map<String, Object>) m;
                address = JsonTree.string(s, "ipnet");
                gateway = JsonTree.string(s, "gateway");
            }
        }
        String ip = address.contains("/") ? address.substring(0, address.indexOf('/')) : address;
        List<String> names = new ArrayList<>();
        names.add(containerName);
        aliases.stream().filter(a -> !names.contains(a)).forEach(names::add);
        return new Attachment(network.id(), cid, ifname, ip, cidr.prefix(), network.internal() ? "" : gateway,
                JsonTree.string(iface, "mac_address").toLowerCase(java.util.Locale.ROOT),
                network.dnsEnabled() ? JsonTree.strings(block, "dns_server_ips") : List.of(),
                network.dnsEnabled() ? JsonTree.strings(block, "dns_search_domains") : List.of(), names, ports);
    }

    private String address(String where, NetworkDefinition network, Ipv4.Cidr cidr, String requested, Set<Integer> takenElsewhere,
                           boolean fromTop) throws NetworkException {
        int gateway = Ipv4.parse(network.subnets().getFirst().gateway());
        Set<Integer> taken = new HashSet<>(takenElsewhere);
        taken.add(gateway);
        attachments.values().stream().filter(s -> s.networkId().equals(network.id())).forEach(s -> taken.add(Ipv4.parse(s.ip())));
        if (requested != null && !requested.isBlank()) {
            int ip;
            try {
                ip = Ipv4.parse(requested);
            } catch (IllegalArgumentException e) {
                throw new NetworkException(Reason.INVALID, where + ": " + e.getMessage());
            }
            if (!cidr.isHost(ip)) {
                throw new NetworkException(Reason.INVALID, where + ": address " + requested + " is not a host address of subnet " + cidr);
            }
            if (taken.contains(ip)) {
                throw new NetworkException(Reason.CONFLICT, where + ": address " + requested
                        + (ip == gateway ? " is the network's gateway" : " is in use by another container"));
            }
            return Ipv4.format(ip);
        }
        if (fromTop) {
            for (long a = Integer.toUnsignedLong(cidr.last()) - 1; a > Integer.toUnsignedLong(cidr.base()); a--) {
                if (!taken.contains((int) a)) {
                    return Ipv4.format((int) a);
                }
            }
        }
        for (long a = Integer.toUnsignedLong(cidr.base()) + 1; a < Integer.toUnsignedLong(cidr.last()); a++) {
            if (!taken.contains((int) a)) {
                return Ipv4.format((int) a);
            }
        }
        throw new NetworkException(Reason.CONFLICT, where + ": no free address left in subnet " + cidr);
    }

    private String interfaceFor(String where, String cid, String requested) throws NetworkException {
        Set<String> used = new HashSet<>();
        attachments.values().stream().filter(s -> s.containerId().equals(cid)).forEach(s -> used.add(s.ifname()));
        if (requested != null && !requested.isBlank()) {
            if (!INTERFACE.matcher(requested).matches()) {
                throw new NetworkException(Reason.INVALID, where + ": interface name \"" + requested + "\" is invalid");
            }
            if (used.contains(requested)) {
                throw new NetworkException(Reason.CONFLICT, where + ": interface " + requested + " is used by another network of the container");
            }
            return requested;
        }
        for (int i = 0; ; i++) {
            if (!used.contains("eth" + i)) {
                return "eth" + i;
            }
        }
    }

    /** Refuses host ports another attachment publishes or another program holds, before anything is made. */
    private void checkPorts(String where, List<PortMapping> requested) throws NetworkException {
        for (int i = 0; i < requested.size(); i++) {
            PortMapping p = requested.get(i);
            for (int j = 0; j < i; j++) {
                if (p.clashesWith(requested.get(j))) {
                    throw new NetworkException(Reason.PORT_IN_USE, where + ": host port " + p + " is requested twice");
                }
            }
            for (Stored s : attachments.values()) {
                for (PortMapping other : s.ports()) {
                    if (p.clashesWith(other)) {
                        throw new NetworkException(Reason.PORT_IN_USE, where + ": host port " + hostSide(p)
                                + " is already published by container " + s.containerId().substring(0, Math.min(12, s.containerId().length())));
                    }
                }
            }
            for (int port = p.hostPort(); port < p.hostPort() + p.range(); port++) {
                bindTest(where, p, port);
            }
        }
    }

    private static void bindTest(String where, PortMapping p, int port) throws NetworkException {
        if (p.hostIp().contains(":")) {
            throw new NetworkException(Reason.INVALID, where + ": host address " + p.hostIp()
                    + " is IPv6, which this driver does not publish on yet; give an IPv4 address or none");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp());
        } catch (IOException e) {
            throw new NetworkException(Reason.INVALID, where + ": host address \"" + p.hostIp() + "\" is not an IP address");
        }
        try {
            if (p.protocol().equals("udp")) {
                try (DatagramSocket socket = new DatagramSocket(null)) {
                    socket.bind(new InetSocketAddress(address, port));
                }
            } else {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.setReuseAddress(true);
                    socket.bind(new InetSocketAddress(address, port));
                }
            }
        } catch (java.net.BindException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("assign requested address")) {
                throw new NetworkException(Reason.INVALID, where + ": host address " + p.hostIp() + " is not an address of this host");
            }
            throw new NetworkException(Reason.PORT_IN_USE, where + ": host port " + (p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp())
                    + ":" + port + "/" + p.protocol() + " is already in use");
        } catch (IOException e) {
            throw new NetworkException(Reason.PORT_IN_USE, where + ": cannot check host port " + port + "/" + p.protocol() + ": " + e.getMessage());
        }
    }

    private static String hostSide(PortMapping p) {
        return (p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp()) + ":" + p.hostPort() + "/" + p.protocol();
    }

    @Override
    public synchronized void detach(String networkId, String containerId) throws NetworkException {
        load();
        Stored stored = attachments.get(key(networkId, containerId));
        if (stored == null) {
            return;
        }
        teardown(stored, false);
        attachments.remove(key(networkId, containerId));
        delete(attachmentFile(networkId, containerId));
        releaseLease(stored);
    }

    @Override
    public synchronized List<Attachment> attachments() {
        try {
            load();
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        return attachments.values().stream().filter(s -> !s.anchor()).map(Stored::attachment).filter(a -> a != null).toList();
    }

    /** After a failed setup: undo what netavark may have done, free the address. */
    private void undo(Stored pending) {
        try {
            teardown(pending, true);
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        attachments.remove(key(pending.networkId(), pending.containerId()));
        try {
            delete(attachmentFile(pending.networkId(), pending.containerId()));
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        releaseLease(pending);
    }

    /**
     * Runs netavark teardown with the input setup had. When the container's namespace is gone (the
     * container ended), netavark 1.4 cannot open it and stops before it removes the bridge and its
     * rules; it is then given a scratch namespace holding an interface of the container's
     * interface name to delete, and does the rest.
     */
    private void teardown(Stored stored, boolean bestEffort) throws NetworkException {
        try {
            teardown(stored, bestEffort, !Files.exists(Path.of(stored.netns())));
        } catch (NetworkException e) {
            // The namespace is there but the container's interface is not (torn down before, or
            // replaced): netavark stops at the missing veth, so finish the rest as for a gone namespace.
            if (e.getMessage().contains("No such device") && Files.exists(Path.of(stored.netns()))) {
                teardown(stored, bestEffort, true);
            } else {
                throw e;
            }
        }
    }

    private void teardown(Stored stored, boolean bestEffort, boolean gone) throws NetworkException {
        String where = "network " + networkName(stored.networkId()) + ", container "
                + stored.containerId().substring(0, Math.min(12, stored.containerId().length()));
        Path netavark = program("netavark", "netavark", where);
        Path aardvark = program("aardvark-dns", "aardvark-dns", where);
        String scratch = null;
        String netns = stored.netns();
        try {
            if (gone) {
                Path ip = program("ip", "iproute2", where);
                scratch = scratchPrefix() + UUID.randomUUID().toString().substring(0, 8);
                run(where, ip.toString(), "netns", "add", scratch);
                run(where, ip.toString(), "-n", scratch, "link", "add", stored.ifname(), "type", "veth", "peer", "name", "berthscratch0");
                netns = "/run/netns/" + scratch;
            }
            Command.Result result = Command.run(List.of(netavark.toString(), "--config", configDirectory().toString(), "--aardvark-binary",
                    aardvark.toString(), "teardown", netns), JsonTree.write(stored.setup()), TIMEOUT_SECONDS);
            if (!result.ok() && !bestEffort && !gone) {
                throw new NetworkException(Reason.FAILED, where + ": netavark teardown failed: " + errorOf(result));
            }
            if (!result.ok()) {
                context.logger().log(System.Logger.Level.DEBUG, where + ": netavark teardown: " + errorOf(result));
            }
            // The last member gone, netavark removes the bridge with its rules; check it did when it complained.
            NetworkDefinition network = networks.get(stored.networkId());
            boolean last = attachments.values().stream().noneMatch(s -> s.networkId().equals(stored.networkId())
                    && !s.containerId().equals(stored.containerId()));
            if (!result.ok() && !bestEffort && last && network != null
                    && Files.exists(Path.of("/sys/class/net", network.networkInterface()))) {
                throw new NetworkException(Reason.FAILED, where + ": netavark teardown left bridge " + network.networkInterface()
                        + ": " + errorOf(result));
            }
        } catch (IOException e) {
            if (e instanceof NetworkException ne) {
                throw ne;
            }
            throw new NetworkException(Reason.FAILED, where + ": cannot run netavark teardown: " + e.getMessage(), e);
        } finally {
            if (scratch != null) {
                try {
                    run(where, program("ip", "iproute2", where).toString(), "netns", "del", scratch);
                } catch (IOException e) {
                    context.logger().log(System.Logger.Level.WARNING, where + ": cannot remove scratch namespace " + scratch + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * The names of this driver's scratch namespaces: {@code berth-nv-}, a tag of its data directory (so that
     * one daemon never removes another's on the same host), then a random part.
     */
    private String scratchPrefix() {
        return String.format("berth-nv-%06x-", data.toAbsolutePath().toString().hashCode() & 0xffffff);
    }

    /**
     * A daemon killed during a teardown leaves its scratch namespace in /run/netns (the {@code finally} that
     * deletes it never ran): at start, every one of this driver's is removed.
     */
    private void removeStaleScratchNamespaces(Set<String> kept) {
        Path netnsDir = Path.of("/run/netns");
        if (!Files.isDirectory(netnsDir)) {
            return;
        }
        String prefix = scratchPrefix();
        try (var entries = Files.list(netnsDir)) {
            for (Path ns : entries.filter(p -> p.getFileName().toString().startsWith(prefix) && !kept.contains(p.toString())).toList()) {
                try {
                    run("scratch namespace " + ns.getFileName(), program("ip", "iproute2", "restore").toString(),
                            "netns", "del", ns.getFileName().toString());
                } catch (IOException e) {
                    context.logger().log(System.Logger.Level.WARNING, "cannot remove stale scratch namespace "
                            + ns.getFileName() + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            context.logger().log(System.Logger.Level.WARNING, "cannot list /run/netns: " + e.getMessage());
        }
    }

    private static void run(String where, String... argv) throws IOException {
        Command.Result r = Command.run(List.of(argv), null, TIMEOUT_SECONDS);
        if (!r.ok()) {
            throw new NetworkException(Reason.FAILED, where + ": " + String.join(" ", argv) + " failed: " + oneLine(r.stderr() + r.stdout()));
        }
    }

    /** netavark prints {@code {"error": "..."}} on failure, on either stream, beside syslog noise. */
    private static String errorOf(Command.Result result) {
        for (String text : List.of(result.stdout(), result.stderr())) {
            for (String line : text.split("\\R")) {
                if (line.startsWith("{")) {
                    try {
                        String error = JsonTree.string(JsonTree.object(line), "error");
                        if (!error.isEmpty()) {
                            return oneLine(error);
                        }
                    } catch (IOException ignored) {
                        // not netavark's error object
                    }
                }
            }
        }
        String all = (result.stderr() + "\n" + result.stdout()).replace("failed to connect to syslog: Initialization", "");
        return all.isBlank() ? "exit code " + result.exitCode() : oneLine(all);
    }

    /** netavark's multi-line errors ("…:\n - cause") as one line of at most 300 characters. */
    static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s*\\R\\s*-?\\s*", "; ");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private Path program(String name, String debianPackage, String where) throws NetworkException {
        Programs.Lookup lookup = Programs.lookup(options, name, debianPackage);
        if (lookup.path() == null) {
            throw new NetworkException(Reason.NOT_USABLE, where + ": " + lookup.check());
        }
        return lookup.path();
    }

    private String networkName(String networkId) {
        NetworkDefinition d = networks.get(networkId);
        return d == null ? networkId.substring(0, Math.min(12, networkId.length())) : d.name();
    }

    // ---- state ----------------------------------------------------------------------------------

    private void load() throws NetworkException {
        if (loaded) {
            return;
        }
        if (data == null) {
            throw new IllegalStateException("netavark: initialize() was not called");
        }
        try {
            Files.createDirectories(data.resolve("networks"));
            Files.createDirectories(data.resolve("attachments"));
            try (Stream<Path> files = Files.list(data.resolve("networks"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    NetworkDefinition d = Records.definition(JsonTree.object(Files.readString(f)));
                    networks.put(d.id(), d);
                }
            }
            try (Stream<Path> files = Files.list(data.resolve("attachments"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    Map<String, Object> m = JsonTree.object(Files.readString(f));
                    Map<String, Object> a = JsonTree.object(m, "attachment");
                    Stored s = new Stored(JsonTree.string(m, "network_id"), JsonTree.string(m, "container_id"), JsonTree.string(m, "netns"),
                            JsonTree.string(m, "ip"), JsonTree.string(m, "interface_name"), JsonTree.object(m, "setup"),
                            a.isEmpty() ? null : Records.attachment(a));
                    attachments.put(key(s.networkId(), s.containerId()), s);
                }
            }
        } catch (IOException e) {
            throw new NetworkException(Reason.FAILED, "netavark: cannot read the driver's state under " + data + ": " + e.getMessage(), e);
        }
        loaded = true;
    }

    private void store(Stored s) throws NetworkException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network_id", s.networkId());
        m.put("container_id", s.containerId());
        m.put("netns", s.netns());
        m.put("ip", s.ip());
        m.put("interface_name", s.ifname());
        m.put("setup", s.setup());
        m.put("attachment", s.attachment() == null ? null : Records.attachment(s.attachment()));
        writeAtomically(attachmentFile(s.networkId(), s.containerId()), JsonTree.write(m));
        attachments.put(key(s.networkId(), s.containerId()), s);
    }

    private Path configDirectory() throws NetworkException {
        Path dir = data.resolve("netavark");
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new NetworkException(Reason.FAILED, "netavark: cannot create its config directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path networkFile(String id) {
        return data.resolve("networks").resolve(id + ".json");
    }

    private Path attachmentFile(String networkId, String containerId) {
        return data.resolve("attachments").resolve(networkId + "-" + containerId + ".json");
    }

    private static String key(String networkId, String containerId) {
        return networkId + "/" + containerId;
    }

    private static void writeAtomically(Path target, String text) throws NetworkException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new NetworkException(Reason.FAILED, "netavark: cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) throws NetworkException {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new NetworkException(Reason.FAILED, "netavark: cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * At daemon stop: the anchors go (a bridge whose containers all ended goes with its anchor);
     * running containers keep their attachments, and aardvark-dns outlives the daemon on purpose.
     */
    @Override
    public synchronized void close() {
        if (!loaded) {
            return;
        }
        for (Stored anchor : anchors()) {
            // another instance on the same data directory may have dropped it already
            if (Files.exists(attachmentFile(anchor.networkId(), ANCHOR_ID))) {
                try {
                    dropAnchor(anchor, true);
                } catch (NetworkException | RuntimeException e) {
                    context.logger().log(System.Logger.Level.WARNING, e.getMessage());
                }
            }
        }
    }
}
