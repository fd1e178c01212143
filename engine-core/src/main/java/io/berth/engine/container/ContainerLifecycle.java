package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.RequestContext;
import io.berth.spi.runtime.ContainerRuntimeException;
import java.time.Duration;

/**
 * Create, start, stop, kill and restart. Each verb validates and completes its request into a
 * {@link ContainerCommand}, lets the {@link ContainerDecider} judge it against the log's state, and then performs
 * the side effects (the runtime's signal, the start's launch) and records what was decided.
 */
final class ContainerLifecycle {
    private static final System.Logger LOG = System.getLogger("berth.containers");

    private final ContainerService containers;
    private final ContainerGuards guards;
    private final ContainerWaits waits;
    private final ExitSupervisor exits;
    private final ObjectMapper mapper;

    ContainerLifecycle(ContainerService containers, ContainerGuards guards, ContainerWaits waits, ExitSupervisor exits, ObjectMapper mapper) {
        this.containers = containers;
        this.guards = guards;
        this.waits = waits;
        this.exits = exits;
        this.mapper = mapper;
    }

    /** Creates a container from Docker's create body; gives its id. */
    String create(JsonNode request, String requestedName, RequestContext context) {
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
        containers.networks().validate((ObjectNode) host, networking);
        validateContainerNetworkMode(request, host);
        String name;
        try {
            name = requestedName == null || requestedName.isBlank() ? null : ContainerNames.validate(requestedName);
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
        ImageService images = containers.images();
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
        if (config.path("Hostname").asText("").isEmpty()) {
            config.put("Hostname", id.substring(0, 12));
        }
        ObjectNode stored = mapper.createObjectNode();
        stored.set("Config", config);
        stored.set("HostConfig", host);
        if (networking.path("EndpointsConfig").isObject() && !networking.path("EndpointsConfig").isEmpty()) {
            stored.set("NetworkingConfig", networking);
        }
        synchronized (containers) {
            if (name == null) {
                do {
                    name = ContainerNames.randomName();
                } while (containers.find(name).isPresent());
            }
            containers.record(context, containers.decide(new ContainerCommand.CreateContainer(id, name, imageName, image.id(),
                    stored.toString())));
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
        if (containers.find(target).isEmpty()) {
            throw ContainerException.notFound("No such container: " + target);
        }
    }

    /** Starts a created or exited container; false for one that runs already (Docker's 304). */
    boolean start(String idOrName, RequestContext context) {
        ContainerState.ContainerRecord first = containers.require(idOrName);
        synchronized (guards.lock(first.id())) {
            // again under the lock: the release of its last exit may just have finished
            ContainerState.ContainerRecord container = containers.require(first.id());
            if (containers.decide(new ContainerCommand.StartContainer(container.id())) instanceof ContainerDecider.Decision.Unchanged) {
                return false;
            }
            if (!guards.takeReleased(container.id()) && container.everStarted()) {
                // its last exit is not released yet (a restart right after the stop won the lock): release it now
                exits.releaseRuntime(container.id());
            }
            try {
                new ContainerStarter(containers, mapper).start(container, containers.config(container), context);
            } catch (RuntimeException e) {
                waits.ended(container.id());
                throw e;
            }
            // a short-lived process may have ended before ContainerStarted was recorded: its exit file
            // already exists and the watcher will not be woken again, so look now
            exits.checkExit(container.id());
            containers.healthWatch(container.id());
        }
        return true;
    }

    /** Sends the container's stop signal, waits {@code timeout} seconds, then SIGKILL; false when it did not run. */
    boolean stop(String idOrName, Integer timeoutSeconds, String signalOverride, RequestContext context) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        if (!container.running()) {
            return false;
        }
        JsonNode config = containers.config(container).path("Config");
        String signalName = signalOverride != null && !signalOverride.isBlank() ? signalOverride
                : config.path("StopSignal").asText("SIGTERM");
        int timeout = timeoutSeconds != null ? timeoutSeconds : config.path("StopTimeout").asInt(10);
        int signal = parseSignal(signalName);
        guards.stopping(container.id());
        boolean exited;
        try {
            ContainerDecider.Decision decision = containers.decide(new ContainerCommand.StopContainer(container.id(), signal));
            if (decision instanceof ContainerDecider.Decision.Unchanged) {
                return false; // it exited meanwhile
            }
            signal(container, signal, decision, context);
            exited = waits.awaitExit(container.id(), timeout < 0 ? Duration.ofDays(365) : Duration.ofSeconds(timeout));
            if (!exited) {
                signal(container, 9, containers.decide(new ContainerCommand.SignalContainer(container.id(), 9)), context);
                exited = waits.awaitExit(container.id(), Duration.ofSeconds(10));
            }
        } finally {
            guards.stopped(container.id());
        }
        if (exited && containers.decide(new ContainerCommand.RecordStopped(container.id())) instanceof ContainerDecider.Decision.Accepted stopped) {
            containers.record(context, stopped); // Docker's stop, after its die
        }
        return true;
    }

    /** Docker's kill: {@code signalName} (SIGKILL when none) to a running container. */
    void kill(String idOrName, String signalName, RequestContext context) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        if (!container.running()) {
            // refused before the signal is read, as Docker: a stopped container's answer is its state
            containers.decide(new ContainerCommand.KillContainer(container.id(), idOrName, 9)).eventsOrThrow();
        }
        int signal = parseSignal(signalName == null || signalName.isBlank() ? "SIGKILL" : signalName);
        signal(container, signal, containers.decide(new ContainerCommand.KillContainer(container.id(), idOrName, signal)), context);
    }

    /** SIGKILL on the daemon's behalf (a forced removal), then waits up to ten seconds for the exit. */
    void killAndAwait(ContainerState.ContainerRecord container, RequestContext context) {
        guards.stopping(container.id());
        try {
            signal(container, 9, containers.decide(new ContainerCommand.SignalContainer(container.id(), 9)), context);
            waits.awaitExit(container.id(), Duration.ofSeconds(10));
        } finally {
            guards.stopped(container.id());
        }
    }

    void restart(String idOrName, Integer timeout, RequestContext context) {
        stop(idOrName, timeout, null, context);
        start(idOrName, context);
    }

    private static int parseSignal(String name) {
        try {
            return Signals.parse(name);
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
    }

    /**
     * Records the decided ContainerKilled (a refusal is thrown), then sends {@code signal}; a paused container is
     * thawed to receive it.
     */
    private void signal(ContainerState.ContainerRecord container, int signal, ContainerDecider.Decision decision, RequestContext context) {
        containers.record(context, decision);
        try {
            containers.runtime().kill(container.id(), signal);
        } catch (ContainerRuntimeException e) {
            // it may have exited in between: the exit watcher records that
            LOG.log(System.Logger.Level.DEBUG, "kill " + container.id() + ": " + e.getMessage());
        }
        if (containers.find(container.id()).map(ContainerState.ContainerRecord::paused).orElse(false)) {
            // a frozen process receives the signal only once thawed; Docker thaws a paused container it signals too
            try {
                containers.runtime().resume(container.id());
                if (containers.decide(new ContainerCommand.UnpauseContainer(container.id())) instanceof ContainerDecider.Decision.Accepted thawed) {
                    containers.record(context, thawed);
                }
            } catch (ContainerRuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "resume of " + container.id() + " after a signal: " + e.getMessage());
            }
        }
        exits.checkExit(container.id());
    }
}
