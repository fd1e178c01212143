package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.plugins.PluginHost;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.spi.ContainerRuntime;
import io.berth.spi.StorageDriver;
import io.berth.spi.fs.SafeFsException;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerState.Status;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Containers: create, start, stop, kill, restart, remove, wait, rename, prune; their exits are
 * watched and recorded with the monitor's true exit code, and restart policies are applied.
 * The runtime plugin runs them (runc + conmon), the storage driver gives each its writable layer.
 * Every change is an event; reads come from the container projection.
 */
public final class ContainerService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("berth.containers");

    private final Journal journal;
    private final ImageService images;
    private final VolumeService volumes;
    private final PluginHost plugins;
    private final ObjectMapper mapper;
    private final Path containersDir;
    private final Path exitDir;
    private final Map<String, CountDownLatch> exits = new ConcurrentHashMap<>();
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();
    private final ExitWatcher watcher;
    private final Attachments attachments = new Attachments();
    /** The network slice, wired by the daemon; without it containers have their loopback only. */
    private volatile ContainerNetworks networks = ContainerNetworks.NONE;
    /** Exit codes of containers removed right after they exited ({@code --rm}), for a waiting client. */
    private final Map<String, Integer> lastExit = new ConcurrentHashMap<>();
    /**
     * One lock per container for what touches its runtime state and mounts: start, the release after
     * an exit (which runs after the exit is recorded, off the caller's thread) and remove.
     */
    private final Map<String, Object> lifecycleLocks = new ConcurrentHashMap<>();
    /** Containers whose runtime state and mount were freed after their last exit (remove need not again). */
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    /** Notified whenever a container exits or is removed, for {@code wait}'s conditions. */
    private final Object changes = new Object();
    /** How many times each container's process ended (exited, or failed to start) since the daemon started. */
    private final Map<String, Integer> endings = new ConcurrentHashMap<>();

    public ContainerService(Journal journal, ImageService images, VolumeService volumes, PluginHost plugins, ObjectMapper mapper, Path root) {
        this.journal = journal;
        this.images = images;
        this.volumes = volumes;
        this.plugins = plugins;
        this.mapper = mapper;
        this.containersDir = root.resolve("containers");
        this.exitDir = containersDir.resolve("exits");
        try {
            Files.createDirectories(exitDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + exitDir + ": " + e.getMessage(), e);
        }
        this.watcher = new ExitWatcher(exitDir, this::checkExits);
        images.setImageInUse(imageId -> list().stream().anyMatch(c -> c.imageId().equals(imageId)));
        volumes.setInUse(name -> list().stream().anyMatch(c -> usesVolume(c, name)));
    }

    /** Connects containers to networks at start and disconnects them at exit and removal. */
    private volatile HealthMonitors health;

    /** Runs the containers' health checks with {@code execs}; without this call none runs. */
    public void runHealthChecksWith(ExecService execs) {
        this.health = new HealthMonitors(this, execs);
    }

    /** The health monitor of a container's last run, if it has a health check that ran in this daemon. */
    Optional<HealthMonitors.Monitor> healthMonitor(String id) {
        return health == null ? Optional.empty() : health.of(id);
    }

    public void setNetworks(ContainerNetworks networks) {
        this.networks = networks;
    }

    /** The live projections (the networks' views read them). */
    public io.berth.engine.projection.Projections projections() {
        return journal.projections();
    }

    public ContainerNetworks networks() {
        return networks;
    }

    ContainerRuntime runtime() {
        return plugins.first(ContainerRuntime.class).orElseThrow(() -> ContainerException.internal("no container runtime plugin is running (see berth plugin ls)"));
    }

    /** The launch core on the current runtime plugin (shared with a build's RUN). */
    ContainerLauncher launcher() {
        return new ContainerLauncher(runtime(), mapper);
    }

    StorageDriver storage() {
        return images.storage();
    }

    // ---- reads

    public List<ContainerState.ContainerRecord> list() {
        return list(journal.projections());
    }

    /** Every container as {@code view} (the live projections or a past state) has them. */
    public List<ContainerState.ContainerRecord> list(io.berth.engine.projection.Projections view) {
        return view.read(ContainerProjection.INSTANCE, s -> s.containers.values().stream().toList());
    }

    /** By full id, unique id prefix or name (with or without the leading slash). */
    public Optional<ContainerState.ContainerRecord> find(String idOrName) {
        return find(journal.projections(), idOrName);
    }

    /** A container by id, id prefix or name, as {@code view} (the live projections or a past state) has it. */
    public Optional<ContainerState.ContainerRecord> find(io.berth.engine.projection.Projections view, String idOrName) {
        String key = idOrName.startsWith("/") ? idOrName.substring(1) : idOrName;
        return view.read(ContainerProjection.INSTANCE, s -> {
            ContainerState.ContainerRecord exact = s.containers.get(key);
            if (exact != null) {
                return Optional.of(exact);
            }
            String byName = s.names.get(key);
            if (byName != null) {
                return Optional.of(s.containers.get(byName));
            }
            if (key.matches("[0-9a-f]{1,63}")) {
                List<ContainerState.ContainerRecord> matches = s.containers.values().stream().filter(c -> c.id().startsWith(key)).toList();
                if (matches.size() == 1) {
                    return Optional.of(matches.getFirst());
                }
            }
            return Optional.empty();
        });
    }

    public ContainerState.ContainerRecord require(String idOrName) {
        return require(journal.projections(), idOrName);
    }

    public ContainerState.ContainerRecord require(io.berth.engine.projection.Projections view, String idOrName) {
        return find(view, idOrName).orElseThrow(() -> ContainerException.notFound("No such container: " + idOrName));
    }

    public JsonNode config(ContainerState.ContainerRecord container) {
        try {
            return mapper.readTree(container.configJson());
        } catch (IOException e) {
            throw ContainerException.internal("configuration of container " + container.id() + " is unreadable");
        }
    }

    public Path logPath(String id) {
        return containersDir.resolve(id).resolve("container.log");
    }

    Path bundle(String id) {
        return containersDir.resolve(id);
    }

    // ---- create

    /**
     * Creates a container from Docker's create body.
     *
     * @return the new container's id
     */
    public String create(JsonNode request, String requestedName, RequestContext context) {
        String imageName = request.path("Image").asText("");
        if (imageName.isBlank()) {
            throw ContainerException.invalid("no image given: Image is required");
        }
        JsonNode host = request.path("HostConfig").isObject() ? request.get("HostConfig") : mapper.createObjectNode();
        ContainerConfigs.validateHostConfig(host);
        try {
            HealthCheck.validate(request.get("Healthcheck"));
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
        JsonNode networking = request.path("NetworkingConfig");
        networks.validate((ObjectNode) host, networking);
        validateContainerNetworkMode(request, host);
        String name;
        try {
            name = requestedName == null || requestedName.isBlank() ? null : ContainerNames.validate(requestedName);
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
        ImageService.Image image = images.find(imageName).orElseThrow(() -> ContainerException.notFound("No such image: " + imageName));
        JsonNode imageConfig = images.config(image).path("config");
        ObjectNode config = ContainerConfigs.mergeConfig(imageConfig, request, imageName, mapper);
        ContainerConfigs.args(config); // no command at all is refused now, not at start
        for (JsonNode bind : host.path("Binds")) {
            BindSpec.parse(bind.asText());
        }
        try {
            SecurityOptions.of(host, mapper); // a bad option or profile is refused now, not at start
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
        if (host.path("CgroupnsMode").asText("").isEmpty() && host instanceof ObjectNode hostObject) {
            // recorded resolved, so inspect shows the mode the container has, as Docker's does
            hostObject.put("CgroupnsMode", SecurityOptions.defaultCgroupnsMode());
        }
        String id = ContainerNames.newId();
        synchronized (this) {
            if (name == null) {
                do {
                    name = ContainerNames.randomName();
                } while (find(name).isPresent());
            } else {
                Optional<ContainerState.ContainerRecord> holder = find(name);
                if (holder.isPresent() && holder.get().name().equals(name)) {
                    throw ContainerException.conflict("Conflict. The container name \"/" + name + "\" is already in use by container \""
                            + holder.get().id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
                }
            }
            if (config.path("Hostname").asText("").isEmpty()) {
                config.put("Hostname", id.substring(0, 12));
            }
            ObjectNode stored = mapper.createObjectNode();
            stored.set("Config", config);
            stored.set("HostConfig", host);
            if (networking.path("EndpointsConfig").isObject() && !networking.path("EndpointsConfig").isEmpty()) {
                stored.set("NetworkingConfig", networking);
            }
            journal.record(context, new ContainerEvent.ContainerCreated(id, name, imageName, image.id(), stored.toString()));
        }
        return id;
    }

    /** The {@code NAME} of network mode {@code container:NAME}, or null for any other mode. */
    static String networkContainer(JsonNode host) {
        String mode = host.path("NetworkMode").asText("");
        return mode.startsWith("container:") ? mode.substring("container:".length()) : null;
    }

    /**
     * {@code container:NAME} shares NAME's network namespace and its hostname, /etc/hosts and
     * /etc/resolv.conf, so the options that would set those are refused with Docker's words, and
     * NAME must exist (it must run only at start).
     */
    private void validateContainerNetworkMode(JsonNode request, JsonNode host) {
        String target = networkContainer(host);
        if (target == null) {
            return;
        }
        if (target.isEmpty()) {
            throw ContainerException.invalid("Invalid network mode: invalid container format container:<name|id>");
        }
        JsonNode config = request.path("Config").isObject() ? request.get("Config") : request;
        if (!config.path("Hostname").asText("").isEmpty()) {
            throw ContainerException.invalid("conflicting options: hostname and the network mode");
        }
        if (!host.path("Links").isEmpty()) {
            throw ContainerException.invalid("conflicting options: container type network can't be used with links. This would result in undefined behavior");
        }
        if (!host.path("Dns").isEmpty()) {
            throw ContainerException.invalid("conflicting options: dns and the network mode");
        }
        if (!host.path("ExtraHosts").isEmpty()) {
            throw ContainerException.invalid("conflicting options: custom host-to-IP mapping and the network mode");
        }
        if (!config.path("MacAddress").asText("").isEmpty()) {
            throw ContainerException.invalid("conflicting options: mac-address and the network mode");
        }
        if (!host.path("PortBindings").isEmpty() || host.path("PublishAllPorts").asBoolean(false)) {
            throw ContainerException.invalid("conflicting options: port publishing and the container type network mode");
        }
        if (!config.path("ExposedPorts").isEmpty()) {
            throw ContainerException.invalid("conflicting options: port exposing and the container type network mode");
        }
        if (find(target).isEmpty()) {
            throw ContainerException.notFound("No such container: " + target);
        }
    }

    // ---- start

    /** Starts a created or exited container. Starting a running one is a no-op, as in Docker (304). */
    public boolean start(String idOrName, RequestContext context) {
        ContainerState.ContainerRecord first = require(idOrName);
        synchronized (lifecycleLock(first.id())) {
            // again under the lock: the release of its last exit may just have finished
            ContainerState.ContainerRecord container = require(first.id());
            if (container.running()) {
                return false;
            }
            if (!released.remove(container.id()) && !container.startedAt().startsWith("0001")) {
                // its last exit is not released yet (a restart right after the stop won the lock): release it now
                releaseRuntime(container.id());
            }
            try {
                new ContainerStarter(this, mapper).start(container, config(container), context);
            } catch (RuntimeException e) {
                ended(container.id());
                throw e;
            }
            // a short-lived process may have ended before ContainerStarted was recorded: its exit file
            // already exists and the watcher will not be woken again, so look now
            checkExit(container.id());
            if (health != null) {
                find(container.id()).ifPresent(health::watch);
            }
        }
        return true;
    }

    private Object lifecycleLock(String id) {
        return lifecycleLocks.computeIfAbsent(id, k -> new Object());
    }

    Journal journal() {
        return journal;
    }

    Attachments attachments() {
        return attachments;
    }

    /** The stdio of each container a client is attached to now (resizing goes through it). */
    private final Map<String, io.berth.spi.runtime.StdioStreams> attached = new ConcurrentHashMap<>();

    void attached(String id, io.berth.spi.runtime.StdioStreams stdio) {
        attached.put(id, stdio);
    }

    void detached(String id, io.berth.spi.runtime.StdioStreams stdio) {
        attached.remove(id, stdio);
    }

    /** Resizes the terminal of an attached container through the client's own attachment. */
    public void resize(String idOrName, int rows, int columns) {
        ContainerState.ContainerRecord container = require(idOrName);
        io.berth.spi.runtime.StdioStreams stdio = attached.get(container.id());
        if (stdio == null) {
            throw ContainerException.conflict("container " + container.name() + " has no attached terminal to resize");
        }
        try {
            stdio.resize(rows, columns);
        } catch (ContainerRuntimeException e) {
            throw ContainerException.internal("cannot resize the terminal of " + container.name() + ": " + e.getMessage());
        }
    }

    /**
     * The stdio of a container: of the running process, or, for one that is not running, of the
     * process the next start creates (the caller then starts it; nothing it prints is lost).
     */
    public java.util.concurrent.CompletableFuture<io.berth.spi.runtime.StdioStreams> attach(String idOrName) {
        ContainerState.ContainerRecord container = require(idOrName);
        if (container.running()) {
            try {
                return java.util.concurrent.CompletableFuture.completedFuture(runtime().attach(container.id()));
            } catch (ContainerRuntimeException e) {
                throw ContainerException.internal("cannot attach to " + container.name() + ": " + e.getMessage());
            }
        }
        return attachments.await(container.id());
    }

    ImageService images() {
        return images;
    }

    VolumeService volumes() {
        return volumes;
    }

    Path exitDir() {
        return exitDir;
    }

    void expectExit(String id) {
        exits.put(id, new CountDownLatch(1));
    }

    /** A task that reads or writes a container's filesystem through a root that keeps it inside. */
    @FunctionalInterface
    public interface ViewTask<T> {
        T run(SafeRoot root) throws IOException;
    }

    /**
     * Runs {@code task} on the container's filesystem as its processes see it ({@link ContainerView}): a
     * running container's own mount tree; else its root filesystem with its volumes and binds, mounted for
     * the time of the task (and prepared first for a container never started: Docker lets cp fill a created
     * container). A stopped container is held under its lifecycle lock meanwhile, so no start changes it.
     */
    public <T> T withView(String idOrName, ViewTask<T> task) throws IOException {
        ContainerState.ContainerRecord container = require(idOrName);
        if (container.running() && container.pid() > 0) {
            ContainerView view = ContainerView.running(container.pid());
            SafeRoot root = null;
            try {
                root = SafeRoot.open(view.root(), SafeRoot.Symlinks.FOLLOW_IN_ROOT);
            } catch (SafeFsException e) {
                // it ended meanwhile: reached below as a stopped container
            }
            if (root != null) {
                try (SafeRoot opened = root) {
                    if (ContainerView.belongsTo(container.pid(), container.id())) {
                        return ContainerFiles.answering(task, opened);
                    }
                }
            }
        }
        synchronized (lifecycleLock(container.id())) {
            ContainerState.ContainerRecord now = require(container.id());
            if (now.running()) {
                throw ContainerException.conflict("container " + now.name() + " started during the copy: try again");
            }
            StorageDriver storage = storage();
            boolean mountedHere = false;
            try {
                if (storage.snapshot(now.id()).isEmpty()) {
                    ImageService.Image image = images.find(now.imageId()).orElseThrow(() ->
                            ContainerException.notFound("No such image: " + now.imageId() + " (container " + now.name() + ")"));
                    var layers = image.description().layers();
                    storage.prepare(now.id(), layers.isEmpty() ? null : layers.getLast().chainId());
                }
                var snapshot = storage.snapshot(now.id()).orElseThrow(() ->
                        ContainerException.internal("container " + now.name() + " has no filesystem"));
                Path rootfs = snapshot.rootfs();
                if (!snapshot.mounted()) {
                    rootfs = storage.mount(now.id()).target();
                    mountedHere = true;
                }
                try (ContainerView view = ContainerView.assemble(rootfs, copyMounts(now));
                     SafeRoot root = SafeRoot.open(view.root(), SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
                    return ContainerFiles.answering(task, root);
                }
            } catch (StorageException e) {
                throw ContainerException.internal("cannot reach the filesystem of " + now.name() + ": " + e.getMessage());
            } finally {
                if (mountedHere) {
                    try {
                        storage.unmount(now.id());
                    } catch (StorageException e) {
                        LOG.log(System.Logger.Level.WARNING, "unmount of " + now.id() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Docker's {@code diff}: what the container changed in its image's filesystem, as
     * {@code [{Path, Kind}]} with Kind 0 modified, 1 added, 2 deleted. Read from the storage driver's
     * diff of the writable layer; whether a path is new is checked against a read-only view of the image.
     */
    public List<Map<String, Object>> changes(String idOrName) throws IOException {
        ContainerState.ContainerRecord container = require(idOrName);
        StorageDriver storage = storage();
        try {
            if (storage.snapshot(container.id()).isEmpty()) {
                return List.of();
            }
        } catch (StorageException e) {
            throw ContainerException.internal("cannot read the changes of " + container.name() + ": " + e.getMessage());
        }
        ImageService.Image image = images.find(container.imageId()).orElseThrow(() -> ContainerException.notFound("No such image: " + container.imageId()));
        var layers = image.description().layers();
        String view = "changes-" + container.id().substring(0, 12) + "-" + Long.toHexString(System.nanoTime());
        List<Map<String, Object>> changes = new ArrayList<>();
        try {
            storage.prepare(view, layers.isEmpty() ? null : layers.getLast().chainId());
            Path lower = storage.mount(view).target();
            // the driver's diff tar is read as the driver writes it, through a pipe: only headers are kept,
            // file contents pass by (a container may have written gigabytes; they were buffered whole before)
            java.io.PipedInputStream piped = new java.io.PipedInputStream(1 << 20);
            java.io.PipedOutputStream into = new java.io.PipedOutputStream(piped);
            Exception[] diffFailure = {null};
            Thread writer = Thread.ofVirtual().name("changes-" + container.id().substring(0, 12)).start(() -> {
                try (into) {
                    storage.diff(container.id(), into);
                } catch (IOException | RuntimeException e) {
                    diffFailure[0] = e;
                }
            });
            try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(skippingInBlocks(piped))) {
                org.apache.commons.compress.archivers.tar.TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    String name = entry.getName().replaceAll("/+$", "");
                    if (name.isEmpty() || name.endsWith(".wh..wh..opq")) {
                        continue;
                    }
                    int slash = name.lastIndexOf('/');
                    String file = name.substring(slash + 1);
                    if (file.startsWith(".wh.")) {
                        changes.add(Map.of("Path", "/" + name.substring(0, slash + 1) + file.substring(4), "Kind", 2));
                    } else {
                        boolean existed = Files.exists(lower.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS);
                        changes.add(Map.of("Path", "/" + name, "Kind", existed ? 0 : 1));
                    }
                }
                piped.transferTo(java.io.OutputStream.nullOutputStream()); // the padding after the end marker: let the writer finish
            } finally {
                piped.close(); // a writer still writing (the read failed) gets an error instead of waiting
                joinUninterruptibly(writer);
            }
            if (diffFailure[0] != null) {
                throw ContainerException.internal("cannot read the changes of " + container.name() + ": " + diffFailure[0].getMessage());
            }
        } catch (StorageException e) {
            throw ContainerException.internal("cannot compare " + container.name() + " with its image: " + e.getMessage());
        } finally {
            try {
                storage.removeSnapshot(view);
            } catch (StorageException e) {
                LOG.log(System.Logger.Level.WARNING, "temporary snapshot " + view + " left: " + e.getMessage());
            }
        }
        return changes;
    }

    /** Skips by reading 64 KiB at a time (InputStream's own skip reads 2 KiB per call, slow through a pipe). */
    private static java.io.InputStream skippingInBlocks(java.io.InputStream in) {
        return new java.io.FilterInputStream(in) {
            private final byte[] scratch = new byte[1 << 16];

            @Override
            public long skip(long n) throws IOException {
                long skipped = 0;
                while (skipped < n) {
                    int read = in.read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                    if (read < 0) {
                        break;
                    }
                    skipped += read;
                }
                return skipped;
            }
        };
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- exits

    /** Looks for containers the projection thinks run but whose monitor wrote an exit file. */
    void checkExits() {
        for (ContainerState.ContainerRecord container : list()) {
            checkExit(container);
        }
    }

    /** {@link #checkExits()} for one container. */
    private void checkExit(String id) {
        find(id).ifPresent(this::checkExit);
    }

    private void checkExit(ContainerState.ContainerRecord container) {
        if (!container.running()) {
            return;
        }
        Optional<ExitStatus> exit;
        try {
            exit = runtime().exitStatus(container.id());
        } catch (ContainerRuntimeException | RuntimeException e) {
            return;
        }
        exit.ifPresent(status -> exited(container, status, false));
    }

    private void exited(ContainerState.ContainerRecord container, ExitStatus status, boolean whileDown) {
        synchronized (this) {
            ContainerState.ContainerRecord now = find(container.id()).orElse(null);
            if (now == null || !now.running()) {
                return;
            }
            journal.record(RequestContext.daemon(), new ContainerEvent.ContainerExited(container.id(), status.code(), status.signal(),
                    status.oomKilled(), status.exitedAt().toString(), whileDown));
            lastExit.put(container.id(), status.code());
        }
        // waiters learn of the exit at once; freeing runc's state and the mount follows on another
        // thread, so neither the start that found the exit nor the exit watcher waits for it
        CountDownLatch latch = exits.remove(container.id());
        if (latch != null) {
            latch.countDown();
        }
        ended(container.id());
        if (health != null) {
            health.stop(container.id());
        }
        Thread.ofVirtual().name("berth-exited-" + container.id().substring(0, 12)).start(() -> {
            synchronized (lifecycleLock(container.id())) {
                if (find(container.id()).map(c -> c.running()).orElse(true)) {
                    return; // removed, or started again, before this ran
                }
                releaseRuntime(container.id());
                released.add(container.id());
            }
            afterExit(container.id());
        });
    }

    /**
     * A daemon killed between mounting a rootfs and {@code ContainerStarted}, or during a build's RUN,
     * leaves a runtime container (created or stopped, its monitor and cgroups) and a mount that no
     * running container owns: freed here, at start-up, before the API serves. Writable layers stay.
     */
    private void releaseOrphans() {
        java.util.Set<String> running = new java.util.HashSet<>();
        for (ContainerState.ContainerRecord container : list()) {
            if (container.running()) {
                running.add(container.id());
            }
        }
        try {
            for (String id : runtime().list()) {
                if (!running.contains(id)) {
                    synchronized (lifecycleLock(id)) {
                        LOG.log(System.Logger.Level.INFO, "freeing runtime container " + id + ", which no running container owns");
                        releaseRuntime(id);
                    }
                }
            }
            for (io.berth.spi.storage.Snapshot snapshot : storage().listSnapshots()) {
                if (snapshot.mounted() && !running.contains(snapshot.key()) && find(snapshot.key()).isPresent()) {
                    synchronized (lifecycleLock(snapshot.key())) {
                        storage().unmount(snapshot.key());
                    }
                }
            }
        } catch (ContainerRuntimeException | StorageException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot free what an interrupted start left: " + e.getMessage());
        }
    }

    /** Frees runc's state and the rootfs mount of a container that has exited; its writable layer stays. */
    private void releaseRuntime(String id) {
        // the network teardown (netavark, the slowest part) runs beside runc's delete and the unmount: they share nothing
        Thread teardown = Thread.ofVirtual().name("berth-net-teardown-" + id.substring(0, Math.min(12, id.length()))).start(() -> {
            try {
                networks.disconnect(id, RequestContext.daemon());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "network teardown of " + id + ": " + e.getMessage());
            }
        });
        try {
            releaseRuntimeOnly(id);
        } finally {
            joinUninterruptibly(teardown);
        }
    }

    private void releaseRuntimeOnly(String id) {
        try {
            runtime().delete(id, true);
        } catch (ContainerRuntimeException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "runtime delete of " + id + ": " + e.getMessage());
        }
        try {
            storage().unmount(id);
        } catch (StorageException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "unmount of " + id + ": " + e.getMessage());
        }
    }

    /** Auto-remove and restart policies. */
    private void afterExit(String id) {
        Optional<ContainerState.ContainerRecord> found = find(id);
        if (found.isEmpty()) {
            return;
        }
        ContainerState.ContainerRecord container = found.get();
        JsonNode host = config(container).path("HostConfig");
        if (host.path("AutoRemove").asBoolean(false)) {
            try {
                remove(id, true, false, RequestContext.daemon());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "auto-remove of " + id + " failed: " + e.getMessage());
            }
            return;
        }
        if (stopping.contains(id) || container.stoppedByUser()) {
            return;
        }
        String policy = host.path("RestartPolicy").path("Name").asText("no");
        int maxRetries = host.path("RestartPolicy").path("MaximumRetryCount").asInt(0);
        boolean restart = switch (policy) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> container.exitCode() != 0 && (maxRetries <= 0 || container.restartCount() < maxRetries);
            default -> false;
        };
        if (restart) {
            Thread.ofVirtual().name("berth-restart-" + id.substring(0, 12)).start(() -> {
                try {
                    // Docker backs off from 100 ms, doubling; a first restart waits the minimum
                    Thread.sleep(Math.min(100L << Math.min(container.restartCount(), 10), 60_000));
                    start(id, RequestContext.daemon());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "restart of " + id + " failed: " + e.getMessage());
                }
            });
        }
    }

    // ---- stop, kill, wait

    /** Sends the container's stop signal, waits {@code timeout} seconds, then SIGKILL. */
    public boolean stop(String idOrName, Integer timeoutSeconds, String signalOverride, RequestContext context) {
        ContainerState.ContainerRecord container = require(idOrName);
        if (!container.running()) {
            return false;
        }
        JsonNode config = config(container).path("Config");
        String signalName = signalOverride != null && !signalOverride.isBlank() ? signalOverride
                : config.path("StopSignal").asText("SIGTERM");
        int timeout = timeoutSeconds != null ? timeoutSeconds : config.path("StopTimeout").asInt(10);
        stopping.add(container.id());
        boolean exited;
        try {
            signal(container, parseSignal(signalName), context);
            exited = awaitExit(container.id(), timeout < 0 ? Duration.ofDays(365) : Duration.ofSeconds(timeout));
            if (!exited) {
                signal(container, 9, context);
                exited = awaitExit(container.id(), Duration.ofSeconds(10));
            }
        } finally {
            stopping.remove(container.id());
        }
        if (exited && find(container.id()).isPresent()) {
            journal.record(context, new ContainerEvent.ContainerStopped(container.id())); // Docker's stop, after its die
        }
        return true;
    }

    public void kill(String idOrName, String signalName, RequestContext context) {
        ContainerState.ContainerRecord container = require(idOrName);
        if (!container.running()) {
            throw ContainerException.conflict("Cannot kill container: " + idOrName + ": Container " + container.id() + " is not running");
        }
        signal(container, parseSignal(signalName == null || signalName.isBlank() ? "SIGKILL" : signalName), context);
    }

    private static int parseSignal(String name) {
        try {
            return Signals.parse(name);
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
    }

    private void signal(ContainerState.ContainerRecord container, int signal, RequestContext context) {
        journal.record(context, new ContainerEvent.ContainerKilled(container.id(), signal));
        try {
            runtime().kill(container.id(), signal);
        } catch (ContainerRuntimeException e) {
            // it may have exited in between: the exit watcher records that
            LOG.log(System.Logger.Level.DEBUG, "kill " + container.id() + ": " + e.getMessage());
        }
        if (find(container.id()).map(c -> c.paused()).orElse(false)) {
            // a frozen process receives the signal only once thawed; Docker thaws a paused container it signals too
            try {
                runtime().resume(container.id());
                journal.record(context, new ContainerEvent.ContainerUnpaused(container.id()));
            } catch (ContainerRuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "resume of " + container.id() + " after a signal: " + e.getMessage());
            }
        }
        checkExit(container.id());
    }

    /** Waits until the container is not running; true when it stopped within {@code timeout}. */
    public boolean awaitExit(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ContainerState.ContainerRecord> now = find(id);
            if (now.isEmpty() || !now.get().running()) {
                return true;
            }
            CountDownLatch latch = exits.computeIfAbsent(id, k -> new CountDownLatch(1));
            try {
                latch.await(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            checkExit(id);
        }
        return find(id).map(c -> !c.running()).orElse(true);
    }

    /** Docker's wait conditions: {@code not-running} (the default), {@code next-exit}, {@code removed}. */
    public static String waitCondition(String condition) {
        String c = condition == null || condition.isEmpty() ? "not-running" : condition;
        if (!c.equals("not-running") && !c.equals("next-exit") && !c.equals("removed")) {
            throw ContainerException.invalid("invalid condition: \"" + condition + "\": use not-running, next-exit or removed");
        }
        return c;
    }

    /**
     * Docker's wait: blocks until the condition holds and gives the container's exit code.
     * {@code not-running}: at once if it is not running, else at its exit; {@code next-exit}: at its
     * next exit, also for a container not started yet (Docker's CLI waits so before it starts one);
     * {@code removed}: once it is removed.
     */
    public int await(String idOrName, String condition) {
        ContainerState.ContainerRecord container = require(idOrName);
        String id = container.id();
        switch (waitCondition(condition)) {
            case "next-exit" -> {
                int before = endings.getOrDefault(id, 0);
                awaitChange(() -> endings.getOrDefault(id, 0) != before || find(id).isEmpty());
            }
            case "removed" -> awaitChange(() -> find(id).isEmpty());
            default -> {
                if (container.running()) {
                    awaitExit(id, Duration.ofDays(365));
                }
            }
        }
        return find(id).map(c -> c.exitCode()).orElseGet(() -> lastExitCode(id));
    }

    private void ended(String id) {
        endings.merge(id, 1, Integer::sum);
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    private void awaitChange(java.util.function.BooleanSupplier done) {
        synchronized (changes) {
            while (!done.getAsBoolean()) {
                try {
                    // notified on every exit and removal; the timeout only bounds a missed notification
                    changes.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A removed container's last exit code, from its last ContainerExited event. */
    private int lastExitCode(String id) {
        return lastExit.getOrDefault(id, 0);
    }

    public void restart(String idOrName, Integer timeout, RequestContext context) {
        stop(idOrName, timeout, null, context);
        start(idOrName, context);
    }

    // ---- remove, rename, prune

    public void remove(String idOrName, boolean force, boolean removeVolumes, RequestContext context) {
        ContainerState.ContainerRecord first = require(idOrName);
        if (first.running()) {
            if (!force) {
                throw ContainerException.conflict("You cannot remove a running container " + first.id()
                        + ". Stop the container before attempting removal or force remove");
            }
            stopping.add(first.id());
            try {
                signal(first, 9, context);
                awaitExit(first.id(), Duration.ofSeconds(10));
            } finally {
                stopping.remove(first.id());
            }
        }
        synchronized (lifecycleLock(first.id())) {
            ContainerState.ContainerRecord container = require(first.id());
            removeLocked(container, force, removeVolumes, context);
        }
        lifecycleLocks.remove(first.id());
        endings.remove(first.id());
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    private void removeLocked(ContainerState.ContainerRecord container, boolean force, boolean removeVolumes, RequestContext context) {
        if (container.running()) {
            if (!force) {
                throw ContainerException.conflict("You cannot remove a running container " + container.id()
                        + ". Stop the container before attempting removal or force remove");
            }
            stopping.add(container.id());
            try {
                signal(container, 9, context);
                awaitExit(container.id(), Duration.ofSeconds(10));
            } finally {
                stopping.remove(container.id());
            }
        }
        if (!released.remove(container.id())) {
            releaseRuntime(container.id());
        }
        try {
            if (storage().snapshot(container.id()).isPresent()) {
                storage().removeSnapshot(container.id());
            }
        } catch (StorageException e) {
            throw ContainerException.internal("cannot remove the writable layer of " + container.id() + ": " + e.getMessage());
        }
        List<String> anonymous = new ArrayList<>();
        for (JsonNode mount : mountsOf(container)) {
            String volume = mount.path("Name").asText("");
            boolean isAnonymous = volumes.find(volume).map(v -> v.anonymous).orElse(false);
            if (removeVolumes && isAnonymous) {
                anonymous.add(volume);
            }
        }
        VolumeService.deleteTree(bundle(container.id()));
        try {
            Files.deleteIfExists(exitDir.resolve(container.id()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "exit file of " + container.id() + ": " + e.getMessage());
        }
        journal.record(context, new ContainerEvent.ContainerRemoved(container.id(), anonymous));
        if (health != null) {
            health.forget(container.id());
        }
        for (String volume : anonymous) {
            try {
                volumes.remove(volume, false, context);
            } catch (VolumeException e) {
                LOG.log(System.Logger.Level.WARNING, "volume " + volume + " kept: " + e.getMessage());
            }
        }
    }

    public void rename(String idOrName, String newName, RequestContext context) {
        ContainerState.ContainerRecord container = require(idOrName);
        String name;
        try {
            name = ContainerNames.validate(newName);
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
        synchronized (this) {
            Optional<ContainerState.ContainerRecord> holder = find(name);
            if (holder.isPresent() && holder.get().name().equals(name)) {
                throw ContainerException.conflict("Conflict. The container name \"/" + name + "\" is already in use by container \""
                        + holder.get().id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
            }
            journal.record(context, new ContainerEvent.ContainerRenamed(container.id(), container.name(), name));
        }
    }

    public Map<String, Object> prune(RequestContext context) {
        return prune(c -> true, context);
    }

    /** Removes the containers that are not running and pass {@code filter} (labels, until). */
    public Map<String, Object> prune(java.util.function.Predicate<ContainerState.ContainerRecord> filter, RequestContext context) {
        List<String> deleted = new ArrayList<>();
        for (ContainerState.ContainerRecord container : list()) {
            if (!container.running() && filter.test(container)) {
                remove(container.id(), false, false, context);
                deleted.add(container.id());
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ContainersDeleted", deleted);
        answer.put("SpaceReclaimed", 0);
        return answer;
    }

    /**
     * Docker's checks before a copy into a container: a destination inside a read-only volume or bind is
     * refused ("mounted volume is marked read-only"), and one outside every volume and bind of a container
     * with a read-only root filesystem ("container rootfs is marked read-only"), whether it runs or not.
     *
     * @param resolved the destination directory, resolved inside the container's view
     */
    void checkCopyTarget(String idOrName, String resolved) {
        ContainerState.ContainerRecord container = require(idOrName);
        JsonNode best = null;
        int bestLength = -1;
        for (JsonNode m : copyMounts(container)) {
            String type = m.path("Type").asText("");
            String destination = ContainerPaths.clean(m.path("Destination").asText("/"));
            boolean inside = resolved.equals(destination) || resolved.startsWith(destination.equals("/") ? "/" : destination + "/");
            if ((type.equals("volume") || type.equals("bind")) && inside && destination.length() > bestLength) {
                best = m;
                bestLength = destination.length();
            }
        }
        if (best != null) {
            if (!best.path("RW").asBoolean(true)) {
                throw ContainerException.invalid("mounted volume is marked read-only: " + best.path("Destination").asText());
            }
            return;
        }
        if (config(container).path("HostConfig").path("ReadonlyRootfs").asBoolean(false)) {
            throw ContainerException.invalid("container rootfs is marked read-only");
        }
    }

    /**
     * The volumes and binds a copy sees in a container that is not running: those of its last start, or for
     * one never started, the binds and the named volumes that already exist among those it asks for (the
     * others are made at its first start), in the shape of its {@code Mounts}.
     */
    JsonNode copyMounts(ContainerState.ContainerRecord container) {
        if (Files.exists(bundle(container.id()).resolve("mounts.json"))) {
            return mountsOf(container);
        }
        var planned = mapper.createArrayNode();
        JsonNode host = config(container).path("HostConfig");
        for (JsonNode bindNode : host.path("Binds")) {
            BindSpec bind;
            try {
                bind = BindSpec.parse(bindNode.asText());
            } catch (IllegalArgumentException e) {
                continue;
            }
            String source = bind.volume() ? volumes.find(bind.source()).map(v -> v.mountpoint).orElse(null) : bind.source();
            plan(planned, source, bind.destination(), !bind.readOnly());
        }
        for (JsonNode mount : host.path("Mounts")) {
            String type = mount.path("Type").asText("volume");
            String source = mount.path("Source").asText("");
            if (type.equals("volume")) {
                source = source.isEmpty() ? null : volumes.find(source).map(v -> v.mountpoint).orElse(null);
            } else if (!type.equals("bind")) {
                continue;
            }
            plan(planned, source, mount.path("Target").asText(""), !mount.path("ReadOnly").asBoolean(false));
        }
        return planned;
    }

    private static void plan(com.fasterxml.jackson.databind.node.ArrayNode planned, String source, String destination, boolean rw) {
        if (source == null || source.isEmpty() || destination.isEmpty()) {
            return;
        }
        ObjectNode m = planned.addObject();
        m.put("Type", "bind");
        m.put("Source", source);
        m.put("Destination", destination);
        m.put("RW", rw);
    }

    /** The mounts a container was started with (written into its bundle by the starter). */
    JsonNode mountsOf(ContainerState.ContainerRecord container) {
        Path file = bundle(container.id()).resolve("mounts.json");
        try {
            return Files.exists(file) ? mapper.readTree(file.toFile()) : mapper.createArrayNode();
        } catch (IOException e) {
            return mapper.createArrayNode();
        }
    }

    private boolean usesVolume(ContainerState.ContainerRecord container, String volume) {
        for (JsonNode mount : mountsOf(container)) {
            if (volume.equals(mount.path("Name").asText(""))) {
                return true;
            }
        }
        return false;
    }

    // ---- daemon start and stop

    /**
     * At daemon start: every container the log says runs is checked against the runtime. One
     * still running is watched again; one that ended while the daemon was down gets its
     * {@code ContainerExited} with the exit code its monitor wrote.
     */
    public void reconcile() {
        for (ContainerState.ContainerRecord container : list()) {
            if (!container.running()) {
                continue;
            }
            try {
                Optional<io.berth.spi.runtime.ContainerState> state = runtime().state(container.id());
                Optional<ExitStatus> exit = runtime().exitStatus(container.id());
                if (exit.isPresent()) {
                    exited(container, exit.get(), true);
                } else if (state.isEmpty() || state.get().status() == Status.STOPPED) {
                    // neither running nor an exit file: the monitor is gone too (host reboot); record what is known
                    exited(container, new ExitStatus(255, 0, false, Instant.now()), true);
                }
            } catch (ContainerRuntimeException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot reconcile container " + container.id() + ": " + e.getMessage());
            }
        }
        releaseOrphans();
        watcher.start();
        if (health != null) {
            // health checks resume where they were: the verdict and streak are the log's
            list().forEach(health::watch);
        }
        // restart policies that apply across a daemon restart
        for (ContainerState.ContainerRecord container : list()) {
            if (container.running() || container.stoppedByUser()) {
                continue;
            }
            String policy = config(container).path("HostConfig").path("RestartPolicy").path("Name").asText("no");
            if (policy.equals("always") || policy.equals("unless-stopped") && !container.stoppedByUser()) {
                if (!container.startedAt().startsWith("0001")) {
                    try {
                        start(container.id(), RequestContext.daemon());
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "restart of " + container.id() + " failed: " + e.getMessage());
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        watcher.close();
        if (health != null) {
            health.close();
        }
    }
}
