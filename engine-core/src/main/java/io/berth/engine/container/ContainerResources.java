package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ResourceStats;
import io.berth.spi.runtime.ResourceUpdate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a running container's cgroup is for: {@code pause}/{@code unpause} (the freezer), {@code update}
 * (new limits and restart policy), its processes ({@code top}) and one sample of its use ({@code stats}).
 * The runtime plugin does the cgroup work; this class checks the container's state, records the events and
 * keeps the recorded configuration in step with what the runtime applied.
 */
public final class ContainerResources {
    private final ContainerService containers;

    public ContainerResources(ContainerService containers) {
        this.containers = containers;
    }

    /** {@code docker pause}: 409 unless running and not paused, as Docker. */
    public void pause(String idOrName, RequestContext context) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        if (!container.running()) {
            throw ContainerException.conflict("Container " + container.id() + " is not running");
        }
        if (container.paused()) {
            throw ContainerException.conflict("Container " + container.id() + " is already paused");
        }
        act("pause", container.id(), () -> containers.runtime().pause(container.id()));
        containers.journal().record(context, new ContainerEvent.ContainerPaused(container.id()));
    }

    /** {@code docker unpause}: 409 unless paused, as Docker. */
    public void unpause(String idOrName, RequestContext context) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        if (!container.paused() || !container.running()) {
            throw ContainerException.conflict("Container " + container.id() + " is not paused");
        }
        act("unpause", container.id(), () -> containers.runtime().resume(container.id()));
        containers.journal().record(context, new ContainerEvent.ContainerUnpaused(container.id()));
    }

    /** The host pids of a running container's processes, as the runtime finds them in its cgroup. */
    public List<Long> processes(String idOrName) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        if (!container.running()) {
            throw ContainerException.conflict("Container " + container.id() + " is not running");
        }
        return call("list the processes of", container.id(), () -> containers.runtime().processes(container.id()));
    }

    /** One sample of a running container's cgroup counters, or empty when it is not running. */
    public java.util.Optional<ResourceStats> sample(ContainerState.ContainerRecord container) {
        if (!container.running()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(containers.runtime().stats(container.id()));
        } catch (ContainerRuntimeException e) {
            if (e.reason() == ContainerRuntimeException.Reason.NOT_SUPPORTED) {
                throw ContainerException.notSupported(e.getMessage());
            }
            // it ended between the look and the sample: a stopped container's stats are zeros, as Docker's
            return java.util.Optional.empty();
        }
    }

    /** The HostConfig fields {@code update} accepts (Docker's {@code ContainerUpdate} body). */
    static final List<String> UPDATABLE = List.of("Memory", "MemorySwap", "MemoryReservation", "NanoCpus", "CpuShares",
            "CpuQuota", "CpuPeriod", "CpusetCpus", "CpusetMems", "PidsLimit", "BlkioWeight", "RestartPolicy");

    /**
     * {@code docker update}: Docker's checks, then the new limits applied in place to a running container, then
     * {@code ContainerUpdated} with the configuration the next start will use.
     *
     * @return Docker's answer, {@code {"Warnings": […]}}
     */
    public Map<String, Object> update(String idOrName, JsonNode body, RequestContext context) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        ObjectNode config = (ObjectNode) containers.config(container).deepCopy();
        ObjectNode host = config.has("HostConfig") && config.get("HostConfig").isObject()
                ? (ObjectNode) config.get("HostConfig") : config.putObject("HostConfig");
        Map<String, String> changes = new TreeMap<>();
        for (String field : UPDATABLE) {
            JsonNode value = body.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            // Docker's client sends every resource field, zero meaning "leave as it is"
            if (value.isNumber() && value.asLong() == 0 || value.isTextual() && value.asText().isEmpty()
                    || field.equals("RestartPolicy") && value.path("Name").asText("").isEmpty()) {
                continue;
            }
            changes.put(field, value.isTextual() ? value.asText() : value.toString());
        }
        if (changes.isEmpty()) {
            return Map.of("Warnings", List.of());
        }
        check(body, host, container);
        for (String field : changes.keySet()) {
            host.set(field, body.get(field));
        }
        if (changes.containsKey("NanoCpus")) {
            host.put("CpuQuota", 0);
            host.put("CpuPeriod", 0);
        } else if (changes.containsKey("CpuQuota") || changes.containsKey("CpuPeriod")) {
            host.put("NanoCpus", 0);
        }
        if (changes.containsKey("Memory") && !changes.containsKey("MemorySwap") && host.path("MemorySwap").asLong(0) == 0) {
            // no swap limit was set: the memory limit alone changes, swap stays unlimited (runc would
            // otherwise keep the old memory+swap limit below the new memory limit)
            host.put("MemorySwap", -1);
        }
        ContainerConfigs.validateHostConfig(host);
        if (container.running()) {
            ResourceUpdate update = resourceUpdate(host, changes);
            if (!update.isEmpty()) {
                act("update", container.id(), () -> containers.runtime().update(container.id(), update));
            }
        }
        containers.journal().record(context, new ContainerEvent.ContainerUpdated(container.id(), changes, config.toString()));
        return Map.of("Warnings", List.of());
    }

    /** Docker's refusals for an update, with its wording. */
    private static void check(JsonNode body, JsonNode host, ContainerState.ContainerRecord container) {
        long nano = body.path("NanoCpus").asLong(0);
        if (nano != 0 && (body.path("CpuQuota").asLong(0) != 0 || body.path("CpuPeriod").asLong(0) != 0)) {
            throw ContainerException.invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        if (nano != 0 && body.path("CpuQuota").asLong(0) == 0 && host.path("CpuQuota").asLong(0) > 0 && host.path("NanoCpus").asLong(0) == 0) {
            throw ContainerException.conflict("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
        }
        long period = body.path("CpuPeriod").asLong(0);
        if (period != 0 && (period < 1000 || period > 1_000_000)) {
            throw ContainerException.invalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        }
        long quota = body.path("CpuQuota").asLong(0);
        if (quota > 0 && quota < 1000) {
            throw ContainerException.invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        }
        long weight = body.path("BlkioWeight").asLong(0);
        if (weight != 0 && (weight < 10 || weight > 1000)) {
            throw ContainerException.invalid("Range of blkio weight is from 10 to 1000");
        }
        long memory = body.path("Memory").asLong(0);
        long swap = body.path("MemorySwap").asLong(0);
        long currentSwap = host.path("MemorySwap").asLong(0);
        if (memory > 0 && swap == 0 && currentSwap > 0 && memory > currentSwap) {
            throw ContainerException.invalid("Memory limit should be smaller than already set memoryswap limit, "
                    + "update the memoryswap at the same time");
        }
        if (swap > 0 && memory > 0 && swap < memory) {
            throw ContainerException.invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
        }
        String restart = body.path("RestartPolicy").path("Name").asText("");
        if (!restart.isEmpty() && !restart.equals("no") && container.configJson().contains("\"AutoRemove\":true")) {
            throw ContainerException.invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
        }
    }

    /** The limits to apply in place, in the runtime's units; the restart policy is the engine's alone. */
    private static ResourceUpdate resourceUpdate(JsonNode host, Map<String, String> changes) {
        Long quota = null;
        Long period = null;
        if (changes.containsKey("NanoCpus")) {
            period = 100_000L;
            quota = host.path("NanoCpus").asLong() * period / 1_000_000_000L;
        } else {
            if (changes.containsKey("CpuQuota")) {
                quota = host.path("CpuQuota").asLong();
            }
            if (changes.containsKey("CpuPeriod")) {
                period = host.path("CpuPeriod").asLong();
            }
        }
        boolean memory = changes.containsKey("Memory");
        return new ResourceUpdate(
                memory ? host.path("Memory").asLong() : null,
                memory || changes.containsKey("MemorySwap") ? (Long) host.path("MemorySwap").asLong() : null,
                changes.containsKey("MemoryReservation") ? host.path("MemoryReservation").asLong() : null,
                changes.containsKey("CpuShares") ? host.path("CpuShares").asLong() : null,
                quota, period,
                changes.containsKey("CpusetCpus") ? host.path("CpusetCpus").asText() : null,
                changes.containsKey("CpusetMems") ? host.path("CpusetMems").asText() : null,
                changes.containsKey("PidsLimit") ? host.path("PidsLimit").asLong() : null,
                changes.containsKey("BlkioWeight") ? host.path("BlkioWeight").asLong() : null);
    }

    /** Runs a runtime call and turns its refusal into the slice's kinds of refusal (Docker's status codes). */
    private <T> T call(String verb, String id, RuntimeCall<T> call) {
        try {
            return call.run();
        } catch (ContainerRuntimeException e) {
            ContainerException.Kind kind = switch (e.reason()) {
                case NOT_FOUND, WRONG_STATE -> ContainerException.Kind.CONFLICT;
                case NOT_SUPPORTED -> ContainerException.Kind.NOT_SUPPORTED;
                default -> ContainerException.Kind.INTERNAL;
            };
            throw ContainerException.of(kind, "Cannot " + verb + " container " + id.substring(0, Math.min(12, id.length())) + ": "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private void act(String verb, String id, RuntimeAction action) {
        call(verb, id, () -> {
            action.run();
            return null;
        });
    }

    @FunctionalInterface
    private interface RuntimeCall<T> {
        T run() throws ContainerRuntimeException;
    }

    @FunctionalInterface
    private interface RuntimeAction {
        void run() throws ContainerRuntimeException;
    }
}
