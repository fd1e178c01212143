package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.spi.runtime.CommandNotRunnableException;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ExecHandle;
import io.berth.spi.runtime.ExecSpec;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Processes executed in running containers ({@code docker exec}): an exec is created with its
 * command, then started; its output is streamed in Docker's frames and its exit code kept for
 * {@code GET /exec/{id}/json}. Each start and end is an event. The process runs with the
 * container's environment, user, working directory and capabilities unless the exec overrides them.
 */
public final class ExecService {
    private final ContainerService containers;
    private final ObjectMapper mapper;
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();

    public ExecService(ContainerService containers, ObjectMapper mapper) {
        this.containers = containers;
        this.mapper = mapper;
    }

    /** One exec: its request, and once it ran, its pid and exit code. */
    static final class Exec {
        final String id;
        final String containerId;
        final JsonNode request;
        volatile boolean running;
        volatile Integer exitCode;
        volatile long pid;
        volatile ExecHandle handle;

        Exec(String id, String containerId, JsonNode request) {
            this.id = id;
            this.containerId = containerId;
            this.request = request;
        }
    }

    public String create(String container, JsonNode request) {
        ContainerState.ContainerRecord record = containers.require(container);
        if (!record.running()) {
            throw ContainerException.conflict("Container " + record.id() + " is not running");
        }
        if (record.paused()) {
            throw ContainerException.conflict("Container " + record.id() + " is paused, unpause the container before exec");
        }
        if (!request.path("Cmd").isArray() || request.path("Cmd").isEmpty()) {
            throw ContainerException.invalid("No exec command specified");
        }
        String id = ContainerNames.newId();
        execs.put(id, new Exec(id, record.id(), request));
        return id;
    }

    /** Runs the exec; without detach its output is written to {@code out} in frames (raw with a terminal). */
    public void start(String execId, boolean detach, OutputStream out, RequestContext context) throws IOException {
        start(execId, detach, null, out, context);
    }

    /** @return whether the exec was created with a terminal ({@code Tty}) */
    public boolean tty(String execId) {
        return require(execId).request.path("Tty").asBoolean(false);
    }

    /**
     * Resizes the terminal of a running exec.
     *
     * @throws ContainerException not found for an unknown exec, conflict if it is not running
     */
    public void resize(String execId, int rows, int columns) {
        Exec exec = require(execId);
        ExecHandle handle = exec.handle;
        if (handle == null) {
            throw ContainerException.conflict("exec " + execId + " is not running");
        }
        try {
            handle.resize(rows, columns);
        } catch (ContainerRuntimeException e) {
            throw ContainerException.internal(e.getMessage());
        }
    }

    private Exec require(String execId) {
        Exec exec = execs.get(execId);
        if (exec == null) {
            throw ContainerException.notFound("No such exec instance: " + execId);
        }
        return exec;
    }

    /**
     * Runs the exec. Without detach its output is written to {@code out} in frames (raw with a
     * terminal); if it was created with {@code AttachStdin} and {@code stdin} is given, {@code stdin}
     * is copied to the process's standard input as it arrives (its end closes that input), otherwise
     * the process's input is closed at once.
     */
    public void start(String execId, boolean detach, InputStream stdin, OutputStream out, RequestContext context) throws IOException {
        Exec exec = execs.get(execId);
        if (exec == null) {
            throw ContainerException.notFound("No such exec instance: " + execId);
        }
        if (exec.running || exec.exitCode != null) {
            throw ContainerException.conflict("exec " + execId + " has already run");
        }
        ContainerState.ContainerRecord container = containers.require(exec.containerId);
        if (!container.running()) {
            throw ContainerException.conflict("Container " + container.id() + " is not running");
        }
        boolean tty = exec.request.path("Tty").asBoolean(false);
        List<String> command = new ArrayList<>();
        exec.request.path("Cmd").forEach(c -> command.add(c.asText()));
        Map<String, String> extraEnv = extraEnv(exec.request);
        String user = exec.request.path("User").asText("");
        ObjectNode process = processSpec(container, exec.request);

        containers.journal().record(context, new ContainerEvent.ExecStarted(container.id(), execId, command, user, extraEnv));
        exec.running = true;
        int code;
        try (ExecHandle handle = containers.runtime().exec(container.id(),
                new ExecSpec(execId, mapper.writeValueAsBytes(process), tty, exec.request.path("AttachStdin").asBoolean(false)))) {
            exec.handle = handle;
            exec.pid = handle.pid();
            JsonNode consoleSize = exec.request.path("ConsoleSize");
            if (tty && consoleSize.size() == 2 && consoleSize.get(0).asInt(0) > 0 && consoleSize.get(1).asInt(0) > 0) {
                handle.resize(consoleSize.get(0).asInt(), consoleSize.get(1).asInt()); // Docker's [height, width]
            }
            Thread input = null;
            if (stdin != null && !detach && exec.request.path("AttachStdin").asBoolean(false)) {
                input = Thread.ofVirtual().start(() -> {
                    try (OutputStream processInput = handle.stdin()) {
                        stdin.transferTo(processInput);
                    } catch (IOException e) {
                        // the process or the client closed its side
                    }
                });
            } else {
                handle.stdin().close();
            }
            Thread errors = Thread.ofVirtual().start(() -> pump(handle.stderr(), out, tty ? 0 : 2, detach));
            pump(handle.stdout(), out, tty ? 0 : 1, detach);
            errors.join();
            Optional<ExitStatus> status = handle.waitFor(Duration.ofDays(365));
            code = status.map(ExitStatus::code).orElse(255);
            exec.handle = null;
            if (input != null) {
                input.interrupt();
            }
        } catch (CommandNotRunnableException e) {
            code = e.exitCode();
            writeFrame(out, tty ? 0 : 2, (e.getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), detach);
        } catch (ContainerRuntimeException e) {
            exec.handle = null;
            exec.running = false;
            exec.exitCode = 126;
            containers.journal().record(context, new ContainerEvent.ExecExited(container.id(), execId, 126));
            throw ContainerException.internal(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 255;
        }
        exec.handle = null;
        exec.running = false;
        exec.exitCode = code;
        containers.journal().record(context, new ContainerEvent.ExecExited(container.id(), execId, code));
    }

    private static Map<String, String> extraEnv(JsonNode request) {
        Map<String, String> extraEnv = new LinkedHashMap<>();
        request.path("Env").forEach(e -> {
            String text = e.asText();
            int eq = text.indexOf('=');
            extraEnv.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? "" : text.substring(eq + 1));
        });
        return extraEnv;
    }

    /**
     * The OCI process of an exec (Docker's exec body: {@code Cmd}, {@code Env}, {@code User}, {@code WorkingDir},
     * {@code Tty}, {@code Privileged}) in a container: its environment, user, working directory and capabilities
     * unless the request overrides them.
     */
    private ObjectNode processSpec(ContainerState.ContainerRecord container, JsonNode request) throws IOException {
        JsonNode stored = containers.config(container);
        JsonNode config = stored.path("Config");
        boolean tty = request.path("Tty").asBoolean(false);
        List<String> command = new ArrayList<>();
        request.path("Cmd").forEach(c -> command.add(c.asText()));
        Map<String, String> extraEnv = extraEnv(request);
        String user = request.path("User").asText("");
        ImageUsers.Identity identity;
        try {
            var rootfs = containers.storage().snapshot(container.id()).map(s -> s.rootfs()).orElseThrow();
            identity = ImageUsers.resolve(rootfs, user.isEmpty() ? config.path("User").asText("") : user);
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        } catch (StorageException | java.util.NoSuchElementException e) {
            throw ContainerException.internal("cannot read the users of container " + container.id() + ": " + e.getMessage());
        }
        ObjectNode process = mapper.createObjectNode();
        process.put("terminal", tty);
        ObjectNode userNode = process.putObject("user");
        userNode.put("uid", identity.uid());
        userNode.put("gid", identity.gid());
        if (!identity.additionalGids().isEmpty()) {
            ArrayNode gids = userNode.putArray("additionalGids");
            identity.additionalGids().forEach(gids::add);
        }
        ArrayNode args = process.putArray("args");
        command.forEach(args::add);
        // as Docker's exec: the container's environment made as at its start (LaunchEnvironment), the exec's own after it
        List<String> configured = new ArrayList<>();
        config.path("Env").forEach(e -> configured.add(e.asText()));
        extraEnv.forEach((k, v) -> configured.add(k + "=" + v));
        String hostname = config.path("Hostname").asText(container.id().substring(0, Math.min(12, container.id().length())));
        ArrayNode envNode = process.putArray("env");
        LaunchEnvironment.of(configured, hostname, tty, identity.home()).forEach(envNode::add);
        String cwd = request.path("WorkingDir").asText("");
        process.put("cwd", cwd.isEmpty() ? (config.path("WorkingDir").asText("").isEmpty() ? "/" : config.path("WorkingDir").asText()) : cwd);
        List<String> capAdd = new ArrayList<>();
        stored.path("HostConfig").path("CapAdd").forEach(c -> capAdd.add(c.asText()));
        List<String> capDrop = new ArrayList<>();
        stored.path("HostConfig").path("CapDrop").forEach(c -> capDrop.add(c.asText()));
        boolean privileged = stored.path("HostConfig").path("Privileged").asBoolean(false) || request.path("Privileged").asBoolean(false);
        List<String> caps = RuntimeSpecBuilder.capabilities(privileged, capAdd, capDrop);
        // the seccomp filter is the container's (runc applies it to every process it execs); no-new-privileges is per process
        try {
            process.put("noNewPrivileges", SecurityOptions.of(stored.path("HostConfig"), mapper).noNewPrivileges());
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
        ObjectNode capabilities = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode list = capabilities.putArray(set);
            caps.forEach(list::add);
        }
        return process;
    }

    /**
     * One health probe (Docker's result of a {@code HEALTHCHECK} run).
     *
     * @param start    when it began
     * @param end      when it ended
     * @param exitCode its exit code: 0 healthy, anything else a failure, -1 when it timed out or could not run
     * @param output   its standard output and error, at most {@link HealthCheck#MAX_OUTPUT} bytes
     */
    public record Probe(java.time.Instant start, java.time.Instant end, int exitCode, String output) {}

    /**
     * Runs a health probe in a running container as an exec is run (its environment, user, working directory,
     * capabilities and seccomp filter), without recording events: only a change of the health verdict is
     * recorded, by the monitor. A probe still running after {@code timeout} is killed and fails, as in Docker.
     */
    Probe probe(String containerId, List<String> command, Duration timeout) {
        java.time.Instant start = java.time.Instant.now();
        ContainerState.ContainerRecord container = containers.require(containerId);
        ObjectNode request = mapper.createObjectNode();
        ArrayNode cmd = request.putArray("Cmd");
        command.forEach(cmd::add);
        String execId = ContainerNames.newId();
        java.io.ByteArrayOutputStream output = new java.io.ByteArrayOutputStream();
        try (ExecHandle handle = containers.runtime().exec(container.id(),
                new ExecSpec(execId, mapper.writeValueAsBytes(processSpec(container, request)), false, false))) {
            handle.stdin().close();
            Thread errors = Thread.ofVirtual().start(() -> collect(handle.stderr(), output));
            Thread out = Thread.ofVirtual().start(() -> collect(handle.stdout(), output));
            Optional<ExitStatus> status = handle.waitFor(timeout);
            if (status.isEmpty()) {
                long pid = handle.pid();
                if (pid > 0) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
                return new Probe(start, java.time.Instant.now(), -1, "Health check exceeded timeout (" + HealthCheck.human(timeout) + ")");
            }
            out.join(1000);
            errors.join(1000);
            String text;
            synchronized (output) {
                text = output.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
            return new Probe(start, java.time.Instant.now(), status.get().code(), text);
        } catch (CommandNotRunnableException e) {
            return new Probe(start, java.time.Instant.now(), e.exitCode(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Probe(start, java.time.Instant.now(), -1, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(start, java.time.Instant.now(), -1, "health check interrupted");
        }
    }

    /** Reads a probe's stream to its end, keeping what fits in Docker's limit. */
    private static void collect(InputStream in, java.io.ByteArrayOutputStream sink) {
        byte[] buffer = new byte[4096];
        try (in) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                synchronized (sink) {
                    int room = HealthCheck.MAX_OUTPUT - sink.size();
                    if (room > 0) {
                        sink.write(buffer, 0, Math.min(room, read));
                    }
                }
            }
        } catch (IOException e) {
            // the probe ended or was killed
        }
    }

    private static void pump(InputStream in, OutputStream out, int stream, boolean detach) {
        byte[] buffer = new byte[8192];
        try (in) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (read > 0) {
                    writeFrame(out, stream, java.util.Arrays.copyOf(buffer, read), detach);
                }
            }
        } catch (IOException e) {
            // the process closed its end, or the client went away: the exit code still comes from the runtime
        }
    }

    private static void writeFrame(OutputStream out, int stream, byte[] bytes, boolean detach) {
        if (detach || out == null) {
            return;
        }
        synchronized (out) {
            try {
                if (stream == 0) {
                    out.write(bytes);
                } else {
                    ContainerLogs.frame(out, stream, bytes);
                }
                out.flush();
            } catch (IOException e) {
                // client gone
            }
        }
    }

    public ObjectNode inspect(String execId) {
        Exec exec = execs.get(execId);
        if (exec == null) {
            throw ContainerException.notFound("No such exec instance: " + execId);
        }
        ObjectNode node = mapper.createObjectNode();
        node.put("ID", exec.id);
        node.put("Running", exec.running);
        if (exec.exitCode == null) {
            node.putNull("ExitCode");
        } else {
            node.put("ExitCode", exec.exitCode);
        }
        node.put("ContainerID", exec.containerId);
        node.put("Pid", exec.pid);
        node.put("OpenStdin", exec.request.path("AttachStdin").asBoolean(false));
        node.put("OpenStdout", exec.request.path("AttachStdout").asBoolean(false));
        node.put("OpenStderr", exec.request.path("AttachStderr").asBoolean(false));
        // Docker lets an exec's record go once it ended (it is kept here until the daemon stops)
        node.put("CanRemove", exec.exitCode != null);
        node.put("DetachKeys", exec.request.path("DetachKeys").asText(""));
        ObjectNode processConfig = node.putObject("ProcessConfig");
        processConfig.put("tty", exec.request.path("Tty").asBoolean(false));
        processConfig.put("privileged", exec.request.path("Privileged").asBoolean(false));
        processConfig.put("user", exec.request.path("User").asText(""));
        List<String> command = new ArrayList<>();
        exec.request.path("Cmd").forEach(c -> command.add(c.asText()));
        processConfig.put("entrypoint", command.isEmpty() ? "" : command.getFirst());
        ArrayNode arguments = processConfig.putArray("arguments");
        command.stream().skip(1).forEach(arguments::add);
        return node;
    }
}
