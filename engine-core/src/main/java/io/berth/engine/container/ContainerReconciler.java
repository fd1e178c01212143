package io.berth.engine.container;

import io.berth.spi.storage.Snapshot;
import io.berth.engine.journal.RequestContext;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerState.Status;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.storage.StorageException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * At daemon start, before the API serves: what the log says runs is checked against the runtime, what an
 * interrupted start left is freed, and the restart policies that apply across a daemon restart are applied.
 */
final class ContainerReconciler {
    private static final System.Logger LOG = System.getLogger("berth.containers");

    private final ContainerService containers;
    private final ContainerGuards guards;
    private final ExitSupervisor exits;

    ContainerReconciler(ContainerService containers, ContainerGuards guards, ExitSupervisor exits) {
        this.containers = containers;
        this.guards = guards;
        this.exits = exits;
    }

    /**
     * Every container the log says runs is checked against the runtime. One still running is watched again;
     * one that ended while the daemon was down gets its {@code ContainerExited} with the exit code its monitor
     * wrote. Then {@code watch} starts the exit watcher and the health checks, and the restart policies apply.
     */
    void reconcile(Runnable watch) {
        for (ContainerState.ContainerRecord container : containers.list()) {
            if (!container.running()) {
                continue;
            }
            try {
                Optional<io.berth.spi.runtime.ContainerState> state = containers.runtime().state(container.id());
                Optional<ExitStatus> exit = containers.runtime().exitStatus(container.id());
                if (exit.isPresent()) {
                    exits.exited(container, exit.get(), true);
                } else if (state.isEmpty() || state.get().status() == Status.STOPPED) {
                    // neither running nor an exit file: the monitor is gone too (host reboot); record what is known
                    exits.exited(container, new ExitStatus(255, 0, false, Instant.now()), true);
                }
            } catch (ContainerRuntimeException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot reconcile container " + container.id() + ": " + e.getMessage());
            }
        }
        releaseOrphans();
        watch.run();
        // restart policies that apply across a daemon restart
        for (ContainerState.ContainerRecord container : containers.list()) {
            if (container.running()) {
                continue;
            }
            String policy = containers.config(container).path("HostConfig").path("RestartPolicy").path("Name").asText("no");
            if (RestartDecision.restartsAtDaemonStart(policy, container.stoppedByUser(), container.everStarted())) {
                try {
                    containers.start(container.id(), RequestContext.daemon());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "restart of " + container.id() + " failed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * A daemon killed between mounting a rootfs and {@code ContainerStarted}, or during a build's RUN,
     * leaves a runtime container (created or stopped, its monitor and cgroups) and a mount that no
     * running container owns: freed here, at start-up, before the API serves. Writable layers stay.
     */
    private void releaseOrphans() {
        Set<String> running = new HashSet<>();
        for (ContainerState.ContainerRecord container : containers.list()) {
            if (container.running()) {
                running.add(container.id());
            }
        }
        try {
            for (String id : containers.runtime().list()) {
                if (!running.contains(id)) {
                    synchronized (guards.lock(id)) {
                        LOG.log(System.Logger.Level.INFO, "freeing runtime container " + id + ", which no running container owns");
                        exits.releaseRuntime(id);
                    }
                }
            }
            for (Snapshot snapshot : containers.storage().listSnapshots()) {
                if (snapshot.mounted() && !running.contains(snapshot.key()) && containers.find(snapshot.key()).isPresent()) {
                    synchronized (guards.lock(snapshot.key())) {
                        containers.storage().unmount(snapshot.key());
                    }
                }
            }
        } catch (ContainerRuntimeException | StorageException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot free what an interrupted start left: " + e.getMessage());
        }
    }
}
