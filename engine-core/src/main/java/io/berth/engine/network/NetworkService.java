package io.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.container.ContainerNames;
import io.berth.engine.container.ContainerNetworks;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.plugins.PluginHost;
import io.berth.engine.projection.Projections;
import io.berth.eventlog.events.NetworkEvent;
import io.berth.spi.NetworkDriver;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.Subnet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Networks: create and remove them through the {@link NetworkDriver} plugin, connect containers at
 * start and disconnect them at exit and removal, and record each step as a {@link NetworkEvent}.
 * The projection ({@link NetworkProjection}) is the record of which networks exist and who is on
 * them; the driver holds only what it needs to undo its work, and is told the networks again at
 * daemon start ({@link #startUp}).
 */
public final class NetworkService implements ContainerNetworks {
    private static final System.Logger LOG = System.getLogger("berth.networks");
    /** Docker's name for the default network. */
    public static final String DEFAULT_NETWORK = "bridge";
    /** The default network's host bridge: not Docker's docker0 nor Podman's podman0. */
    public static final String DEFAULT_BRIDGE = "berth0";

    private final Journal journal;
    private final PluginHost plugins;
    private final ObjectMapper mapper;
    private final String defaultSubnet;
    private final String defaultGateway;
    /** Why the default network could not be made at start (a program missing), told with "network bridge not found". */
    private volatile String defaultNetworkProblem;
    private final NetworkAttachments attachments;
    private final NetworkSettingsView views;

    /**
     * @param defaultSubnet  the default network's subnet (daemon.json {@code bip}'s network), or null to let the driver choose
     * @param defaultGateway its gateway (daemon.json {@code bip}'s address), or null for the first host address
     */
    public NetworkService(Journal journal, PluginHost plugins, ObjectMapper mapper, String defaultSubnet, String defaultGateway) {
        this.journal = journal;
        this.plugins = plugins;
        this.mapper = mapper;
        this.defaultSubnet = defaultSubnet;
        this.defaultGateway = defaultGateway;
        this.attachments = new NetworkAttachments(this, journal, mapper);
        this.views = new NetworkSettingsView(this, mapper);
    }

    Optional<NetworkDriver> optionalDriver() {
        return plugins.first(NetworkDriver.class);
    }

    NetworkDriver driver() {
        return optionalDriver().orElseThrow(() -> new NetworkDomainException(NetworkDomainException.Kind.INTERNAL,
                "no network driver plugin is running (see berth plugin ls)"));
    }

    // ---- reads

    public List<NetworkState.NetworkRecord> list() {
        return list(journal.projections());
    }

    public List<NetworkState.NetworkRecord> list(Projections view) {
        return view.read(NetworkProjection.INSTANCE, state -> state.networks.values().stream().map(NetworkService::copy)
                .sorted(java.util.Comparator.comparing(n -> n.name)).toList());
    }

    public Optional<NetworkState.NetworkRecord> find(String idOrName) {
        return find(journal.projections(), idOrName);
    }

    /** By exact name, full id, or a unique id prefix, as Docker looks networks up. */
    public Optional<NetworkState.NetworkRecord> find(Projections view, String idOrName) {
        if (idOrName == null || idOrName.isEmpty()) {
            return Optional.empty();
        }
        return view.read(NetworkProjection.INSTANCE, state -> {
            String id = state.names.get(idOrName);
            if (id == null && state.networks.containsKey(idOrName)) {
                id = idOrName;
            }
            if (id == null) {
                List<String> matches = state.networks.keySet().stream().filter(k -> k.startsWith(idOrName)).toList();
                if (matches.size() == 1) {
                    id = matches.getFirst();
                }
            }
            NetworkState.NetworkRecord found = id == null ? null : state.networks.get(id);
            return Optional.ofNullable(found == null ? null : copy(found));
        });
    }

    public NetworkState.NetworkRecord require(String idOrName) {
        return find(idOrName).orElseThrow(() -> {
            String problem = defaultNetworkProblem;
            return NetworkDomainException.notFound("network " + idOrName + " not found"
                    + (DEFAULT_NETWORK.equals(idOrName) && problem != null ? ": the daemon could not make it at its start: " + problem : ""));
        });
    }

    private static NetworkState.NetworkRecord copy(NetworkState.NetworkRecord r) {
        NetworkState.NetworkRecord c = new NetworkState.NetworkRecord();
        c.id = r.id;
        c.name = r.name;
        c.driver = r.driver;
        c.plugin = r.plugin;
        c.subnets = new ArrayList<>(r.subnets);
        c.networkInterface = r.networkInterface;
        c.internal = r.internal;
        c.dnsEnabled = r.dnsEnabled;
        c.labels = new java.util.TreeMap<>(r.labels);
        c.options = new java.util.TreeMap<>(r.options);
        c.created = r.created;
        c.endpoints = new java.util.TreeMap<>(r.endpoints);
        c.memberships = new java.util.TreeMap<>(r.memberships);
        return c;
    }

    static NetworkDefinition definition(NetworkState.NetworkRecord r) {
        List<Subnet> subnets = r.subnets.stream().map(s -> new Subnet(s.subnet, s.gateway == null || s.gateway.isEmpty() ? null : s.gateway)).toList();
        return new NetworkDefinition(r.name, r.id, r.driver, subnets, r.networkInterface, r.internal, r.dnsEnabled, r.labels, r.options);
    }

    // ---- start-up

    /**
     * At daemon start: hands the driver every network the log holds, then creates the default
     * network {@code bridge} if the log has none (its {@code NetworkCreated} is recorded by the daemon).
     */
    public void startUp(RequestContext self) {
        Optional<NetworkDriver> driver = optionalDriver();
        if (driver.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "no network driver plugin: containers get no network but their loopback");
            return;
        }
        try {
            driver.get().restore(list().stream().map(NetworkService::definition).toList());
        } catch (NetworkException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "network driver restore: " + e.getMessage());
        }
        if (find(DEFAULT_NETWORK).isEmpty()) {
            NetworkDefinition request = new NetworkDefinition(DEFAULT_NETWORK, ContainerNames.newId(), "bridge",
                    defaultSubnet == null ? List.of() : List.of(new Subnet(defaultSubnet, defaultGateway)), DEFAULT_BRIDGE,
                    false, false, Map.of(), Map.of("com.docker.network.bridge.default_bridge", "true",
                            "com.docker.network.bridge.name", DEFAULT_BRIDGE));
            try {
                record(self, driver.get().create(request), driver.get().name());
            } catch (NetworkException | RuntimeException e) {
                defaultNetworkProblem = e.getMessage();
                LOG.log(System.Logger.Level.WARNING, "cannot create the default network bridge: " + e.getMessage());
            }
        }
    }

    /**
     * After containers are reconciled at start: every endpoint whose container does not run (it
     * ended while the daemon was down) is torn down and recorded; so is any attachment the driver
     * holds that the log does not know (a start cut off by a crash).
     */
    public void reconcile(Predicate<String> running) {
        Optional<NetworkDriver> driver = optionalDriver();
        if (driver.isEmpty()) {
            return;
        }
        Set<String> known = new java.util.HashSet<>();
        for (NetworkState.NetworkRecord network : list()) {
            for (String containerId : network.endpoints.keySet()) {
                known.add(network.id + "/" + containerId);
                if (!running.test(containerId)) {
                    detachRecorded(network, containerId, RequestContext.daemon());
                }
            }
        }
        for (Attachment attachment : driver.get().attachments()) {
            if (!known.contains(attachment.networkId() + "/" + attachment.containerId())) {
                try {
                    driver.get().detach(attachment.networkId(), attachment.containerId());
                } catch (NetworkException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot detach " + attachment.containerId() + ": " + e.getMessage());
                }
            }
        }
    }

    // ---- networks

    /**
     * A {@code POST /networks/create} request.
     *
     * @param name     the name
     * @param driver   Docker's driver ({@code bridge})
     * @param subnet   a CIDR or null for one from the pool
     * @param gateway  an address or null
     * @param internal no route out
     * @param labels   labels
     * @param options  driver options
     */
    public record CreateRequest(String name, String driver, String subnet, String gateway, boolean internal,
                                Map<String, String> labels, Map<String, String> options) { }

    public synchronized NetworkState.NetworkRecord create(CreateRequest request, RequestContext context) {
        NetworkCommand.CreateNetwork command = new NetworkCommand.CreateNetwork(ContainerNames.newId(), request.name(), request.driver(),
                request.subnet(), request.gateway(), request.internal(), request.labels(), request.options());
        NetworkDefinition asked = ((NetworkDecider.DriverCall.Create) decide(command).driver()).network();
        NetworkDriver driver = driver();
        NetworkDefinition made;
        try {
            made = driver.create(asked);
        } catch (NetworkException e) {
            throw NetworkDomainException.of(e);
        }
        record(context, made, driver.name());
        return require(made.id());
    }

    /** The decision for {@code command} on the live network state (or its refusal); nothing is done yet. */
    private NetworkDecider.Decision decide(NetworkCommand command) {
        return journal.projections().read(NetworkProjection.INSTANCE, state -> NetworkDecider.decide(command, state));
    }

    private void record(RequestContext context, NetworkDefinition made, String plugin) {
        journal.record(context, NetworkDecider.created(made, plugin));
    }

    public synchronized void remove(String idOrName, RequestContext context) {
        NetworkDecider.Decision decision = decide(new NetworkCommand.RemoveNetwork(require(idOrName).id));
        try {
            driver().remove(((NetworkDecider.DriverCall.Remove) decision.driver()).networkId());
        } catch (NetworkException e) {
            throw NetworkDomainException.of(e);
        }
        journal.record(context, decision.events());
    }

    /** Removes every user network without members that {@code keep} does not protect; their names. */
    public List<String> prune(Predicate<NetworkState.NetworkRecord> selected, RequestContext context) {
        List<String> removed = new ArrayList<>();
        for (NetworkState.NetworkRecord network : list()) {
            if (network.name.equals(DEFAULT_NETWORK) || !network.endpoints.isEmpty() || !selected.test(network)) {
                continue;
            }
            try {
                remove(network.id, context);
                removed.add(network.name);
            } catch (NetworkDomainException e) {
                LOG.log(System.Logger.Level.DEBUG, "prune kept " + network.name + ": " + e.getMessage());
            }
        }
        return removed;
    }

    // ---- containers

    /** The networks a container joins at start, primary first, by name or id as the user gave them. */
    static List<String> targets(JsonNode stored) {
        String mode = stored.path("HostConfig").path("NetworkMode").asText("");
        if (mode.equals("host") || mode.equals("none") || mode.startsWith("container:")) {
            return List.of();
        }
        Set<String> targets = new LinkedHashSet<>();
        targets.add(mode.isEmpty() || mode.equals("default") ? DEFAULT_NETWORK : mode);
        // Docker's CLI names the default network "default" in EndpointsConfig too
        stored.path("NetworkingConfig").path("EndpointsConfig").fieldNames()
                .forEachRemaining(name -> targets.add(name.equals("default") ? DEFAULT_NETWORK : name));
        return List.copyOf(targets);
    }

    /**
     * The networks a container joins at its next start: those of its create, less those
     * {@code network disconnect} dropped, then those {@code network connect} added, primary first.
     */
    List<String> targets(Projections view, String containerId, JsonNode stored) {
        String mode = stored.path("HostConfig").path("NetworkMode").asText("");
        if (mode.equals("host") || mode.equals("none") || mode.startsWith("container:")) {
            return List.of();
        }
        List<NetworkState.NetworkRecord> all = list(view);
        Set<String> targets = new LinkedHashSet<>();
        Set<String> ids = new java.util.HashSet<>();
        for (String target : targets(stored)) {
            Optional<NetworkState.NetworkRecord> network = find(view, target);
            NetworkState.MembershipRecord membership = network.map(n -> n.memberships.get(containerId)).orElse(null);
            if (membership == null || membership.member) {
                targets.add(target);
                network.ifPresent(n -> ids.add(n.id));
            }
        }
        for (NetworkState.NetworkRecord network : all) {
            NetworkState.MembershipRecord membership = network.memberships.get(containerId);
            if (membership != null && membership.member && ids.add(network.id)) {
                targets.add(network.name);
            }
        }
        return List.copyOf(targets);
    }

    /**
     * {@code POST /networks/{id}/connect}: the container joins the network at every start from now on
     * ({@code MembershipAdded}); a running one joins now too. As Docker, a container on the host's
     * network, on none or in another's namespace joins no other network.
     */
    public void connect(String networkIdOrName, String containerId, String containerName, boolean running, long pid, JsonNode stored,
                        JsonNode endpointConfig, RequestContext context) {
        NetworkState.NetworkRecord network = require(networkIdOrName);
        JsonNode config = endpointConfig != null && endpointConfig.isObject() ? endpointConfig : mapper.createObjectNode();
        List<String> aliases = new ArrayList<>();
        config.path("Aliases").forEach(a -> aliases.add(a.asText()));
        String ip = config.path("IPAMConfig").path("IPv4Address").asText("");
        NetworkDecider.Decision decision = decide(new NetworkCommand.ConnectContainer(network.id, containerId, containerName,
                stored.path("HostConfig").path("NetworkMode").asText(""), joinsAtStart(network, containerId, stored), running,
                aliases, ip));
        if (decision.driver() instanceof NetworkDecider.DriverCall.Attach) {
            connectRunning(network.id, containerId, containerName, pid, config, context);
        }
        journal.record(context, decision.events());
    }

    /** Whether the container's create or an earlier connect makes it join {@code network} at its starts. */
    private boolean joinsAtStart(NetworkState.NetworkRecord network, String containerId, JsonNode stored) {
        return targets(journal.projections(), containerId, stored).stream()
                .map(t -> find(t).map(n -> n.id).orElse("")).anyMatch(network.id::equals);
    }

    /**
     * {@code POST /networks/{id}/disconnect}: the container no longer joins the network at its starts
     * ({@code MembershipDropped}); a running one leaves it now too.
     */
    public void disconnect(String networkIdOrName, String containerId, JsonNode stored, RequestContext context) {
        NetworkState.NetworkRecord network = require(networkIdOrName);
        NetworkDecider.Decision decision = decide(new NetworkCommand.DisconnectContainer(network.id, containerId,
                joinsAtStart(network, containerId, stored)));
        if (decision.driver() instanceof NetworkDecider.DriverCall.Detach) {
            detachRecorded(network, containerId, context);
        }
        journal.record(context, decision.events());
    }

    @Override
    public void validate(ObjectNode hostConfig, JsonNode networkingConfig) {
        String mode = hostConfig.path("NetworkMode").asText("");
        if (mode.startsWith("container:")) {
            return; // another container's namespace: the container slice checks it, no network is joined
        }
        if (mode.isEmpty() || mode.equals("default")) {
            hostConfig.put("NetworkMode", DEFAULT_NETWORK);
        }
        ObjectNode stored = mapper.createObjectNode();
        stored.set("HostConfig", hostConfig);
        if (networkingConfig != null && networkingConfig.isObject()) {
            stored.set("NetworkingConfig", networkingConfig);
        }
        for (String target : targets(stored)) {
            require(target);
        }
        PortSpecs.requested(stored); // a malformed port is refused at create, not at start
    }

    @Override
    public boolean bridgeAvailable() {
        return optionalDriver().isPresent() && find(DEFAULT_NETWORK).isPresent();
    }

    // ---- attachments and views, kept in their own classes

    @Override
    public List<Connected> connect(String containerId, String name, String netnsPath, JsonNode stored, RequestContext context) {
        return attachments.connect(containerId, name, netnsPath, stored, context);
    }

    @Override
    public void disconnect(String containerId, RequestContext context) {
        attachments.disconnect(containerId, context);
    }

    /** Connects a running container's namespace to one more network ({@code POST /networks/{id}/connect}). */
    public Connected connectRunning(String networkIdOrName, String containerId, String containerName, long pid, JsonNode endpointConfig,
                                    RequestContext context) {
        return attachments.connectRunning(networkIdOrName, containerId, containerName, pid, endpointConfig, context);
    }

    private void detachRecorded(NetworkState.NetworkRecord network, String containerId, RequestContext context) {
        attachments.detachRecorded(network, containerId, context);
    }

    @Override
    public ObjectNode settings(Projections view, String containerId, JsonNode stored, boolean running) {
        return views.settings(view, containerId, stored, running);
    }

    @Override
    public ArrayNode ports(Projections view, String containerId, JsonNode stored) {
        return views.ports(view, containerId, stored);
    }
}
