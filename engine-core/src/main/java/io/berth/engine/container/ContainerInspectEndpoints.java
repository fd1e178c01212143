package io.berth.engine.container;

import io.berth.engine.projection.Projections;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.text.format.Units;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** Docker's container reads: list ({@code ps}), inspect and stats, for now or (list, inspect) a past moment. */
final class ContainerInspectEndpoints extends ContainerApiSupport {
    ContainerInspectEndpoints(Wiring wiring) {
        super(wiring);
    }

    /** {@code GET /containers/json?all=&filters=}: see {@link ContainerFilters} for the filters. */
    public void list(ApiExchange exchange) throws IOException {
        ContainerFilters filters = ContainerFilters.parse(exchange.query("filters"), mapper, containers::find);
        boolean all = exchange.queryFlag("all", false) || filters.includesStopped();
        Projections view = view(exchange);
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

    /** Docker's {@code HumanDuration} of the time since {@code time} (as the CLI's CREATED column), as its State.String() words a status. */
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
        Projections view = view(exchange);
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
        return DockerStats.Sample.of(resources().sample(container).orElse(null));
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }
}
