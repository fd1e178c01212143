package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.api.TimeBound;
import io.berth.text.format.Units;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Docker's container and volume endpoints. */
public final class ContainerEndpoints {
    private final ContainerService containers;
    private final VolumeService volumes;
    private final ObjectMapper mapper;

    private io.berth.engine.history.TimeTravel history;

    /** Lets list and inspect answer for a past moment ({@code ?at=}). */
    public ContainerEndpoints withHistory(io.berth.engine.history.TimeTravel history) {
        this.history = history;
        return this;
    }

    /** The state the request asks about: the live one, or the past one its {@code at} parameter names. */
    private io.berth.engine.projection.Projections view(ApiExchange exchange) {
        return history == null ? null : history.view(exchange);
    }

    public ContainerEndpoints(ContainerService containers, VolumeService volumes, ObjectMapper mapper) {
        this.containers = containers;
        this.volumes = volumes;
        this.mapper = mapper;
    }

    private JsonNode body(ApiExchange exchange) throws IOException {
        byte[] bytes = exchange.bodyBytes();
        if (bytes.length == 0) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("invalid JSON body: " + e.getOriginalMessage());
        }
    }

    public void create(ApiExchange exchange) throws IOException {
        String id = containers.create(body(exchange), exchange.query("name"), exchange.context());
        exchange.json(201, Map.of("Id", id, "Warnings", List.of()));
    }

    public void start(ApiExchange exchange) throws IOException {
        boolean started = containers.start(exchange.pathParam(1), exchange.context());
        exchange.text(started ? 204 : 304, "");
    }

    public void stop(ApiExchange exchange) throws IOException {
        Integer timeout = exchange.query("t") == null ? null : parseInt("t", exchange.query("t"));
        boolean stopped = containers.stop(exchange.pathParam(1), timeout, exchange.query("signal"), exchange.context());
        exchange.text(stopped ? 204 : 304, "");
    }

    public void kill(ApiExchange exchange) throws IOException {
        containers.kill(exchange.pathParam(1), exchange.query("signal"), exchange.context());
        exchange.text(204, "");
    }

    public void restart(ApiExchange exchange) throws IOException {
        Integer timeout = exchange.query("t") == null ? null : parseInt("t", exchange.query("t"));
        containers.restart(exchange.pathParam(1), timeout, exchange.context());
        exchange.text(204, "");
    }

    /**
     * {@code POST /containers/{id}/wait?condition=}: the head is sent at once and the body when the
     * condition holds, as Docker does; Docker's CLI waits for the head before it starts the container.
     */
    public void await(ApiExchange exchange) throws IOException {
        String id = containers.require(exchange.pathParam(1)).id();
        String condition = ContainerService.waitCondition(exchange.query("condition"));
        try (OutputStream out = exchange.binary("application/json")) {
            int code = containers.await(id, condition);
            ObjectNode answer = mapper.createObjectNode();
            answer.put("StatusCode", code);
            answer.putNull("Error");
            out.write(mapper.writeValueAsBytes(answer));
            out.write('\n');
        }
    }

    public void remove(ApiExchange exchange) throws IOException {
        containers.remove(exchange.pathParam(1), exchange.queryFlag("force", false), exchange.queryFlag("v", false), exchange.context());
        exchange.text(204, "");
    }

    public void rename(ApiExchange exchange) throws IOException {
        String name = exchange.query("name");
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("name is required");
        }
        containers.rename(exchange.pathParam(1), name, exchange.context());
        exchange.text(204, "");
    }

    /** {@code POST /containers/prune?filters=}: Docker's {@code until}, {@code label} and {@code label!}. */
    public void prune(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = io.berth.engine.api.DockerFilters.parse(exchange.query("filters"), mapper,
                java.util.Set.of("until", "label", "label!"), key -> "invalid filter '" + key + "'");
        Instant until = io.berth.engine.api.FilterMatch.until(filters);
        List<String> labels = filters.getOrDefault("label", List.of());
        List<String> notLabels = filters.getOrDefault("label!", List.of());
        exchange.json(200, containers.prune(c -> {
            Map<String, String> containerLabels = new java.util.TreeMap<>();
            containers.config(c).path("Config").path("Labels").fields()
                    .forEachRemaining(f -> containerLabels.put(f.getKey(), f.getValue().asText()));
            return io.berth.engine.api.FilterMatch.labelsMatchAll(containerLabels, labels)
                    && !io.berth.engine.api.FilterMatch.labelsMatchAny(containerLabels, notLabels)
                    && io.berth.engine.api.FilterMatch.createdBefore(c.created(), until);
        }, exchange.context()));
    }

    /** {@code GET /containers/json?all=&filters=}: see {@link ContainerFilters} for the filters. */
    public void list(ApiExchange exchange) throws IOException {
        ContainerFilters filters = ContainerFilters.parse(exchange.query("filters"), mapper, containers::find);
        boolean all = exchange.queryFlag("all", false) || filters.includesStopped();
        io.berth.engine.projection.Projections view = view(exchange);
        ArrayNode list = mapper.createArrayNode();
        for (ContainerState.ContainerRecord c : view == null ? containers.list() : containers.list(view)) {
            if (!all && !c.running()) {
                continue;
            }
            JsonNode stored = containers.config(c);
            JsonNode mounts = containers.mountsOf(c);
            if (!filters.test(new ContainerFilters.Candidate(c, stored, mounts))) {
                continue;
            }
            ObjectNode item = list.addObject();
            item.put("Id", c.id());
            item.putArray("Names").add("/" + c.name());
            item.put("Image", c.image());
            item.put("ImageID", c.imageId());
            item.put("Command", String.join(" ", commandOf(stored)));
            item.put("Created", Instant.parse(c.created()).getEpochSecond());
            item.set("Ports", containers.networks().ports(view == null ? containers.projections() : view, c.id(), stored));
            item.set("Labels", stored.path("Config").path("Labels"));
            item.put("State", c.shownStatus().text());
            item.put("Status", statusText(c));
            item.putObject("HostConfig").put("NetworkMode", stored.path("HostConfig").path("NetworkMode").asText("none"));
            ObjectNode networkSettings = item.putObject("NetworkSettings");
            networkSettings.set("Networks", containers.networks().settings(view == null ? containers.projections() : view, c.id(),
                    stored, c.running()).path("Networks"));
            item.set("Mounts", mounts);
        }
        exchange.json(200, list);
    }

    private static List<String> commandOf(JsonNode stored) {
        try {
            return ContainerConfigs.args(stored.path("Config"));
        } catch (ContainerException e) {
            return List.of();
        }
    }

    /** Docker's human status: "Up 5 seconds", "Exited (0) 3 minutes ago", "Created". */
    public static String statusText(ContainerState.ContainerRecord c) {
        return switch (c.status()) {
            // as Docker's State.String(): a pause hides the health
            case RUNNING -> "Up " + ago(c.startedAt(), false) + (c.paused() ? " (Paused)" : healthSuffix(c.health()));
            case EXITED -> (c.restarting() ? "Restarting (" : "Exited (") + c.exitCode() + ") " + ago(c.finishedAt(), true);
            case CREATED -> "Created";
            default -> c.status().text();
        };
    }

    /** Docker's health part of a running container's status: {@code (healthy)}, {@code (health: starting)}. */
    private static String healthSuffix(String health) {
        return health == null || health.isEmpty() ? "" : " (" + ("starting".equals(health) ? "health: starting" : health) + ")";
    }

    /** Docker's {@code HumanDuration} of the time since {@code time} (the CLI's {@link Units#humanDuration}), as its State.String() words a status. */
    public static String ago(String time, boolean suffix) {
        Duration d;
        try {
            d = Duration.between(OffsetDateTime.parse(time).toInstant(), Instant.now());
        } catch (RuntimeException e) {
            return "";
        }
        String text = Units.humanDuration(Math.max(0, d.getSeconds()));
        return suffix ? text + " ago" : text;
    }

    public void inspect(ApiExchange exchange) throws IOException {
        io.berth.engine.projection.Projections view = view(exchange);
        ContainerState.ContainerRecord c = view == null ? containers.require(exchange.pathParam(1)) : containers.require(view, exchange.pathParam(1));
        JsonNode stored = containers.config(c);
        ObjectNode body = mapper.createObjectNode();
        body.put("Id", c.id());
        body.put("Created", c.created());
        List<String> args = commandOf(stored);
        body.put("Path", args.isEmpty() ? "" : args.getFirst());
        ArrayNode argv = body.putArray("Args");
        args.stream().skip(1).forEach(argv::add);
        ObjectNode state = body.putObject("State");
        // between an exit and the restart its policy makes, Docker's state is "restarting", and counts as running
        boolean paused = c.paused() && c.running();
        state.put("Status", c.shownStatus().text());
        state.put("Running", c.running() || c.restarting());
        state.put("Paused", paused);
        state.put("Restarting", c.restarting());
        state.put("OOMKilled", c.oomKilled());
        state.put("Dead", c.status() == ContainerStatus.DEAD);
        state.put("Pid", c.pid());
        state.put("ExitCode", c.exitCode());
        state.put("Error", c.error());
        state.put("StartedAt", c.startedAt());
        state.put("FinishedAt", c.finishedAt());
        if (!c.health().isEmpty()) { // as Docker's: no Health before the first start of a container with a check
            state.set("Health", health(c, view == null || view == containers.projections()));
        }
        body.put("Image", c.imageId());
        body.put("ResolvConfPath", containers.bundle(c.id()).resolve("resolv.conf").toString());
        body.put("HostnamePath", containers.bundle(c.id()).resolve("hostname").toString());
        body.put("HostsPath", containers.bundle(c.id()).resolve("hosts").toString());
        body.put("LogPath", containers.logPath(c.id()).toString());
        body.put("Name", "/" + c.name());
        body.put("RestartCount", c.restartCount());
        body.put("Driver", "overlayfs");
        body.put("Platform", "linux");
        body.set("HostConfig", hostConfigWithDefaults(stored.path("HostConfig")));
        body.set("Mounts", containers.mountsOf(c));
        body.set("Config", stored.path("Config"));
        body.set("NetworkSettings", containers.networks().settings(view == null ? containers.projections() : view, c.id(), stored,
                c.running()));
        exchange.json(200, body);
    }

    /**
     * Docker's {@code State.Health}: the verdict from the log; the failing streak and the last probes from the
     * monitor of the live state (a past state, {@code ?at=}, has the streak recorded with the verdict, no probes).
     */
    private ObjectNode health(ContainerState.ContainerRecord c, boolean live) {
        ObjectNode health = mapper.createObjectNode();
        health.put("Status", c.health());
        var monitor = live ? containers.healthMonitor(c.id()).filter(m -> m.startedAt.equals(c.startedAt())) : java.util.Optional.<HealthMonitors.Monitor>empty();
        health.put("FailingStreak", monitor.map(m -> m.failingStreak).orElse(c.healthFailingStreak()));
        ArrayNode log = health.putArray("Log");
        for (ExecService.Probe probe : monitor.map(HealthMonitors.Monitor::probes).orElse(List.of())) {
            ObjectNode entry = log.addObject();
            entry.put("Start", probe.start().toString());
            entry.put("End", probe.end().toString());
            entry.put("ExitCode", probe.exitCode());
            entry.put("Output", probe.output());
        }
        return health;
    }

    /**
     * Docker's inspect shows a container's {@code HostConfig} complete: what the request left out has the value
     * berth applies (the same as Docker's defaults), and the empty restart policy and log driver are named.
     */
    ObjectNode hostConfigWithDefaults(JsonNode requested) {
        ObjectNode host = mapper.createObjectNode();
        host.putNull("Binds");
        host.put("ContainerIDFile", "");
        ObjectNode logConfig = host.putObject("LogConfig");
        logConfig.put("Type", "local"); // see /info's LoggingDriver
        logConfig.putObject("Config");
        host.put("NetworkMode", "default");
        host.putObject("PortBindings");
        ObjectNode restart = host.putObject("RestartPolicy");
        restart.put("Name", "no");
        restart.put("MaximumRetryCount", 0);
        host.put("AutoRemove", false);
        host.put("VolumeDriver", "");
        host.putNull("VolumesFrom");
        host.putArray("ConsoleSize").add(0).add(0);
        host.putNull("CapAdd");
        host.putNull("CapDrop");
        host.put("CgroupnsMode", SecurityOptions.defaultCgroupnsMode());
        host.putArray("Dns");
        host.putArray("DnsOptions");
        host.putArray("DnsSearch");
        host.putNull("ExtraHosts");
        host.putNull("GroupAdd");
        host.put("IpcMode", "private");
        host.put("Cgroup", "");
        host.putNull("Links");
        host.put("OomScoreAdj", 0);
        host.put("PidMode", "");
        host.put("Privileged", false);
        host.put("PublishAllPorts", false);
        host.put("ReadonlyRootfs", false);
        host.putNull("SecurityOpt");
        host.put("UTSMode", "");
        host.put("UsernsMode", "");
        host.put("ShmSize", 67108864L); // the /dev/shm the runtime spec mounts
        host.put("Runtime", "runc");
        host.put("Isolation", "");
        host.put("CpuShares", 0);
        host.put("Memory", 0);
        host.put("NanoCpus", 0);
        host.put("CgroupParent", "");
        host.put("BlkioWeight", 0);
        for (String list : List.of("BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                "BlkioDeviceWriteIOps", "Devices")) {
            host.putArray(list);
        }
        for (String number : List.of("CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime")) {
            host.put(number, 0);
        }
        host.put("CpusetCpus", "");
        host.put("CpusetMems", "");
        host.putNull("DeviceCgroupRules");
        host.putNull("DeviceRequests");
        host.put("MemoryReservation", 0);
        host.put("MemorySwap", 0);
        host.putNull("MemorySwappiness");
        host.put("OomKillDisable", false);
        host.putNull("PidsLimit");
        host.putNull("Ulimits");
        host.put("CpuCount", 0);
        host.put("CpuPercent", 0);
        host.put("IOMaximumIOps", 0);
        host.put("IOMaximumBandwidth", 0);
        ArrayNode masked = host.putArray("MaskedPaths");
        RuntimeSpecBuilder.MASKED_PATHS.forEach(masked::add);
        ArrayNode readonly = host.putArray("ReadonlyPaths");
        RuntimeSpecBuilder.READONLY_PATHS.forEach(readonly::add);
        if (requested.isObject()) {
            requested.fields().forEachRemaining(f -> {
                // a null or an empty value the client sent leaves the applied default shown, as Docker's inspect does
                boolean empty = f.getValue().isNull() || (f.getValue().isTextual() && f.getValue().asText().isEmpty())
                        || (f.getKey().equals("ShmSize") && f.getValue().asLong(0) <= 0);
                if (!empty || !host.has(f.getKey())) {
                    host.set(f.getKey(), f.getValue());
                }
            });
        }
        if (host.path("Privileged").asBoolean(false)) {
            host.putNull("MaskedPaths"); // a privileged container's /proc and /sys are not masked (RuntimeSpecBuilder)
            host.putNull("ReadonlyPaths");
        }
        if (host.path("RestartPolicy").path("Name").asText("").isEmpty()) {
            ObjectNode policy = host.putObject("RestartPolicy");
            policy.put("Name", "no");
            policy.put("MaximumRetryCount", requested.path("RestartPolicy").path("MaximumRetryCount").asInt(0));
        }
        if (host.path("LogConfig").path("Type").asText("").isEmpty()) {
            ObjectNode log = host.putObject("LogConfig");
            log.put("Type", "local");
            log.set("Config", requested.path("LogConfig").path("Config").isObject() ? requested.path("LogConfig").get("Config")
                    : mapper.createObjectNode());
        }
        return host;
    }

    public void logs(ApiExchange exchange) throws IOException {
        ContainerState.ContainerRecord c = containers.require(exchange.pathParam(1));
        boolean tty = containers.config(c).path("Config").path("Tty").asBoolean(false);
        boolean stdout = exchange.queryFlag("stdout", false);
        boolean stderr = exchange.queryFlag("stderr", false);
        if (!stdout && !stderr) {
            throw ApiException.badRequest("you must choose at least one stream");
        }
        String tailText = exchange.query("tail");
        int tail = tailText == null || tailText.isBlank() || tailText.equals("all") ? -1 : parseInt("tail", tailText);
        TimeBound since = TimeBound.parse("since", exchange.query("since"));
        TimeBound until = TimeBound.parse("until", exchange.query("until"));
        ContainerLogs.Options options = new ContainerLogs.Options(stdout, stderr, exchange.queryFlag("timestamps", false), tail,
                since == null || since.time() == null || since.time().equals(Instant.EPOCH) ? null : since.time(),
                until == null ? null : until.time(), exchange.queryFlag("follow", false), tty);
        String id = c.id();
        try (OutputStream out = exchange.binary(tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream")) {
            ContainerLogs.copy(containers.logPath(id), options, out,
                    () -> containers.find(id).map(x -> x.running()).orElse(false));
        }
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid value for " + name + ": \"" + value + "\": not an integer");
        }
    }

    // ---- attach

    /**
     * {@code POST /containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1}: the container's output
     * as the response (frames, or raw with a terminal) while the request body, read as it arrives,
     * is its stdin (a full-duplex HTTP/1.1 exchange). Attaching to a container that is not running
     * waits for its next start, so a client can attach first and then start, as {@code run} does.
     */
    public void attach(ApiExchange exchange) throws Exception {
        ContainerState.ContainerRecord container = containers.require(exchange.pathParam(1));
        boolean tty = containers.config(container).path("Config").path("Tty").asBoolean(false);
        var pending = containers.attach(container.id());
        try (OutputStream out = exchange.binary(streamType(tty))) {
            out.flush();
            relay(container, tty, pending, exchange.queryFlag("stdin", false), exchange.queryFlag("stdout", false),
                    exchange.queryFlag("stderr", false), exchange.body(), out);
        }
    }

    private static String streamType(boolean tty) {
        return tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
    }

    /**
     * Attach as Docker's clients do it: {@code POST /containers/{id}/attach} upgraded to a raw
     * connection (101), then the socket carries stdin in and the output out, as {@link #attach}'s
     * request and response bodies do.
     */
    public io.berth.engine.api.Hijack attachHijack() {
        return new io.berth.engine.api.Hijack() {
            @Override
            public String mediaType(Request request) {
                return containers.find(request.pathParam(1))
                        .map(c -> streamType(containers.config(c).path("Config").path("Tty").asBoolean(false)))
                        .orElse(null);
            }

            @Override
            public void run(Request request, java.io.InputStream in, OutputStream out) throws Exception {
                ContainerState.ContainerRecord container = containers.require(request.pathParam(1));
                boolean tty = containers.config(container).path("Config").path("Tty").asBoolean(false);
                var pending = containers.attach(container.id());
                relay(container, tty, pending, request.queryFlag("stdin", false), request.queryFlag("stdout", false),
                        request.queryFlag("stderr", false), in, out);
            }
        };
    }

    /** Copies the client's input to the attached process's stdin and its output to the client until it ends. */
    private void relay(ContainerState.ContainerRecord container, boolean tty,
                       java.util.concurrent.CompletableFuture<io.berth.spi.runtime.StdioStreams> pending,
                       boolean wantStdin, boolean wantStdout, boolean wantStderr, java.io.InputStream body, OutputStream out)
            throws InterruptedException {
        io.berth.spi.runtime.StdioStreams stdio;
        try {
            stdio = pending.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return; // the start failed: the starter answered the start request with why
        }
        containers.attached(container.id(), stdio);
        try (stdio) {
            Thread input = null;
            if (wantStdin) {
                input = Thread.ofVirtual().start(() -> {
                    try (OutputStream stdin = stdio.stdin()) {
                        body.transferTo(stdin);
                    } catch (IOException e) {
                        // the container or the client closed its side
                    }
                });
            }
            Thread errors = Thread.ofVirtual().start(() -> copyFrames(stdio.stderr(), out, tty ? 0 : 2, wantStderr));
            copyFrames(stdio.stdout(), out, tty ? 0 : 1, wantStdout);
            errors.join();
            if (input != null) {
                input.interrupt();
            }
        } finally {
            containers.detached(container.id(), stdio);
        }
    }

    private static void copyFrames(java.io.InputStream in, OutputStream out, int stream, boolean wanted) {
        byte[] buffer = new byte[8192];
        try (in) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (!wanted || read == 0) {
                    continue;
                }
                synchronized (out) {
                    if (stream == 0) {
                        out.write(buffer, 0, read);
                    } else {
                        ContainerLogs.frame(out, stream, java.util.Arrays.copyOf(buffer, read));
                    }
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the container's stream ended or the client went away
        }
    }

    /** {@code POST /containers/{id}/resize?h=&w=}: the terminal size of an attached container. */
    public void resize(ApiExchange exchange) throws IOException {
        ContainerState.ContainerRecord container = containers.require(exchange.pathParam(1));
        int rows = parseInt("h", exchange.query("h") == null ? "24" : exchange.query("h"));
        int columns = parseInt("w", exchange.query("w") == null ? "80" : exchange.query("w"));
        containers.resize(container.id(), rows, columns);
        exchange.text(200, "");
    }

    // ---- files and processes

    /** {@code GET|HEAD /containers/{id}/archive?path=}: a tar of the path, with Docker's path-stat header. */
    public void archiveGet(ApiExchange exchange) throws IOException {
        String path = requirePath(exchange);
        String id = exchange.pathParam(1);
        if ("HEAD".equals(exchange.method())) {
            String stat = containers.withView(id, root -> ContainerFiles.pathStat(root, path, mapper));
            exchange.header("X-Docker-Container-Path-Stat", stat);
            exchange.text(200, "");
            return;
        }
        containers.withView(id, root -> {
            exchange.header("X-Docker-Container-Path-Stat", ContainerFiles.pathStat(root, path, mapper));
            try (OutputStream out = exchange.binary("application/x-tar")) {
                ContainerFiles.copyOut(root, path, out);
            }
            return null;
        });
    }

    /** {@code PUT /containers/{id}/archive?path=}: extracts the tar body into the directory {@code path}. */
    public void archivePut(ApiExchange exchange) throws IOException {
        String path = requirePath(exchange);
        String id = exchange.pathParam(1);
        containers.withView(id, root -> {
            try (var body = exchange.body()) {
                try {
                    containers.checkCopyTarget(id, ContainerPaths.resolve(root, path));
                    ContainerFiles.copyIn(root, path, body);
                } catch (IOException | RuntimeException e) {
                    // a refusal is answered after a bounded part of what the client is still sending is read,
                    // so the client hears the answer instead of a broken pipe
                    drain(body, REFUSED_BODY_READ);
                    throw e;
                }
                // the tar reader stops at the end-of-archive blocks; the client may still be sending the record's
                // padding, and answering before it is read lets Jetty close the connection under the client (EPIPE)
                body.transferTo(OutputStream.nullOutputStream());
            }
            return null;
        });
        exchange.text(200, "");
    }

    /** How much of a refused copy's body is read before the refusal is answered. */
    private static final long REFUSED_BODY_READ = 16L << 20;

    private static void drain(java.io.InputStream body, long limit) {
        try {
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            int n;
            while (read < limit && (n = body.read(buffer, 0, (int) Math.min(buffer.length, limit - read))) > 0) {
                read += n;
            }
        } catch (IOException ignored) {
            // the client stopped sending: the answer goes out anyway
        }
    }

    private static String requirePath(ApiExchange exchange) {
        String path = exchange.query("path");
        if (path == null || path.isBlank()) {
            throw ApiException.badRequest("path is required");
        }
        return path.startsWith("/") ? path : "/" + path;
    }

    /** {@code GET /containers/{id}/changes}. */
    public void changes(ApiExchange exchange) throws IOException {
        exchange.json(200, containers.changes(exchange.pathParam(1)));
    }

    /** {@code GET /containers/{id}/top?ps_args=}. */
    public void top(ApiExchange exchange) throws IOException {
        ContainerState.ContainerRecord container = containers.require(exchange.pathParam(1));
        if (!container.running()) {
            throw new ApiException(409, "Container " + container.id() + " is not running");
        }
        exchange.json(200, ContainerFiles.top(resources.processes(container.id()), exchange.query("ps_args")));
    }

    // ---- commit and export

    private ContainerCommit commits;

    /** Serves {@code POST /commit} through {@code commits}. */
    public ContainerEndpoints withCommits(ContainerCommit commits) {
        this.commits = commits;
        return this;
    }

    /**
     * {@code POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=}, the body a {@code Config} to
     * merge (optional): 201 with the new image's id.
     */
    public void commit(ApiExchange exchange) throws IOException {
        String container = exchange.query("container");
        if (container == null || container.isBlank()) {
            throw ApiException.badRequest("container is required");
        }
        JsonNode config = body(exchange);
        String id = commits.commit(new ContainerCommit.Request(container, exchange.query("repo"), exchange.query("tag"),
                exchange.query("comment"), exchange.query("author"), exchange.queryFlag("pause", true),
                exchange.queryAll("changes"), config), exchange.context());
        exchange.json(201, Map.of("Id", id));
    }

    /** {@code GET /containers/{id}/export}: the container's filesystem as one tar. */
    public void export(ApiExchange exchange) throws IOException {
        String id = containers.require(exchange.pathParam(1)).id();
        containers.withView(id, root -> {
            try (OutputStream out = exchange.binary("application/x-tar")) {
                ContainerFiles.exportTree(root, out);
            }
            return null;
        });
    }

    // ---- the cgroup: pause, unpause, update, stats

    private ContainerResources resources;

    /** Serves pause, unpause, update, stats and top through {@code resources}. */
    public ContainerEndpoints withResources(ContainerResources resources) {
        this.resources = resources;
        return this;
    }

    /** {@code POST /containers/{id}/pause}. */
    public void pause(ApiExchange exchange) throws IOException {
        resources.pause(exchange.pathParam(1), exchange.context());
        exchange.text(204, "");
    }

    /** {@code POST /containers/{id}/unpause}. */
    public void unpause(ApiExchange exchange) throws IOException {
        resources.unpause(exchange.pathParam(1), exchange.context());
        exchange.text(204, "");
    }

    /** {@code POST /containers/{id}/update}: Docker's {@code ContainerUpdate} body (resources and restart policy). */
    public void update(ApiExchange exchange) throws IOException {
        exchange.json(200, resources.update(exchange.pathParam(1), body(exchange), exchange.context()));
    }

    /**
     * {@code GET /containers/{id}/stats?stream=&one-shot=}: one JSON document per second while streaming (until
     * the client leaves or the container stops), else one; without {@code one-shot} a single answer waits for a
     * second sample so that {@code precpu_stats} is filled, as Docker's does.
     */
    public void stats(ApiExchange exchange) throws IOException {
        ContainerState.ContainerRecord first = containers.require(exchange.pathParam(1));
        boolean stream = exchange.queryFlag("stream", true);
        boolean oneShot = exchange.queryFlag("one-shot", false);
        if (oneShot && stream) {
            throw ApiException.badRequest("cannot have stream=true and one-shot=true");
        }
        String mode = containers.config(first).path("HostConfig").path("NetworkMode").asText("");
        boolean networks = !mode.equals("none") && !mode.equals("host");
        String id = first.id();
        DockerStats.Sample previous = null;
        DockerStats.Sample current = sample(first);
        if (!stream) {
            if (!oneShot && current.stats() != null) {
                sleep(1000);
                previous = current;
                current = containers.find(id).map(this::sample).orElse(previous);
            }
            ContainerState.ContainerRecord now = containers.find(id).orElse(first);
            exchange.json(200, DockerStats.render(id, now.name(), current, previous, now.pid(), networks));
            return;
        }
        try (OutputStream out = exchange.binary("application/json")) {
            while (true) {
                ContainerState.ContainerRecord now = containers.find(id).orElse(null);
                if (now == null) {
                    return;
                }
                out.write(mapper.writeValueAsBytes(DockerStats.render(id, now.name(), current, previous, now.pid(), networks)));
                out.write('\n');
                out.flush();
                sleep(1000);
                previous = current;
                Optional<ContainerState.ContainerRecord> next = containers.find(id);
                if (next.isEmpty()) {
                    return;
                }
                current = sample(next.get());
            }
        }
    }

    private DockerStats.Sample sample(ContainerState.ContainerRecord container) {
        return DockerStats.Sample.of(resources.sample(container).orElse(null));
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    // ---- exec

    private ExecService execs;

    /** Serves exec requests through {@code execs}. */
    public ContainerEndpoints withExecs(ExecService execs) {
        this.execs = execs;
        return this;
    }

    public void execCreate(ApiExchange exchange) throws IOException {
        String id = execs.create(exchange.pathParam(1), body(exchange));
        exchange.json(201, Map.of("Id", id));
    }

    /**
     * {@code POST /exec/{id}/start}: with a JSON body ({@code Detach}, {@code Tty}) as Docker; or,
     * with {@code ?stream=1}, a full-duplex exchange: the request body, read as it arrives, is the
     * process's stdin (for an exec created with {@code AttachStdin}) while the response streams its
     * output (raw if the exec was created with {@code Tty}, frames otherwise).
     */
    public void execStart(ApiExchange exchange) throws IOException {
        if (exchange.queryFlag("stream", false)) {
            String execId = exchange.pathParam(1);
            boolean tty = execs.tty(execId);
            var stdin = exchange.body();
            try (OutputStream out = exchange.binary(tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream")) {
                out.flush();
                execs.start(execId, false, stdin, out, exchange.context());
            }
            return;
        }
        JsonNode body = body(exchange);
        boolean detach = body.path("Detach").asBoolean(false);
        boolean tty = body.path("Tty").asBoolean(false);
        if (detach) {
            String execId = exchange.pathParam(1);
            var context = exchange.context();
            Thread.ofVirtual().start(() -> {
                try {
                    execs.start(execId, true, null, context);
                } catch (IOException | RuntimeException e) {
                    // a detached exec's failure shows in its inspect output and its ExecExited event
                }
            });
            exchange.text(200, "");
            return;
        }
        try (OutputStream out = exchange.binary(tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream")) {
            execs.start(exchange.pathParam(1), false, out, exchange.context());
        }
    }

    /**
     * Exec start as Docker's clients do it: {@code POST /exec/{id}/start} with its JSON body, upgraded
     * to a raw connection (101) that carries the process's stdin in and its output out. A detached
     * start is left to {@link #execStart}.
     */
    public io.berth.engine.api.Hijack execStartHijack() {
        return new io.berth.engine.api.Hijack() {
            @Override
            public String mediaType(Request request) {
                try {
                    return streamType(execs.tty(request.pathParam(1)));
                } catch (ContainerException e) {
                    return null;
                }
            }

            @Override
            public void run(Request request, java.io.InputStream in, OutputStream out) throws Exception {
                String text = request.bodyText();
                JsonNode body = text.isBlank() ? mapper.createObjectNode() : mapper.readTree(text);
                if (body.path("Detach").asBoolean(false)) {
                    execs.start(request.pathParam(1), true, null, request.context());
                    return;
                }
                execs.start(request.pathParam(1), false, in, out, request.context());
            }
        };
    }

    /** {@code POST /exec/{id}/resize?h=&w=}: the terminal size of a running exec. */
    public void execResize(ApiExchange exchange) throws IOException {
        int rows = parseInt("h", exchange.query("h") == null ? "24" : exchange.query("h"));
        int columns = parseInt("w", exchange.query("w") == null ? "80" : exchange.query("w"));
        execs.resize(exchange.pathParam(1), rows, columns);
        exchange.text(200, "");
    }

    public void execInspect(ApiExchange exchange) throws IOException {
        exchange.json(200, execs.inspect(exchange.pathParam(1)));
    }

    // ---- volumes

    public void volumeCreate(ApiExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        body.path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        String driver = body.path("Driver").asText("local");
        if (!driver.isEmpty() && !driver.equals("local")) {
            throw ApiException.badRequest("volume driver " + driver + " is not supported: only local");
        }
        VolumeService.Created created = volumes.create(body.path("Name").asText(""), labels, false, exchange.context());
        exchange.json(201, volumeJson(created.volume()));
    }

    /** {@code GET /volumes?filters=}: Docker's {@code name} (a substring), {@code label}, {@code dangling} and {@code driver}. */
    public void volumeList(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = io.berth.engine.api.DockerFilters.parse(exchange.query("filters"), mapper,
                java.util.Set.of("name", "label", "dangling", "driver"), key -> "invalid filter '" + key + "'");
        Boolean dangling = io.berth.engine.api.FilterMatch.bool(filters, "dangling");
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode list = answer.putArray("Volumes");
        io.berth.engine.projection.Projections view = view(exchange);
        for (ContainerState.VolumeRecord v : view == null ? volumes.list() : volumes.list(view)) {
            if (filters.containsKey("name") && filters.get("name").stream().noneMatch(v.name::contains)
                    || filters.containsKey("driver") && !filters.get("driver").contains(v.driver)
                    || !io.berth.engine.api.FilterMatch.labelsMatchAll(v.labels, filters.getOrDefault("label", List.of()))
                    || dangling != null && dangling == volumes.inUse(v.name)) {
                continue;
            }
            list.add(volumeJson(v));
        }
        answer.putArray("Warnings");
        exchange.json(200, answer);
    }

    public void volumeInspect(ApiExchange exchange) throws IOException {
        String name = exchange.pathParam(1);
        io.berth.engine.projection.Projections view = view(exchange);
        exchange.json(200, volumeJson((view == null ? volumes.find(name) : volumes.find(view, name)).orElseThrow(() -> ApiException.notFound("get " + name + ": no such volume"))));
    }

    public void volumeRemove(ApiExchange exchange) throws IOException {
        volumes.remove(exchange.pathParam(1), exchange.queryFlag("force", false), exchange.context());
        exchange.text(204, "");
    }

    public void volumePrune(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = io.berth.engine.api.DockerFilters.parse(exchange.query("filters"), mapper,
                java.util.Set.of("all", "label", "label!"), key -> "invalid filter '" + key + "'");
        Boolean all = io.berth.engine.api.FilterMatch.bool(filters, "all");
        if (all == null && exchange.apiVersionBefore(1, 42)) {
            all = true; // before API 1.42 (Docker 23) a prune removed every unused volume, named ones too; 20.10's CLI speaks 1.41
        }
        List<String> labels = filters.getOrDefault("label", List.of());
        List<String> notLabels = filters.getOrDefault("label!", List.of());
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode deleted = answer.putArray("VolumesDeleted");
        volumes.prune(all != null && all, v -> io.berth.engine.api.FilterMatch.labelsMatchAll(v.labels, labels)
                && !io.berth.engine.api.FilterMatch.labelsMatchAny(v.labels, notLabels), exchange.context()).forEach(deleted::add);
        answer.put("SpaceReclaimed", 0);
        exchange.json(200, answer);
    }

    private ObjectNode volumeJson(ContainerState.VolumeRecord v) {
        ObjectNode node = mapper.createObjectNode();
        node.put("Name", v.name);
        node.put("Driver", v.driver);
        node.put("Mountpoint", v.mountpoint);
        node.put("CreatedAt", v.createdAt);
        node.set("Labels", mapper.valueToTree(v.labels));
        node.put("Scope", "local");
        node.putObject("Options");
        return node;
    }
}
