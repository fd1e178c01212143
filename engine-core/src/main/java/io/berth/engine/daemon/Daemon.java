package io.berth.engine.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.BerthVersion;
import io.berth.engine.api.ApiHandler;
import io.berth.engine.api.ApiServer;
import io.berth.engine.build.BuildEndpoints;
import io.berth.engine.build.BuildProjection;
import io.berth.engine.build.BuildService;
import io.berth.engine.container.ContainerCommit;
import io.berth.engine.container.ContainerEndpoints;
import io.berth.engine.container.ContainerProjection;
import io.berth.engine.container.ContainerResources;
import io.berth.engine.container.ContainerService;
import io.berth.engine.container.ContainerState;
import io.berth.engine.container.DiskUsage;
import io.berth.engine.container.ExecService;
import io.berth.engine.container.VolumeService;
import io.berth.engine.content.ContentStore;
import io.berth.engine.events.DockerEventShape;
import io.berth.engine.events.EventsEndpoints;
import io.berth.engine.history.Compaction;
import io.berth.engine.history.HistoryEndpoints;
import io.berth.engine.history.TimeTravel;
import io.berth.engine.image.ImageEndpoints;
import io.berth.engine.image.ImageProjection;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.network.NetworkEndpoints;
import io.berth.engine.network.NetworkProjection;
import io.berth.engine.network.NetworkService;
import io.berth.engine.plugins.PluginHost;
import io.berth.engine.projection.Projection;
import io.berth.engine.projection.ProjectionRecovery;
import io.berth.engine.projection.Projections;
import io.berth.engine.projection.SnapshotStore;
import io.berth.engine.system.SystemProjection;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.EventLogException;
import io.berth.eventlog.OpenReport;
import io.berth.eventlog.Upcasters;
import io.berth.eventlog.events.DaemonEvent;
import io.berth.eventlog.kafka.KafkaMirror;
import io.berth.eventlog.kafka.MirrorStatus;
import java.nio.file.Path;
import java.util.List;

/**
 * The berth daemon: owns the event log (its only writer), the projections, the plugins and the API
 * socket. {@link #start} brings them up in dependency order and records {@code DaemonStarted};
 * {@link #stop} records {@code DaemonStopped}, snapshots the projections and releases everything.
 */
public final class Daemon {
    private static final System.Logger LOG = System.getLogger("berth.daemon");

    private final DaemonOptions options;
    private final ObjectMapper mapper = new ObjectMapper();
    private EventLog log;
    private Journal journal;
    private PluginHost plugins;
    private EventsEndpoints events;
    private ApiServer server;
    private ApiHandler handler;
    private volatile Exception apiFailure;
    private volatile long servedAt;
    private ImageService images;
    private ContainerService containers;
    private PidFile pidFile;
    private KafkaMirror mirror;
    private boolean stopped;
    /** The listener that answered {@code /_ping} before Jetty served ({@link EarlyResponder}); {@code null} without one. */
    private EarlyResponder early;

    public Daemon(DaemonOptions options) {
        this.options = options;
    }

    /**
     * Starts behind {@code responder}, already bound on the public socket: Jetty serves a private socket beside it,
     * then takes the public path over, and the requests the responder held are relayed to it.
     */
    public Daemon withEarlyResponder(EarlyResponder responder) {
        this.early = responder;
        return this;
    }

    /** All projections the engine keeps, in fold order. */
    public static List<Projection<?>> projections() {
        return List.of(SystemProjection.INSTANCE, ImageProjection.INSTANCE, ContainerProjection.INSTANCE,
                BuildProjection.INSTANCE, NetworkProjection.INSTANCE);
    }

    public synchronized void start() {
        try {
            holdForTests();
            startServing();
        } catch (StartupException e) {
            failEarly(e.getMessage());
            throw e;
        } catch (RuntimeException | Error e) {
            failEarly(String.valueOf(e.getMessage()));
            // unforeseen, after the socket may already be served: waiting requests get the reason, and the
            // API's threads stop so that the process can exit
            if (handler != null) {
                handler.failedToStart(String.valueOf(e.getMessage()));
                awaitRefusals();
                stop("failed start");
            }
            throw e;
        }
    }

    /** Requests the early responder holds get 503 with {@code reason}, and its socket goes. */
    private void failEarly(String reason) {
        if (early != null) {
            early.fail(reason);
        }
    }

    /**
     * A test hook: with {@code -Dberth.daemon.holdStartUntil=FILE} the start waits until FILE exists, so that a test
     * sees what a starting daemon answers while only its early responder serves.
     */
    private static void holdForTests() {
        String file = System.getProperty("berth.daemon.holdStartUntil");
        if (file == null) {
            return;
        }
        Path release = Path.of(file);
        while (!java.nio.file.Files.exists(release)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void startServing() {
        long t0 = System.nanoTime();
        HostPaths.requireWritableDirectory(options.root(), "root directory");
        HostPaths.restrictModes(options.root(), options.snapshotDirectory());
        pidFile = new PidFile(options.pidFile());
        pidFile.claim();
        // behind an early responder, Jetty binds a private socket and takes the public path over once it serves
        Path jettySocket = early == null ? options.socket() : early.privateSocket();
        HostPaths.claimSocketPath(jettySocket);
        // The API serves /_ping and /version at once, while the log opens: a client (the CLI that auto-started
        // this daemon) knows it is coming up, and its next request waits for the other routes instead of
        // failing (ApiHandler.startingUp). Jetty starts on its own thread, beside the log's opening.
        handler = new ApiHandler(mapper, "berth/" + BerthVersion.version()).startingUp()
                .route("GET", "/_ping", SystemEndpoints::ping)
                .route("GET", "/version", SystemEndpoints::version);
        server = new ApiServer(jettySocket, handler);
        Thread apiStarting = Thread.ofPlatform().name("berth-api-start").start(this::serveEarly);
        // plugins load while the log opens (each takes most of a second in a cold JVM); their events follow
        // DaemonStarted. They start once the socket is served: on two busy cores three threads at once made
        // /_ping later, and the log's opening, not the plugins, is what the other requests wait for.
        plugins = new PluginHost(options.pluginDirs(), options.root(), options.pluginOptions());
        Thread pluginLoading = Thread.ofPlatform().name("berth-plugin-loading").start(() -> {
            joinQuietly(apiStarting);
            plugins.load();
        });
        if (!Boolean.getBoolean("berth.daemon.openLogWhileServing")) {
            // On two busy cores the log's opening beside Jetty's start made /_ping ~0.5 s later, and every route
            // later too (docs/PERFORMANCE.md, "Start-up side by side"): the socket first, then the log.
            joinQuietly(apiStarting);
            if (apiFailure != null) {
                // nothing opened yet but the plugins: refuse before the log is touched
                joinQuietly(pluginLoading);
                plugins.close();
                refuse(apiStarting, apiFailure.getMessage());
                throw new StartupException("cannot serve the API on " + options.socket() + ": " + apiFailure.getMessage(), apiFailure);
            }
        }
        try {
            log = ChronicleEventLog.open(options.eventLogDirectory());
        } catch (EventLogException e) {
            joinQuietly(pluginLoading);
            plugins.close();
            refuse(apiStarting, e.getMessage());
            throw new StartupException(e.getMessage(), e);
        }
        if (options.kafkaMirror() != null) {
            try {
                mirror = KafkaMirror.start(log, options.eventLogDirectory(), options.kafkaMirror());
            } catch (RuntimeException e) {
                joinQuietly(pluginLoading);
                plugins.close();
                log.close();
                refuse(apiStarting, e.getMessage());
                throw new StartupException(e.getMessage(), e);
            }
        }
        long tLog = System.nanoTime();
        OpenReport opened = log.openReport();
        if (opened.droppedAnything()) {
            LOG.log(System.Logger.Level.WARNING, "event log: " + opened.detail());
        }

        Projections projections = new Projections(projections());
        SnapshotStore snapshots = new SnapshotStore(options.snapshotDirectory(), mapper);
        ProjectionRecovery.Outcome recovered = ProjectionRecovery.recover(projections, snapshots, log, mapper);
        LOG.log(System.Logger.Level.INFO, "projections at sequence " + projections.lastSequence() + " (snapshot "
                + recovered.snapshotSequence() + " + " + recovered.eventsReplayed() + " events)");
        journal = new Journal(log, projections, snapshots, mapper, options.snapshotEvery());
        long tProjections = System.nanoTime();

        RequestContext self = RequestContext.daemon();
        joinQuietly(pluginLoading);
        if (!plugins.unsafe().isEmpty()) {
            // refused before DaemonStarted: nothing is recorded for a daemon that never served
            plugins.close();
            if (mirror != null) {
                mirror.close();
            }
            log.close();
            refuse(apiStarting, "refusing to start: " + plugins.unsafe().getFirst());
            throw new StartupException("refusing to start: " + plugins.unsafe().getFirst());
        }
        journal.record(self, new DaemonEvent.DaemonStarted(log.hostId(), BerthVersion.version(), ProcessHandle.current().pid(),
                options.root().toString(), options.socket().toString(), opened.droppedAnything() ? opened.detail() : ""));

        joinQuietly(pluginLoading);
        plugins.record(journal, self);
        long tPlugins = System.nanoTime();

        ContentStore content = new ContentStore(options.root().resolve("content"));
        images = new ImageService(journal, content, plugins, mapper, options.parallelDownloads());
        TimeTravel timeTravel = new TimeTravel(journal, snapshots, mapper);
        ImageEndpoints imageApi = new ImageEndpoints(images, mapper).withHistory(timeTravel)
                .withScratch(options.root().resolve("tmp"));
        VolumeService volumes = new VolumeService(journal, options.root());
        containers = new ContainerService(journal, images, volumes, plugins, mapper, options.root());
        String bip = options.pluginOptions().getOrDefault(DaemonMain.NETWORK_PLUGIN, java.util.Map.of()).get("bip");
        String[] bipSubnet = bip == null ? null : DaemonMain.bipSubnet(bip, "bip");
        NetworkService networks = new NetworkService(journal, plugins, mapper,
                bipSubnet == null ? null : bipSubnet[0], bipSubnet == null ? null : bipSubnet[1]);
        containers.setNetworks(networks);
        networks.startUp(self);
        NetworkEndpoints networkApi = new NetworkEndpoints(networks, containers, mapper)
                .withHistory(timeTravel);
        ExecService execs = new ExecService(containers, mapper);
        containers.runHealthChecksWith(execs); // probes run as execs do
        ContainerEndpoints containerApi = new ContainerEndpoints(containers, volumes, mapper)
                .withExecs(execs)
                .withResources(new ContainerResources(containers))
                .withCommits(new ContainerCommit(containers, images, mapper, options.root().resolve("tmp")))
                .withHistory(timeTravel);
        HistoryEndpoints history = new HistoryEndpoints(log, mapper,
                new Compaction(journal, snapshots, mapper, timeTravel,
                        () -> mirror == null ? Long.MAX_VALUE : mirror.status().acknowledged()));

        BuildService buildService = new BuildService(journal, images, plugins, mapper,
                options.root(), BuildService.configuredEpoch(System.getenv()))
                .withAddUrlLimits(options.addUrlMaxBytes(), options.addUrlTimeout())
                .withNetworks(networks);
        BuildEndpoints buildApi = new BuildEndpoints(buildService, mapper);
        buildService.recoverInterrupted(self);
        images.setRetainedBlobs(buildService::recordBlobs);

        events = new EventsEndpoints(log, Upcasters.codec(), mapper);
        events.setNameResolver((type, name) -> type.equals("container") || type.equals("subject")
                ? journal.projections().read(ContainerProjection.INSTANCE,
                        state -> List.copyOf(state.nameHistory.getOrDefault(name.startsWith("/") ? name.substring(1) : name, new java.util.TreeSet<>())))
                : List.of());
        events.setLabelResolver(subject -> journal.projections().read(ContainerProjection.INSTANCE, state -> {
            ContainerState.VolumeRecord volume = state.volumes.get(subject);
            if (volume != null) {
                return java.util.Map.<String, String>copyOf(volume.labels);
            }
            ContainerState.ContainerRecord container = state.containers.get(subject);
            if (container == null) {
                return java.util.Map.<String, String>of();
            }
            java.util.Map<String, String> found = new java.util.TreeMap<>();
            try {
                mapper.readTree(container.configJson()).path("Config").path("Labels").fields()
                        .forEachRemaining(f -> found.put(f.getKey(), f.getValue().asText()));
            } catch (java.io.IOException unreadable) {
                // no labels to match
            }
            return found;
        }));
        events.setContainerResolver(id -> journal.projections().read(ContainerProjection.INSTANCE, state -> {
            ContainerState.ContainerRecord container = state.containers.get(id);
            if (container == null) {
                return java.util.Optional.<DockerEventShape.ContainerFacts>empty();
            }
            java.util.Map<String, String> labels = new java.util.TreeMap<>();
            try {
                mapper.readTree(container.configJson()).path("Config").path("Labels").fields()
                        .forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
            } catch (java.io.IOException unreadable) {
                // no labels to show
            }
            return java.util.Optional.of(new DockerEventShape.ContainerFacts(container.name(), container.image(), labels));
        }));
        SystemEndpoints system = new SystemEndpoints(options, journal, plugins).withMirror(this::mirrorStatus);
        handler.route("GET", "/info", system::info)
                .route("GET", "/events", events::docker)
                .route("GET", "/berth/events", events::berth)
                .route("GET", "/berth/plugins", system::pluginList)
                .route("GET", "/berth/metrics", system::metrics)
                .route("GET", "/berth/audit", history::audit)
                .route("POST", "/berth/system/replay", system::replay)
                .route("POST", "/berth/system/compact", history::compact)
                .route("POST", "/berth/system/note", system::note)
                .route("POST", "/auth", imageApi::auth)
                .route("POST", "/images/create", imageApi::create)
                .route("GET", "/images/json", imageApi::list)
                .route("GET", "/images/search", imageApi::search)
                .route("GET", "/distribution/(.+)/json", imageApi::distribution)
                .route("POST", "/build/prune", buildApi::prune)
                .route("GET", "/system/df", new DiskUsage(containers, images, volumes, mapper)::serve)
                .route("POST", "/images/prune", imageApi::prune)
                .route("GET", "/images/(.+)/json", imageApi::inspect)
                .route("GET", "/images/(.+)/history", imageApi::history)
                .route("POST", "/images/(.+)/tag", imageApi::tag)
                .route("POST", "/images/(.+)/push", imageApi::push)
                .route("GET", "/images/get", imageApi::save)
                .route("GET", "/images/(.+)/get", imageApi::save)
                .route("POST", "/images/load", exchange -> imageApi.load(exchange, options.root().resolve("tmp")))
                .route("DELETE", "/images/(.+)", imageApi::delete)
                .route("POST", "/containers/create", containerApi::create)
                .route("GET", "/containers/json", containerApi::list)
                .route("POST", "/containers/prune", containerApi::prune)
                .route("GET", "/containers/([^/]+)/json", containerApi::inspect)
                .route("POST", "/containers/([^/]+)/start", containerApi::start)
                .route("POST", "/containers/([^/]+)/stop", containerApi::stop)
                .route("POST", "/containers/([^/]+)/kill", containerApi::kill)
                .route("POST", "/containers/([^/]+)/restart", containerApi::restart)
                .route("POST", "/containers/([^/]+)/wait", containerApi::await)
                .route("POST", "/containers/([^/]+)/rename", containerApi::rename)
                .route("GET", "/containers/([^/]+)/logs", containerApi::logs)
                .route("DELETE", "/containers/([^/]+)", containerApi::remove)
                .route("POST", "/containers/([^/]+)/exec", containerApi::execCreate)
                .route("POST", "/containers/([^/]+)/attach", containerApi::attach)
                .route("GET", "/containers/([^/]+)/archive", containerApi::archiveGet)
                .route("PUT", "/containers/([^/]+)/archive", containerApi::archivePut)
                .route("GET", "/containers/([^/]+)/top", containerApi::top)
                .route("POST", "/containers/([^/]+)/pause", containerApi::pause)
                .route("POST", "/containers/([^/]+)/unpause", containerApi::unpause)
                .route("POST", "/containers/([^/]+)/update", containerApi::update)
                .route("GET", "/containers/([^/]+)/stats", containerApi::stats)
                .route("GET", "/containers/([^/]+)/export", containerApi::export)
                .route("POST", "/commit", containerApi::commit)
                .route("GET", "/containers/([^/]+)/changes", containerApi::changes)
                .route("POST", "/containers/([^/]+)/resize", containerApi::resize)
                .route("POST", "/exec/([^/]+)/start", containerApi::execStart)
                .route("POST", "/exec/([^/]+)/resize", containerApi::execResize)
                .route("GET", "/exec/([^/]+)/json", containerApi::execInspect)
                .route("POST", "/volumes/create", containerApi::volumeCreate)
                .route("GET", "/volumes", containerApi::volumeList)
                .route("POST", "/volumes/prune", containerApi::volumePrune)
                .route("GET", "/volumes/([^/]+)", containerApi::volumeInspect)
                .route("DELETE", "/volumes/([^/]+)", containerApi::volumeRemove)
                .route("POST", "/networks/create", networkApi::create)
                .route("GET", "/networks", networkApi::list)
                .route("POST", "/networks/prune", networkApi::prune)
                .route("GET", "/networks/([^/]+)", networkApi::inspect)
                .route("DELETE", "/networks/([^/]+)", networkApi::remove)
                .route("POST", "/networks/([^/]+)/connect", networkApi::connect)
                .route("POST", "/networks/([^/]+)/disconnect", networkApi::disconnect)
                .route("POST", "/build", buildApi::build)
                .route("GET", "/berth/builds", buildApi::list)
                .route("GET", "/berth/builds/([^/]+)", buildApi::inspect)
                .route("GET", "/berth/builds/([^/]+)/logs", buildApi::logs)
                .route("POST", "/berth/builds/([^/]+)/replay", buildApi::replay)
                .hijack("POST", "/containers/([^/]+)/attach", containerApi.attachHijack())
                .hijack("POST", "/exec/([^/]+)/start", containerApi.execStartHijack());
        containers.reconcile();
        networks.reconcile(id -> containers.find(id).map(c -> c.running()).orElse(false));
        joinQuietly(apiStarting);
        if (apiFailure != null) {
            handler.failedToStart(apiFailure.getMessage());
            awaitRefusals();
            stop("failed start");
            throw new StartupException("cannot serve the API on " + options.socket() + ": " + apiFailure.getMessage(), apiFailure);
        }
        handler.ready();
        long tEnd = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "berth " + BerthVersion.version() + " listening on " + options.socket()
                + ", root " + options.root() + ", host id " + log.hostId() + String.format(
                        " (started in %d ms: log %d, projections %d, plugins %d, api %d; /_ping answered from %d ms;"
                                + " the process is %d ms old)", (tEnd - t0) / 1_000_000,
                        (tLog - t0) / 1_000_000, (tProjections - tLog) / 1_000_000, (tPlugins - tProjections) / 1_000_000,
                        (tEnd - tPlugins) / 1_000_000, (servedAt - t0) / 1_000_000, ProcessHandle.current().info().startInstant()
                                .map(started -> java.time.Duration.between(started, java.time.Instant.now()).toMillis()).orElse(-1L)));
    }

    /** Starts Jetty on the socket (on its own thread); a failure is kept for {@link #start} to report. */
    private void serveEarly() {
        try {
            server.start();
            if (early != null) {
                server.publishAs(options.socket());
                early.handOver(options.socket());
            }
            servedAt = System.nanoTime();
        } catch (Exception e) {
            apiFailure = e;
        }
    }

    /**
     * A start that fails after the socket may be served: requests waiting for the daemon get the reason,
     * then the socket and the pid file are released.
     */
    private void refuse(Thread apiStarting, String reason) {
        handler.failedToStart(reason);
        joinQuietly(apiStarting);
        awaitRefusals();
        server.close();
        pidFile.release();
    }

    /** After {@code failedToStart}: lets the requests that waited for the start (relayed ones too) get their 503. */
    private void awaitRefusals() {
        if (early != null) {
            early.awaitRelayedAnswers(java.time.Duration.ofSeconds(2));
        }
        handler.awaitRefusals(java.time.Duration.ofSeconds(2));
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops serving, records {@code DaemonStopped}, snapshots projections and closes the log. Idempotent. */
    public synchronized void stop(String reason) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (events != null) {
            events.stop();
        }
        if (early != null) {
            early.close();
        }
        if (server != null) {
            server.close();
        }
        if (journal != null) {
            try {
                journal.record(RequestContext.daemon(), new DaemonEvent.DaemonStopped(log.hostId(), reason));
                journal.snapshot();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not record the stop: " + e.getMessage());
            }
        }
        if (mirror != null) {
            mirror.close(); // after DaemonStopped, so the stop is mirrored too when the brokers answer
        }
        if (containers != null) {
            containers.close();
        }
        if (plugins != null) {
            plugins.close();
        }
        if (log != null) {
            log.close();
        }
        if (pidFile != null) {
            pidFile.release();
        }
        LOG.log(System.Logger.Level.INFO, "berth stopped (" + reason + ")");
    }

    /** The Kafka mirror's state; {@code off} when no brokers are configured. */
    public MirrorStatus mirrorStatus() {
        return mirror != null ? mirror.status() : MirrorStatus.off(log == null ? 0 : log.lastSequence());
    }

    public Journal journal() {
        return journal;
    }

    public ContainerService containers() {
        return containers;
    }

    public ImageService images() {
        return images;
    }

    public PluginHost plugins() {
        return plugins;
    }
}
