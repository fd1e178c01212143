package io.berth.plugin.runc;

import io.berth.spi.ContainerRuntime;
import io.berth.spi.PluginContext;
import io.berth.spi.Probe;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerSpec;
import io.berth.spi.runtime.ContainerState;
import io.berth.spi.runtime.ExecHandle;
import io.berth.spi.runtime.ExecSpec;
import io.berth.spi.runtime.ExitStatus;
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

/**
 * {@link ContainerRuntime} on runc, with one conmon per container as its monitor.
 *
 * <p>Options (all optional):
 * <dl>
 *   <dt>{@code runc}</dt><dd>absolute path of runc; default: the first on {@code PATH}, then the
 *   usual system directories</dd>
 *   <dt>{@code conmon}</dt><dd>absolute path of conmon; found the same way</dd>
 * </dl>
 */
public class RuncRuntime implements ContainerRuntime {

    static final String NAME = "runc";
    static final String PLUGIN_ID = "runtime-runc";
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);

    private volatile PluginContext context;

    /** Creates the runtime; it does nothing until {@link #initialize}. */
    public RuncRuntime() {
    }

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
        return Probe.of(
                programs.lookup("runc", "runc").check(),
                programs.lookup("conmon", "conmon").check(),
                rootCheck());
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
        Path runcPath = runc.path();
        Command result = runQuietly(List.of(runcPath.toString(), "--version"));
        if (result.exitCode() != 0) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_USABLE,
                    runcPath + " --version exited with " + result.exitCode() + ": " + result.firstErrorLine());
        }
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
        RuntimeInfo parsed = VersionOutput.parseRunc(result.stdout())
                .orElseThrow(() -> new ContainerRuntimeException(ContainerRuntimeException.Reason.NOT_USABLE,
                        runcPath + " --version printed no \"runc version\" line: " + result.firstErrorLine()));
        details.putAll(parsed.details());
        return new RuntimeInfo(parsed.name(), parsed.version(), parsed.commit(), parsed.ociSpecVersion(), details);
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

    @Override
    public void create(ContainerSpec spec) {
        throw notYet("create");
    }

    @Override
    public void start(String id) {
        throw notYet("start");
    }

    @Override
    public void kill(String id, int signal) {
        throw notYet("kill");
    }

    @Override
    public Optional<ContainerState> state(String id) {
        throw notYet("state");
    }

    @Override
    public void delete(String id, boolean force) {
        throw notYet("delete");
    }

    @Override
    public ExecHandle exec(String id, ExecSpec spec) {
        throw notYet("exec");
    }

    @Override
    public StdioStreams attach(String id) {
        throw notYet("attach");
    }

    @Override
    public Optional<ExitStatus> exitStatus(String id) {
        throw notYet("exitStatus");
    }

    @Override
    public List<String> list() {
        throw notYet("list");
    }

    private static UnsupportedOperationException notYet(String operation) {
        return new UnsupportedOperationException(PLUGIN_ID + ": " + operation + " is not implemented yet");
    }
}
