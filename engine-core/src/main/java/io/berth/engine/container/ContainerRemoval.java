package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.engine.journal.RequestContext;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Remove (with its writable layer, bundle and, on request, anonymous volumes), rename and prune. */
final class ContainerRemoval {
    private static final System.Logger LOG = System.getLogger("berth.containers");

    private final ContainerService containers;
    private final ContainerGuards guards;
    private final ContainerWaits waits;

    ContainerRemoval(ContainerService containers, ContainerGuards guards, ContainerWaits waits) {
        this.containers = containers;
        this.guards = guards;
        this.waits = waits;
    }

    void remove(String idOrName, boolean force, boolean removeVolumes, RequestContext context) {
        ContainerState.ContainerRecord first = containers.require(idOrName);
        if (first.running()) {
            refuseUnlessForced(first, force);
            containers.lifecycle().killAndAwait(first, context);
        }
        synchronized (guards.lock(first.id())) {
            ContainerState.ContainerRecord container = containers.require(first.id());
            removeLocked(container, force, removeVolumes, context);
        }
        guards.forget(first.id());
        waits.removed(first.id());
    }

    /** Docker's refusal to remove a running container without {@code force}. */
    private void refuseUnlessForced(ContainerState.ContainerRecord container, boolean force) {
        containers.decide(new ContainerCommand.RemoveContainer(container.id(), force, List.of())).eventsOrThrow();
    }

    private void removeLocked(ContainerState.ContainerRecord container, boolean force, boolean removeVolumes, RequestContext context) {
        if (container.running()) {
            // started again between the kill and the lock
            refuseUnlessForced(container, force);
            containers.lifecycle().killAndAwait(container, context);
        }
        if (!guards.takeReleased(container.id())) {
            containers.exits().releaseRuntime(container.id());
        }
        try {
            if (containers.storage().snapshot(container.id()).isPresent()) {
                containers.storage().removeSnapshot(container.id());
            }
        } catch (StorageException e) {
            throw ContainerException.internal("cannot remove the writable layer of " + container.id() + ": " + e.getMessage());
        }
        VolumeService volumes = containers.volumes();
        List<String> anonymous = new ArrayList<>();
        for (JsonNode mount : containers.rootfs().mountsOf(container)) {
            String volume = mount.path("Name").asText("");
            boolean isAnonymous = volumes.find(volume).map(v -> v.anonymous).orElse(false);
            if (removeVolumes && isAnonymous) {
                anonymous.add(volume);
            }
        }
        VolumeService.deleteTree(containers.bundle(container.id()));
        try {
            Files.deleteIfExists(containers.exitDir().resolve(container.id()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "exit file of " + container.id() + ": " + e.getMessage());
        }
        // forced: it was killed above, and a kill that did not end it in time leaves no running container behind either
        containers.record(context, containers.decide(new ContainerCommand.RemoveContainer(container.id(), true, anonymous)));
        containers.healthForget(container.id());
        for (String volume : anonymous) {
            try {
                volumes.remove(volume, false, context);
            } catch (VolumeException e) {
                LOG.log(System.Logger.Level.WARNING, "volume " + volume + " kept: " + e.getMessage());
            }
        }
    }

    void rename(String idOrName, String newName, RequestContext context) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        String name;
        try {
            name = ContainerNames.validate(newName);
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid(e.getMessage());
        }
        synchronized (containers) {
            containers.record(context, containers.decide(new ContainerCommand.RenameContainer(container.id(), name)));
        }
    }

    /** Removes the containers that are not running and pass {@code filter} (labels, until). */
    Map<String, Object> prune(Predicate<ContainerState.ContainerRecord> filter, RequestContext context) {
        List<String> deleted = new ArrayList<>();
        for (ContainerState.ContainerRecord container : containers.list()) {
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
}
