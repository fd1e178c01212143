package io.berth.engine.container;

import io.berth.engine.projection.Projections;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.plugins.PluginHost;
import io.berth.spi.ContainerRuntime;
import io.berth.spi.StorageDriver;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.StdioStreams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The container slice's entry point: reads from the container projection, and the verbs, each handed to the part
 * that owns it — {@link ContainerLifecycle} (create, start, stop, kill), {@link ExitSupervisor} (exits, restart
 * policies), {@link ContainerWaits} (wait conditions), {@link ContainerRemoval} (rm, rename, prune),
 * {@link ContainerRootfs} (the filesystem view, changes) and {@link ContainerReconciler} (daemon start). The rules
 * every verb obeys are {@link ContainerDecider}'s; the runtime plugin runs containers (runc + conmon), the storage
 * driver gives each its writable layer, and every change is an event.
 */
public final class ContainerService implements AutoCloseable {
    private final Journal journal;
    private final ImageService images;
    private final VolumeService volumes;
    private final PluginHost plugins;
    private final ObjectMapper mapper;
    private final Path containersDir;
    private final Path exitDir;
    private final ExitWatcher watcher;
    private final Attachments attachments = new Attachments();
    /** The stdio of each container a client is attached to now (resizing goes through it). */
    private final Map<String, StdioStreams> attached = new ConcurrentHashMap<>();
    /** The network slice, wired by the daemon; without it containers have their loopback only. */
    private volatile ContainerNetworks networks = ContainerNetworks.NONE;
    /** The health checks, when the daemon runs them ({@link #runHealthChecksWith}). */
    private volatile HealthMonitors health;

    private final ContainerGuards guards = new ContainerGuards();
    private final ContainerWaits waits;
    private final ExitSupervisor exits;
    private final ContainerLifecycle lifecycle;
    private final ContainerRemoval removal;
    private final ContainerRootfs rootfs;
    private final ContainerReconciler reconciler;

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
        this.waits = new ContainerWaits(this);
        this.exits = new ExitSupervisor(this, guards, waits);
        this.lifecycle = new ContainerLifecycle(this, guards, waits, exits, mapper);
        this.removal = new ContainerRemoval(this, guards, waits);
        this.rootfs = new ContainerRootfs(this, guards, mapper);
        this.reconciler = new ContainerReconciler(this, guards, exits);
        this.watcher = new ExitWatcher(exitDir, exits::checkExits);
        images.setImageInUse(imageId -> list().stream().anyMatch(c -> c.imageId().equals(imageId)));
        volumes.setInUse(name -> list().stream().anyMatch(c -> rootfs.usesVolume(c, name)));
    }

    // ---- wiring

    /** Runs the containers' health checks with {@code execs}; without this call none runs. */
    public void runHealthChecksWith(ExecService execs) {
        this.health = new HealthMonitors(this, execs);
    }

    /** The health monitor of a container's last run, if it has a health check that ran in this daemon. */
    Optional<HealthMonitors.Monitor> healthMonitor(String id) {
        return health == null ? Optional.empty() : health.of(id);
    }

    void healthWatch(String id) {
        if (health != null) {
            find(id).ifPresent(health::watch);
        }
    }

    void healthStopped(String id) {
        if (health != null) {
            health.stop(id);
        }
    }

    void healthForget(String id) {
        if (health != null) {
            health.forget(id);
        }
    }

    /** Connects containers to networks at start and disconnects them at exit and removal. */
    public void setNetworks(ContainerNetworks networks) {
        this.networks = networks;
    }

    public ContainerNetworks networks() {
        return networks;
    }

    /** The live projections (the networks' views read them). */
    public Projections projections() {
        return journal.projections();
    }

    ContainerRuntime runtime() {
        return plugins.first(ContainerRuntime.class).orElseThrow(() -> ContainerException.internal(
                "no container runtime plugin is running (see berth plugin ls)"));
    }

    /** The launch core on the current runtime plugin (shared with a build's RUN). */
    ContainerLauncher launcher() {
        return new ContainerLauncher(runtime(), mapper);
    }

    StorageDriver storage() {
        return images.storage();
    }

    Journal journal() {
        return journal;
    }

    ImageService images() {
        return images;
    }

    VolumeService volumes() {
        return volumes;
    }

    Attachments attachments() {
        return attachments;
    }

    ExitSupervisor exits() {
        return exits;
    }

    ContainerLifecycle lifecycle() {
        return lifecycle;
    }

    ContainerRootfs rootfs() {
        return rootfs;
    }

    Path exitDir() {
        return exitDir;
    }

    public Path logPath(String id) {
        return containersDir.resolve(id).resolve("container.log");
    }

    Path bundle(String id) {
        return containersDir.resolve(id);
    }

    void expectExit(String id) {
        waits.expectExit(id);
    }

    // ---- decisions

    /** {@link ContainerDecider}'s verdict on {@code command} against the log's state now. */
    ContainerDecider.Decision decide(ContainerCommand command) {
        return journal.projections().read(ContainerProjection.INSTANCE, state -> ContainerDecider.decide(command, state));
    }

    /** Records the events of {@code decision}; a refusal is thrown, an unchanged decision records nothing. */
    void record(RequestContext context, ContainerDecider.Decision decision) {
        for (var event : decision.eventsOrThrow()) {
            journal.record(context, event);
        }
    }

    // ---- reads

    public List<ContainerState.ContainerRecord> list() {
        return list(journal.projections());
    }

    /** Every container as {@code view} (the live projections or a past state) has them. */
    public List<ContainerState.ContainerRecord> list(Projections view) {
        return view.read(ContainerProjection.INSTANCE, s -> List.copyOf(s.containers.values()));
    }

    /** By full id, unique id prefix or name (with or without the leading slash). */
    public Optional<ContainerState.ContainerRecord> find(String idOrName) {
        return find(journal.projections(), idOrName);
    }

    /** A container by id, id prefix or name, as {@code view} (the live projections or a past state) has it. */
    public Optional<ContainerState.ContainerRecord> find(Projections view, String idOrName) {
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

    public ContainerState.ContainerRecord require(Projections view, String idOrName) {
        return find(view, idOrName).orElseThrow(() -> ContainerException.notFound("No such container: " + idOrName));
    }

    public JsonNode config(ContainerState.ContainerRecord container) {
        try {
            return mapper.readTree(container.configJson());
        } catch (IOException e) {
            throw ContainerException.internal("configuration of container " + container.id() + " is unreadable");
        }
    }

    // ---- verbs

    /** Creates a container from Docker's create body; gives the new container's id. */
    public String create(JsonNode request, String requestedName, RequestContext context) {
        return lifecycle.create(request, requestedName, context);
    }

    /** The {@code NAME} of network mode {@code container:NAME}, or null for any other mode. */
    static String networkContainer(JsonNode host) {
        return ContainerLifecycle.networkContainer(host);
    }

    /** Starts a created or exited container. Starting a running one is a no-op, as in Docker (304). */
    public boolean start(String idOrName, RequestContext context) {
        return lifecycle.start(idOrName, context);
    }

    /** Sends the container's stop signal, waits {@code timeout} seconds, then SIGKILL. */
    public boolean stop(String idOrName, Integer timeoutSeconds, String signalOverride, RequestContext context) {
        return lifecycle.stop(idOrName, timeoutSeconds, signalOverride, context);
    }

    public void kill(String idOrName, String signalName, RequestContext context) {
        lifecycle.kill(idOrName, signalName, context);
    }

    public void restart(String idOrName, Integer timeout, RequestContext context) {
        lifecycle.restart(idOrName, timeout, context);
    }

    /** Waits until the container is not running; true when it stopped within {@code timeout}. */
    public boolean awaitExit(String id, Duration timeout) {
        return waits.awaitExit(id, timeout);
    }

    /** How many container exits and removals there were so far (a follow of a log compares it before it waits). */
    long changeCount() {
        return waits.changeCount();
    }

    /** Waits at most {@code millis} for a container exit or removal after the {@code seen}-th. */
    void awaitChangeAfter(long seen, long millis) throws InterruptedException {
        waits.awaitChangeAfter(seen, millis);
    }

    /** Docker's wait conditions: {@code not-running} (the default), {@code next-exit}, {@code removed}. */
    public static String waitCondition(String condition) {
        return ContainerWaits.waitCondition(condition);
    }

    /** Docker's wait: blocks until {@code condition} holds and gives the container's exit code. */
    public int await(String idOrName, String condition) {
        return waits.await(idOrName, condition);
    }

    public void remove(String idOrName, boolean force, boolean removeVolumes, RequestContext context) {
        removal.remove(idOrName, force, removeVolumes, context);
    }

    public void rename(String idOrName, String newName, RequestContext context) {
        removal.rename(idOrName, newName, context);
    }

    public Map<String, Object> prune(RequestContext context) {
        return prune(c -> true, context);
    }

    /** Removes the containers that are not running and pass {@code filter} (labels, until). */
    public Map<String, Object> prune(Predicate<ContainerState.ContainerRecord> filter, RequestContext context) {
        return removal.prune(filter, context);
    }

    // ---- stdio

    void attached(String id, StdioStreams stdio) {
        attached.put(id, stdio);
    }

    void detached(String id, StdioStreams stdio) {
        attached.remove(id, stdio);
    }

    /** Resizes the terminal of an attached container through the client's own attachment. */
    public void resize(String idOrName, int rows, int columns) {
        ContainerState.ContainerRecord container = require(idOrName);
        StdioStreams stdio = attached.get(container.id());
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
    public CompletableFuture<StdioStreams> attach(String idOrName) {
        ContainerState.ContainerRecord container = require(idOrName);
        if (container.running()) {
            try {
                return CompletableFuture.completedFuture(runtime().attach(container.id()));
            } catch (ContainerRuntimeException e) {
                throw ContainerException.internal("cannot attach to " + container.name() + ": " + e.getMessage());
            }
        }
        return attachments.await(container.id());
    }

    // ---- filesystem

    /** A task that reads or writes a container's filesystem through a root that keeps it inside. */
    @FunctionalInterface
    public interface ViewTask<T> {
        T run(SafeRoot root) throws IOException;
    }

    /** Runs {@code task} on the container's filesystem as its processes see it ({@link ContainerRootfs#withView}). */
    public <T> T withView(String idOrName, ViewTask<T> task) throws IOException {
        return rootfs.withView(idOrName, task);
    }

    /** Docker's {@code diff}: what the container changed in its image's filesystem ({@link ContainerRootfs#changes}). */
    public List<Map<String, Object>> changes(String idOrName) throws IOException {
        return rootfs.changes(idOrName);
    }

    /** Docker's checks before a copy into a container ({@link ContainerRootfs#checkCopyTarget}). */
    void checkCopyTarget(String idOrName, String resolved) {
        rootfs.checkCopyTarget(idOrName, resolved);
    }

    /** The mounts a container was started with (written into its bundle by the starter). */
    JsonNode mountsOf(ContainerState.ContainerRecord container) {
        return rootfs.mountsOf(container);
    }

    // ---- daemon start and stop

    /**
     * At daemon start: every container the log says runs is checked against the runtime, what an interrupted
     * start left is freed, the exit watcher and health checks start, and restart policies apply.
     */
    public void reconcile() {
        reconciler.reconcile(() -> {
            watcher.start();
            if (health != null) {
                // health checks resume where they were: the verdict and streak are the log's
                list().forEach(health::watch);
            }
        });
    }

    @Override
    public void close() {
        watcher.close();
        if (health != null) {
            health.close();
        }
    }
}
