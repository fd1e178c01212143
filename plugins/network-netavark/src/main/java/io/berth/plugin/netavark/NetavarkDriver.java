package io.berth.plugin.netavark;

import io.berth.text.json.Json;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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

    static final String MTU_OPTION = "com.docker.network.driver.mtu";
    /** Marks the engine's default network, whose bridge every berth daemon on the host shares. */
    static final String DEFAULT_BRIDGE_OPTION = "com.docker.network.bridge.default_bridge";
    /** The container id of a network's anchor (container ids are 64 hex digits, so it names no container). */
    static final String ANCHOR_ID = "berth-anchor";

    private PluginContext context;
    private Map<String, String> options = Map.of();
    private StateFiles files;
    private Subnets subnets = new Subnets(Map.of());
    private NetavarkCalls calls;
    private HostLeases leases;
    private final Map<String, NetworkDefinition> networks = new LinkedHashMap<>();
    private final Map<String, StoredAttachment> attachments = new TreeMap<>();
    private boolean loaded;

    @Override
    public String name() {
        return "netavark";
    }

    @Override
    public synchronized void initialize(PluginContext ctx) {
        this.context = ctx;
        this.options = Map.copyOf(ctx.options());
        this.files = new StateFiles(ctx.dataDirectory());
        this.subnets = new Subnets(options);
        this.calls = new NetavarkCalls(options, files, ctx.logger());
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
            checks.add(Probe.Check.passed("default-address-pool", Probe.Kind.OTHER, subnets.pool() + " in /" + subnets.poolSize() + " subnets"));
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
        Requests.checkCreate(request, networks.values());
        // Refused here rather than at the first attach, so that a host without netavark says so at once.
        calls.program("netavark", "netavark", "network " + name);
        if (request.dnsEnabled()) {
            calls.program("aardvark-dns", "aardvark-dns", "network " + name);
        }
        String bridge = Requests.bridgeName(request, networks.values());
        Subnet subnet = subnets.choose(request, bridge, networks.values());
        Requests.checkMtu(request);
        NetworkDefinition done = new NetworkDefinition(name, request.id(), "bridge", List.of(subnet), bridge, request.internal(),
                request.dnsEnabled(), request.labels(), request.options());
        files.writeNetwork(done);
        networks.put(done.id(), done);
        return done;
    }

    @Override
    public synchronized void restore(Collection<NetworkDefinition> given) throws NetworkException {
        load();
        Map<String, NetworkDefinition> listed = new LinkedHashMap<>();
        given.forEach(d -> listed.put(d.id(), d));
        // An anchor outlives a killed daemon; it is kept while it still holds its network's bridge.
        for (StoredAttachment anchor : anchors()) {
            NetworkDefinition network = listed.get(anchor.networkId());
            if (network == null || !anchorAlive(anchor, network)) {
                dropAnchor(anchor, true);
            }
        }
        calls.removeStaleScratchNamespaces(anchors().stream().map(StoredAttachment::netns).collect(java.util.stream.Collectors.toSet()));
        for (NetworkDefinition known : List.copyOf(networks.values())) {
            boolean used = attachments.values().stream().anyMatch(s -> s.networkId().equals(known.id()) && !s.anchor());
            if (!listed.containsKey(known.id()) && !used) {
                networks.remove(known.id());
                files.deleteNetwork(known.id());
            }
        }
        for (NetworkDefinition d : listed.values()) {
            files.writeNetwork(d);
            networks.put(d.id(), d);
        }
        // A setup the daemon did not see finish: undo whatever part of it netavark did.
        for (StoredAttachment pending : List.copyOf(attachments.values())) {
            if (pending.attachment() == null) {
                teardown(pending, true);
                attachments.remove(key(pending.networkId(), pending.containerId()));
                files.deleteAttachment(pending.networkId(), pending.containerId());
                releaseLease(pending);
            }
        }
        // The host's leases name every address this driver holds (also those taken before leases existed).
        for (StoredAttachment held : attachments.values()) {
            String bridge = NetavarkMessages.bridgeOf(held);
            if (!bridge.isEmpty()) {
                leases.keep(bridge, files.attachmentFile(held.networkId(), held.containerId()), held.ip());
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
        StoredAttachment anchor = attachments.get(key(networkId, ANCHOR_ID));
        if (anchor != null) {
            dropAnchor(anchor, false);
        }
        files.deleteNetwork(networkId);
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
        Requests.checkAttach(where, network, request);
        if (attachments.containsKey(key(networkId, cid))) {
            throw new NetworkException(Reason.CONFLICT, where + ": the container is attached to this network already");
        }
        Path netns = Path.of(request.netnsPath());
        if (!netns.isAbsolute() || !Files.exists(netns)) {
            throw new NetworkException(Reason.INVALID, where + ": network namespace " + request.netnsPath() + " does not exist");
        }
        Path netavark = calls.program("netavark", "netavark", where);
        Path aardvark = calls.program("aardvark-dns", "aardvark-dns", where);
        HostPorts.check(where, request.portMappings(), attachments.values());
        Subnets.checkBridge(where, network);
        ensureAnchor(where, network);
        String ifname = interfaceFor(where, cid, request.interfaceName());
        String containerName = request.containerName().isEmpty() ? cid.substring(0, Math.min(12, cid.length())) : request.containerName();
        StoredAttachment pending = reserve(where, network, cid, netns.toString(), ifname, containerName, request.staticIp(), false,
                request.aliases(), request.portMappings());
        return setUp(where, network, pending, containerName, request.aliases(), request.portMappings());
    }

    /**
     * Chooses the member's address among those no member of this driver nor any lease of the host
     * holds, and writes its pending attachment file (the lease's owner), both under the host's lease lock.
     */
    private StoredAttachment reserve(String where, NetworkDefinition network, String cid, String netns, String ifname, String containerName,
                           String staticIp, boolean fromTop, List<String> aliases, List<PortMapping> ports) throws NetworkException {
        Ipv4.Cidr cidr = Ipv4.Cidr.parse(network.subnets().getFirst().cidr());
        List<StoredAttachment> made = new ArrayList<>(1);
        leases.lease(network.networkInterface(), files.attachmentFile(network.id(), cid), takenElsewhere -> {
            Set<Integer> held = new HashSet<>(takenElsewhere);
            attachments.values().stream().filter(s -> s.networkId().equals(network.id())).forEach(s -> held.add(Ipv4.parse(s.ip())));
            String ip = Subnets.address(where, network, cidr, staticIp, held, fromTop);
            StoredAttachment pending = new StoredAttachment(network.id(), cid, netns, ip, ifname, NetavarkMessages.setupInput(network, cid, containerName, ifname, ip, aliases, ports), null);
            store(pending);
            made.add(pending);
            return ip;
        });
        return made.getFirst();
    }

    /** Runs netavark setup for a reserved member; on failure undoes it, so that nothing is left. */
    private Attachment setUp(String where, NetworkDefinition network, StoredAttachment pending, String containerName, List<String> aliases,
                             List<PortMapping> ports) throws NetworkException {
        Path netavark;
        Path aardvark;
        try {
            netavark = calls.program("netavark", "netavark", where);
            aardvark = calls.program("aardvark-dns", "aardvark-dns", where);
        } catch (NetworkException e) {
            undo(pending);
            throw e;
        }
        Command.Result result;
        try {
            result = Command.run(List.of(netavark.toString(), "--config", files.configDirectory().toString(), "--aardvark-binary",
                    aardvark.toString(), "setup", pending.netns()), Json.write(pending.setup()), Command.TIMEOUT_SECONDS);
        } catch (IOException e) {
            undo(pending);
            throw new NetworkException(Reason.FAILED, where + ": cannot run " + netavark + ": " + e.getMessage(), e);
        }
        if (!result.ok()) {
            undo(pending);
            throw new NetworkException(Reason.FAILED, where + ": netavark setup failed: " + Command.netavarkError(result));
        }
        Attachment attachment;
        try {
            attachment = NetavarkMessages.parseStatus(network, pending.containerId(), pending.ifname(), containerName, aliases, ports,
                    Records.parseObject(result.stdout()), Ipv4.Cidr.parse(network.subnets().getFirst().cidr()));
        } catch (IOException | RuntimeException e) {
            undo(pending);
            throw new NetworkException(Reason.FAILED, where + ": cannot read netavark's answer: " + e.getMessage(), e);
        }
        store(new StoredAttachment(pending.networkId(), pending.containerId(), pending.netns(), pending.ip(), pending.ifname(), pending.setup(), attachment));
        return attachment;
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

    private List<StoredAttachment> anchors() {
        return attachments.values().stream().filter(StoredAttachment::anchor).toList();
    }

    private static boolean anchorAlive(StoredAttachment anchor, NetworkDefinition network) {
        return anchor.attachment() != null && Files.exists(Path.of(anchor.netns()))
                && Files.exists(Path.of("/sys/class/net", network.networkInterface()));
    }

    private void ensureAnchor(String where, NetworkDefinition network) throws NetworkException {
        StoredAttachment anchor = attachments.get(key(network.id(), ANCHOR_ID));
        if (anchor != null && anchorAlive(anchor, network)) {
            return;
        }
        if (anchor != null) {
            dropAnchor(anchor, true);
        }
        String namespace = calls.scratchPrefix() + "anchor-" + network.id().substring(0, 12);
        calls.addNamespace(where, namespace);
        StoredAttachment pending;
        try {
            pending = reserve(where, network, ANCHOR_ID, "/run/netns/" + namespace, "eth0", ANCHOR_ID, null, true, List.of(), List.of());
            pending = withoutDns(pending);
            setUp(where + ", bridge anchor", network, pending, ANCHOR_ID, List.of(), List.of());
        } catch (NetworkException e) {
            calls.deleteNamespace(where, "/run/netns/" + namespace);
            throw e;
        }
    }

    /** The anchor takes no part in the network's DNS (see {@link NetavarkMessages#withoutDns}). */
    private StoredAttachment withoutDns(StoredAttachment anchor) throws NetworkException {
        StoredAttachment changed = new StoredAttachment(anchor.networkId(), anchor.containerId(), anchor.netns(), anchor.ip(), anchor.ifname(),
                NetavarkMessages.withoutDns(anchor.setup()), null);
        store(changed);
        return changed;
    }

    /** Tears the anchor down; the bridge and the network's rules go with it if it was the last member. */
    private void dropAnchor(StoredAttachment anchor, boolean bestEffort) throws NetworkException {
        String where = "network " + networkName(anchor.networkId()) + ", bridge anchor";
        try {
            teardown(anchor, bestEffort);
        } catch (NetworkException e) {
            if (!bestEffort) {
                throw e;
            }
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        calls.deleteNamespace(where, anchor.netns());
        attachments.remove(key(anchor.networkId(), ANCHOR_ID));
        files.deleteAttachment(anchor.networkId(), ANCHOR_ID);
        releaseLease(anchor);
    }

    private void releaseLease(StoredAttachment s) {
        String bridge = NetavarkMessages.bridgeOf(s);
        if (bridge.isEmpty()) {
            return;
        }
        try {
            leases.release(bridge, files.attachmentFile(s.networkId(), s.containerId()));
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    private String interfaceFor(String where, String cid, String requested) throws NetworkException {
        Set<String> used = new HashSet<>();
        attachments.values().stream().filter(s -> s.containerId().equals(cid)).forEach(s -> used.add(s.ifname()));
        if (requested != null && !requested.isBlank()) {
            if (!Requests.INTERFACE.matcher(requested).matches()) {
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

    @Override
    public synchronized void detach(String networkId, String containerId) throws NetworkException {
        load();
        StoredAttachment stored = attachments.get(key(networkId, containerId));
        if (stored == null) {
            return;
        }
        teardown(stored, false);
        attachments.remove(key(networkId, containerId));
        files.deleteAttachment(networkId, containerId);
        releaseLease(stored);
    }

    @Override
    public synchronized List<Attachment> attachments() {
        try {
            load();
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        return attachments.values().stream().filter(s -> !s.anchor()).map(StoredAttachment::attachment).filter(a -> a != null).toList();
    }

    /** After a failed setup: undo what netavark may have done, free the address. */
    private void undo(StoredAttachment pending) {
        try {
            teardown(pending, true);
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        attachments.remove(key(pending.networkId(), pending.containerId()));
        try {
            files.deleteAttachment(pending.networkId(), pending.containerId());
        } catch (NetworkException e) {
            context.logger().log(System.Logger.Level.WARNING, e.getMessage());
        }
        releaseLease(pending);
    }

    private String networkName(String networkId) {
        NetworkDefinition d = networks.get(networkId);
        return d == null ? networkId.substring(0, Math.min(12, networkId.length())) : d.name();
    }

    /** Tears a member down through netavark (see {@link NetavarkCalls#teardown}). */
    private void teardown(StoredAttachment stored, boolean bestEffort) throws NetworkException {
        String where = "network " + networkName(stored.networkId()) + ", container "
                + stored.containerId().substring(0, Math.min(12, stored.containerId().length()));
        boolean last = attachments.values().stream().noneMatch(s -> s.networkId().equals(stored.networkId())
                && !s.containerId().equals(stored.containerId()));
        calls.teardown(where, stored, bestEffort, networks.get(stored.networkId()), last);
    }

    // ---- state ----------------------------------------------------------------------------------

    private void load() throws NetworkException {
        if (loaded) {
            return;
        }
        if (files == null) {
            throw new IllegalStateException("netavark: initialize() was not called");
        }
        files.networks().forEach(d -> networks.put(d.id(), d));
        files.attachments().forEach(s -> attachments.put(key(s.networkId(), s.containerId()), s));
        loaded = true;
    }

    private void store(StoredAttachment s) throws NetworkException {
        files.writeAttachment(s);
        attachments.put(key(s.networkId(), s.containerId()), s);
    }

    private static String key(String networkId, String containerId) {
        return networkId + "/" + containerId;
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
        for (StoredAttachment anchor : anchors()) {
            // another instance on the same data directory may have dropped it already
            if (Files.exists(files.attachmentFile(anchor.networkId(), ANCHOR_ID))) {
                try {
                    dropAnchor(anchor, true);
                } catch (NetworkException | RuntimeException e) {
                    context.logger().log(System.Logger.Level.WARNING, e.getMessage());
                }
            }
        }
    }
}
