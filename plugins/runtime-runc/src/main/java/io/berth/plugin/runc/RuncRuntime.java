package io.berth.plugin.runc;

import io.berth.spi.ContainerRuntime;
import io.berth.spi.PluginContext;
import io.berth.spi.Probe;
import io.berth.spi.runtime.ContainerIds;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerSpec;
import io.berth.spi.runtime.ContainerState;
import io.berth.spi.runtime.ExecHandle;
import io.berth.spi.runtime.ExecSpec;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.runtime.ResourceStats;
import io.berth.spi.runtime.ResourceUpdate;
import io.berth.spi.runtime.RuntimeInfo;
import io.berth.spi.runtime.StdioStreams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@link ContainerRuntime} on runc, with one conmon per container as its monitor.
 *
 * <p>Every operation works from files, never from memory, so a new instance (a restarted daemon)
 * sees exactly what the old one did: runc's state under {@code DATA/runc}, conmon's files and the
 * plugin's record under {@code DATA/containers/ID} (see {@link Layout}). Operations:
 * <ul>
 *   <li>create: writes config.json, starts conmon ({@link Conmon}), waits for runc create;</li>
 *   <li>start, kill, state, delete, list: runc's command line ({@link Runc});</li>
 *   <li>exitStatus: conmon's exit file ({@link ExitFile}) and the memory cgroup
 *       ({@link CgroupOom});</li>
 *   <li>attach: conmon's attach socket ({@link AttachSocket});</li>
 *   <li>exec: {@code runc exec} in the foreground ({@link RuncExec}); with a terminal, its master
 *       received over runc's console socket.</li>
 * </ul>
 *
 * <p>Options (all optional):
 * <dl>
 *   <dt>{@code runc}</dt><dd>absolute path of runc; default: the first on {@code PATH}, then the
 *   usual system directories</dd>
 *   <dt>{@code conmon}</dt><dd>absolute path of conmon; found the same way</dd>
 *   <dt>{@code conmon-log-level}</dt><dd>conmon's {@code --log-level}; default {@code warning}</dd>
 *   <dt>{@code log-size-max}</dt><dd>conmon's {@code --log-size-max} in bytes; default: no limit</dd>
 *   <dt>{@code sync-log}</dt><dd>{@code true}: conmon syncs a container's log to disk when it ends,
 *   before it writes the exit file; default {@code false} (as Docker), which spares every exit an
 *   fsync</dd>
 * </dl>
 */
public class RuncRuntime implements ContainerRuntime {

    static final String NAME = "runc";
    static final String PLUGIN_ID = "runtime-runc";
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);
    /** How long a created init may take to open its exec fifo, as long as it lives. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONMON_EXIT_TIMEOUT = Duration.ofSeconds(10);

    private volatile PluginContext context;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void initialize(PluginContext context) {
        this.context = context;
    }

    private Programs programs() {
        Map<String, String> options = context == null ? Map.of() : context.options();
        return new Programs(options, System.getenv("PATH"));
    }

    @Override
    public Probe probe() {
        Programs programs = programs();
        Programs.Lookup runc = programs.lookup("runc", "runc");
        List<Probe.Check> checks = new java.util.ArrayList<>(List.of(runc.check(),
                programs.lookup("conmon", "conmon").check(),
                rootCheck(),
                Cgroups.check()));
        if (runc.path() != null) {
            checks.add(versionCheck(runc.path()));
        }
        return new Probe(checks);
    }

    /** runc's version against CVE-2024-21626; a runc that cannot say its version fails the check too. */
    private static Probe.Check versionCheck(Path runc) {
        try {
            return VersionOutput.safety(runcVersion(runc));
        } catch (ContainerRuntimeException e) {
            return Probe.Check.failed("runc version", Probe.Kind.SECURITY, e.getMessage().lines().findFirst().orElse("")
                    + "; berth needs runc 1.1.12 or later (CVE-2024-21626)");
        }
    }

    private static Probe.Check rootCheck() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String effective = line.substring(4).strip().split("\\s+")[1];
                    return "0".equals(effective)
                            ? Probe.Check.passed("root", Probe.Kind.PRIVILEGE, "running as uid 0")
                            : Probe.Check.failed("root", Probe.Kind.PRIVILEGE, "running as uid " + effective
                                    + "; runc needs root to create namespaces and cgroups: run the daemon as root");
                }
            }
            return Probe.Check.failed("root", Probe.Kind.PRIVILEGE, "/proc/self/status has no Uid line");
        } catch (IOException | RuntimeException e) {
            return Probe.Check.failed("root", Probe.Kind.PRIVILEGE, "cannot read /proc/self/status: " + e.getMessage());
        }
    }

    @Override
    public RuntimeInfo version() throws ContainerRuntimeException {
        Programs programs = programs();
        Programs.Lookup runc = programs.lookup("runc", "runc");
        if (runc.path() == null) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_USABLE, runc.check().toString());
        }
        RuntimeInfo parsed = runcVersion(runc.path());
        Map<String, String> details = new LinkedHashMap<>();
        Path conmon = programs.lookup("conmon", "conmon").path();
        if (conmon != null) {
            try {
                Command c = runQuietly(List.of(conmon.toString(), "--version"));
                VersionOutput.conmonVersion(c.stdout()).ifPresent(v -> details.put("conmon", v));
            } catch (ContainerRuntimeException e) {
                details.put("conmon", "unknown (" + e.getMessage() + ")");
            }
        }
        details.putAll(parsed.details());
        return new RuntimeInfo(parsed.name(), parsed.version(), parsed.commit(), parsed.ociSpecVersion(), details);
    }

    /** What {@code runc --version} says, parsed. */
    private static RuntimeInfo runcVersion(Path runcPath) throws ContainerRuntimeException {
        Command result = runQuietly(List.of(runcPath.toString(), "--version"));
        if (result.exitCode() != 0) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_USABLE,
                    runcPath + " --version exited with " + result.exitCode() + ": " + result.firstErrorLine());
        }
        return VersionOutput.parseRunc(result.stdout())
                .orElseThrow(() -> new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_USABLE,
                        runcPath + " --version printed no \"runc version\" line: " + result.firstErrorLine()));
    }

    private static Command runQuietly(List<String> command) throws ContainerRuntimeException {
        try {
            return Command.run(command, VERSION_TIMEOUT);
        } catch (Command.TimeoutException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.TIMEOUT, e.getMessage(), e);
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_USABLE,
                    "cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "interrupted while running " + String.join(" ", command), e);
        }
    }

    // ---- containers ------------------------------------------------------------------------

    /** The programs and directories, checked on each use so that a fixed host needs no restart. */
    private record Tools(Runc runc, Conmon conmon, Layout layout) {
    }

    private Tools tools() throws ContainerRuntimeException {
        PluginContext ctx = context;
        if (ctx == null) {
            throw new IllegalStateException(PLUGIN_ID + ": initialize() was not called");
        }
        Programs programs = programs();
        Programs.Lookup runcLookup = programs.lookup("runc", "runc");
        Programs.Lookup conmonLookup = programs.lookup("conmon", "conmon");
        for (Programs.Lookup lookup : List.of(runcLookup, conmonLookup)) {
            if (lookup.path() == null) {
                throw new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_USABLE, lookup.check().toString());
            }
        }
        Layout layout = Layout.under(ctx.dataDirectory());
        try {
            Files.createDirectories(layout.runcRoot());
            Files.createDirectories(layout.sockets());
            Files.createDirectories(layout.containers());
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_USABLE,
                    "cannot create the runtime's directories under " + ctx.dataDirectory() + ": " + e.getMessage(), e);
        }
        Runc runc = new Runc(runcLookup.path(), layout.runcRoot());
        Conmon conmon = new Conmon(conmonLookup.path(), runc, layout,
                ctx.options().getOrDefault("conmon-log-level", "warning"), ctx.options().get("log-size-max"),
                Boolean.parseBoolean(ctx.options().getOrDefault("sync-log", "false")));
        return new Tools(runc, conmon, layout);
    }

    @Override
    public void create(ContainerSpec spec) throws ContainerRuntimeException {
        Tools t = tools();
        String id = spec.id();
        // runc keeps a directory per container under its root: looking for it spares a `runc state`
        if (t.runc().knows(id)) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.ALREADY_EXISTS,
                    "container " + id + " already exists; delete it first or choose another id");
        }
        if (!Files.isDirectory(spec.bundle())) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": the bundle " + spec.bundle() + " is not a directory");
        }
        try {
            // leftovers of an earlier container with this id (never deleted, or a create that failed)
            t.conmon().removeFiles(id, Optional.of(spec.bundle()));
            Files.createDirectories(t.layout().container(id));
            Files.write(spec.bundle().resolve("config.json"), spec.configJson());
            Files.createDirectories(spec.logPath().getParent());
            t.layout().write(id, new Layout.Record(spec.bundle(), spec.exitFile(), spec.logPath(), "", spec.terminal()));
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": cannot prepare its files: " + e.getMessage(), e);
        }
        long pid;
        try {
            pid = t.conmon().create(spec, CREATE_TIMEOUT);
        } catch (ContainerRuntimeException e) {
            cleanUpFailedCreate(t, id, spec.bundle());
            throw e;
        }
        try {
            t.layout().write(id, new Layout.Record(spec.bundle(), spec.exitFile(), spec.logPath(),
                    CgroupOom.memoryCgroupOf(pid), spec.terminal()));
        } catch (IOException e) {
            log(System.Logger.Level.WARNING, "container " + id + ": cannot record its memory cgroup: " + e.getMessage());
        }
    }

    private void cleanUpFailedCreate(Tools t, String id, Path bundle) {
        try {
            t.runc().delete(id, true);
        } catch (ContainerRuntimeException e) {
            log(System.Logger.Level.WARNING, e.getMessage());
        }
        t.conmon().awaitExit(id, Duration.ofSeconds(5));
        try {
            t.conmon().removeFiles(id, Optional.of(bundle));
        } catch (IOException e) {
            log(System.Logger.Level.WARNING, "container " + id + ": cannot remove conmon's files: " + e.getMessage());
        }
    }

    @Override
    public void start(String id) throws ContainerRuntimeException {
        ContainerIds.requireValid(id);
        Tools t = tools();
        // runc start would only read the init's exec fifo: doing it here spares starting a runc process
        OptionalLong pid = record(t, id).map(r -> Conmon.readPid(Conmon.containerPidFile(r.bundle()))).orElse(OptionalLong.empty());
        if (pid.isPresent()) {
            ExecFifo.release(t.layout().runcRoot(), id, pid.getAsLong(), Conmon::alive, START_TIMEOUT);
            return;
        }
        // no pid file (a container of an older berth, or none at all): runc start refuses an unknown container or
        // one not in the created state itself, and its message maps to NOT_FOUND or WRONG_STATE (Runc.failure)
        t.runc().start(id);
    }

    /** The pid runc wrote when it created the container (its pid file in the bundle), without asking runc. */
    @Override
    public long pid(String id) throws ContainerRuntimeException {
        ContainerIds.requireValid(id);
        Tools t = tools();
        Optional<Layout.Record> record = record(t, id);
        if (record.isEmpty()) {
            return 0;
        }
        return Conmon.readPid(Conmon.containerPidFile(record.get().bundle())).orElse(0);
    }

    @Override
    public void kill(String id, int signal) throws ContainerRuntimeException {
        if (signal < 1 || signal > 64) {
            throw new IllegalArgumentException("signal " + signal + " is outside 1..64");
        }
        Tools t = tools();
        ContainerState state = requireKnown(t, id);
        if (state.status() != ContainerState.Status.RUNNING && state.status() != ContainerState.Status.PAUSED) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.WRONG_STATE,
                    "container " + id + " is " + describe(state.status()) + ", not running: there is no process to signal");
        }
        t.runc().kill(id, signal);
    }

    @Override
    public void pause(String id) throws ContainerRuntimeException {
        Tools t = tools();
        ContainerState state = requireKnown(t, id);
        if (state.status() != ContainerState.Status.RUNNING) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.WRONG_STATE,
                    "container " + id + " is " + describe(state.status()) + ", not running: it cannot be paused");
        }
        t.runc().pause(id);
    }

    @Override
    public void resume(String id) throws ContainerRuntimeException {
        Tools t = tools();
        ContainerState state = requireKnown(t, id);
        if (state.status() != ContainerState.Status.PAUSED) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.WRONG_STATE,
                    "container " + id + " is " + describe(state.status()) + ", not paused");
        }
        t.runc().resume(id);
    }

    @Override
    public List<Long> processes(String id) throws ContainerRuntimeException {
        ContainerIds.requireValid(id);
        return tools().runc().processes(id);
    }

    @Override
    public ResourceStats stats(String id) throws ContainerRuntimeException {
        ContainerIds.requireValid(id);
        return StatsOutput.parse(tools().runc().stats(id));
    }

    @Override
    public void update(String id, ResourceUpdate update) throws ContainerRuntimeException {
        ContainerIds.requireValid(id);
        List<String> flags = new java.util.ArrayList<>();
        addFlag(flags, "--memory", update.memoryBytes());
        addFlag(flags, "--memory-swap", update.memorySwapBytes());
        addFlag(flags, "--memory-reservation", update.memoryReservationBytes());
        addFlag(flags, "--cpu-share", update.cpuShares()); // runc names it in the singular
        addFlag(flags, "--cpu-quota", update.cpuQuotaMicros());
        addFlag(flags, "--cpu-period", update.cpuPeriodMicros());
        addFlag(flags, "--cpuset-cpus", update.cpusetCpus());
        addFlag(flags, "--cpuset-mems", update.cpusetMems());
        addFlag(flags, "--pids-limit", update.pidsLimit());
        addFlag(flags, "--blkio-weight", update.blkioWeight());
        if (!flags.isEmpty()) {
            tools().runc().update(id, flags);
        }
    }

    private static void addFlag(List<String> flags, String flag, Object value) {
        if (value != null) {
            flags.add(flag);
            flags.add(value.toString());
        }
    }

    @Override
    public Optional<ContainerState> state(String id) throws ContainerRuntimeException {
        Tools t = tools();
        Optional<ContainerState> state = t.runc().state(id);
        if (state.isEmpty() || state.get().status() == ContainerState.Status.STOPPED) {
            return state;
        }
        // runc may not have noticed yet that the process ended; conmon's exit file is the truth
        if (exitFile(t, id).filter(Files::exists).isPresent()) {
            ContainerState s = state.get();
            return Optional.of(new ContainerState(s.id(), ContainerState.Status.STOPPED, 0, s.bundle(), s.created()));
        }
        return state;
    }

    @Override
    public void delete(String id, boolean force) throws ContainerRuntimeException {
        Tools t = tools();
        Optional<Layout.Record> record = record(t, id);
        if (t.runc().knows(id) && exitFile(t, id).isPresent() && StoppedDelete.tryDelete(t.layout().runcRoot(), id)) {
            // its process exited (the monitor wrote the exit file): removing runc's state ourselves spares a runc process
            t.conmon().awaitExit(id, CONMON_EXIT_TIMEOUT);
            removeConmonFiles(t, id, record.map(Layout.Record::bundle));
            return;
        }
        if (force && t.runc().knows(id)) {
            // forced, the state does not matter: `runc delete --force` alone (one runc process, not two)
            t.runc().delete(id, true);
            t.conmon().awaitExit(id, CONMON_EXIT_TIMEOUT);
            removeConmonFiles(t, id, record.map(Layout.Record::bundle));
            return;
        }
        // a container runc no longer knows (already deleted) costs no `runc state`
        Optional<ContainerState> state = t.runc().knows(id) ? t.runc().state(id) : Optional.empty();
        if (state.isPresent()) {
            ContainerState.Status status = state.get().status();
            boolean alive = status == ContainerState.Status.RUNNING || status == ContainerState.Status.PAUSED
                    || status == ContainerState.Status.CREATING;
            if (alive && !force) {
                throw new ContainerRuntimeException(ContainerRuntimeException.Reason.WRONG_STATE,
                        "container " + id + " is " + describe(status) + "; stop it first or delete it with force");
            }
            t.runc().delete(id, force || status == ContainerState.Status.CREATED);
        }
        t.conmon().awaitExit(id, CONMON_EXIT_TIMEOUT);
        removeConmonFiles(t, id, record.map(Layout.Record::bundle).or(() -> state.map(ContainerState::bundle)));
    }

    private static void removeConmonFiles(Tools t, String id, Optional<Path> bundle) throws ContainerRuntimeException {
        try {
            t.conmon().removeFiles(id, bundle);
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": deleted, but conmon's files remain: " + e.getMessage(), e);
        }
    }

    @Override
    public ExecHandle exec(String id, ExecSpec spec) throws ContainerRuntimeException {
        Tools t = tools();
        ContainerState state = requireKnown(t, id);
        if (state.status() != ContainerState.Status.RUNNING) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.WRONG_STATE,
                    "container " + id + " is " + describe(state.status()) + ", not running: cannot exec in it");
        }
        try {
            Files.createDirectories(t.layout().container(id));
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": cannot create " + t.layout().container(id) + ": " + e.getMessage(), e);
        }
        if (spec.terminal()) {
            return RuncExec.startWithTerminal(t.runc(), t.layout().container(id), id, spec.execId(), spec.processJson());
        }
        return RuncExec.start(t.runc(), t.layout().container(id), id, spec.execId(), spec.processJson(), spec.attachStdin());
    }

    @Override
    public StdioStreams attach(String id) throws ContainerRuntimeException {
        Tools t = tools();
        ContainerState state = requireKnown(t, id);
        if (state.status() == ContainerState.Status.STOPPED) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.WRONG_STATE,
                    "container " + id + " has stopped: there is nothing to attach to");
        }
        Path bundle = record(t, id).map(Layout.Record::bundle).orElse(state.bundle());
        return AttachSocket.connect(id, bundle);
    }

    @Override
    public Optional<ExitStatus> exitStatus(String id) throws ContainerRuntimeException {
        Tools t = tools();
        Optional<Path> file = exitFile(t, id);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        String cgroup = record(t, id).map(Layout.Record::memoryCgroup).orElse("");
        boolean oom = CgroupOom.oomKilled(t.layout().oomFile(id), cgroup);
        return ExitFile.read(id, file.get(), oom);
    }

    @Override
    public List<String> list() throws ContainerRuntimeException {
        return tools().runc().list();
    }

    /** The exit file: the one the engine asked for, else conmon's copy in the persist directory. */
    private Optional<Path> exitFile(Tools t, String id) throws ContainerRuntimeException {
        Optional<Path> requested = record(t, id).map(Layout.Record::exitFile).filter(Files::exists);
        if (requested.isPresent()) {
            return requested;
        }
        Path persisted = t.layout().persistedExit(id);
        return Files.exists(persisted) ? Optional.of(persisted) : Optional.empty();
    }

    private static Optional<Layout.Record> record(Tools t, String id) throws ContainerRuntimeException {
        try {
            return t.layout().read(id);
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": cannot read the runtime's record of it: " + e.getMessage(), e);
        }
    }

    private ContainerState requireKnown(Tools t, String id) throws ContainerRuntimeException {
        ContainerIds.requireValid(id);
        return state(id).orElseThrow(() -> new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_FOUND,
                "container " + id + " does not exist in runc's state under " + t.layout().runcRoot()));
    }

    private static String describe(ContainerState.Status status) {
        return status.name().toLowerCase(java.util.Locale.ROOT);
    }

    private void log(System.Logger.Level level, String message) {
        PluginContext ctx = context;
        (ctx == null ? System.getLogger(PLUGIN_ID) : ctx.logger()).log(level, message);
    }
}
