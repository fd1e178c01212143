package io.berth.engine.container;

import io.berth.engine.journal.RequestContext;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.storage.StorageException;
import java.util.Optional;

/**
 * Containers' exits: found from the monitor's exit file (woken by the exit watcher, or looked for after a start
 * or a signal), recorded with the true exit code through the {@link ContainerDecider}, then the runtime state and
 * mount freed off the caller's thread, and {@code --rm} or the restart policy applied.
 */
final class ExitSupervisor {
    private static final System.Logger LOG = System.getLogger("berth.containers");

    private final ContainerService containers;
    private final ContainerGuards guards;
    private final ContainerWaits waits;

    ExitSupervisor(ContainerService containers, ContainerGuards guards, ContainerWaits waits) {
        this.containers = containers;
        this.guards = guards;
        this.waits = waits;
    }

    /** Looks for containers the projection thinks run but whose monitor wrote an exit file. */
    void checkExits() {
        for (ContainerState.ContainerRecord container : containers.list()) {
            checkExit(container);
        }
    }

    /** {@link #checkExits()} for one container. */
    void checkExit(String id) {
        containers.find(id).ifPresent(this::checkExit);
    }

    private void checkExit(ContainerState.ContainerRecord container) {
        if (!container.running()) {
            return;
        }
        Optional<ExitStatus> exit;
        try {
            exit = containers.runtime().exitStatus(container.id());
        } catch (ContainerRuntimeException | RuntimeException e) {
            return;
        }
        exit.ifPresent(status -> exited(container, status, false));
    }

    /** Records the exit of a container that ran (once: a second report of the same exit changes nothing). */
    void exited(ContainerState.ContainerRecord container, ExitStatus status, boolean whileDown) {
        synchronized (containers) {
            ContainerCommand.RecordExit exit = new ContainerCommand.RecordExit(container.id(), status.code(), status.signal(),
                    status.oomKilled(), status.exitedAt().toString(), whileDown);
            if (!(containers.decide(exit) instanceof ContainerDecider.Decision.Accepted accepted)) {
                return;
            }
            containers.record(RequestContext.daemon(), accepted);
            // waiters learn of the exit at once; freeing runc's state and the mount follows on another
            // thread, so neither the start that found the exit nor the exit watcher waits for it
            waits.exited(container.id(), status.code());
        }
        containers.healthStopped(container.id());
        Thread.ofVirtual().name("berth-exited-" + container.id().substring(0, 12)).start(() -> {
            synchronized (guards.lock(container.id())) {
                if (containers.find(container.id()).map(ContainerState.ContainerRecord::running).orElse(true)) {
                    return; // removed, or started again, before this ran
                }
                releaseRuntime(container.id());
                guards.released(container.id());
            }
            afterExit(container.id());
        });
    }

    /** Frees runc's state and the rootfs mount of a container that has exited; its writable layer stays. */
    void releaseRuntime(String id) {
        // the network teardown (netavark, the slowest part) runs beside runc's delete and the unmount: they share nothing
        Thread teardown = Thread.ofVirtual().name("berth-net-teardown-" + id.substring(0, Math.min(12, id.length()))).start(() -> {
            try {
                containers.networks().disconnect(id, RequestContext.daemon());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "network teardown of " + id + ": " + e.getMessage());
            }
        });
        try {
            releaseRuntimeOnly(id);
        } finally {
            ContainerWaits.joinUninterruptibly(teardown);
        }
    }

    private void releaseRuntimeOnly(String id) {
        try {
            containers.runtime().delete(id, true);
        } catch (ContainerRuntimeException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "runtime delete of " + id + ": " + e.getMessage());
        }
        try {
            containers.storage().unmount(id);
        } catch (StorageException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "unmount of " + id + ": " + e.getMessage());
        }
    }

    /** Auto-remove and restart policies. */
    private void afterExit(String id) {
        Optional<ContainerState.ContainerRecord> found = containers.find(id);
        if (found.isEmpty()) {
            return;
        }
        ContainerState.ContainerRecord container = found.get();
        if (container.autoRemove()) {
            try {
                containers.remove(id, true, false, RequestContext.daemon());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "auto-remove of " + id + " failed: " + e.getMessage());
            }
            return;
        }
        if (guards.isStopping(id) || container.stoppedByUser()) {
            return;
        }
        if (RestartDecision.restarts(container.restartPolicy(), container.restartRetries(), container.exitCode(),
                container.restartCount())) {
            Thread.ofVirtual().name("berth-restart-" + id.substring(0, 12)).start(() -> {
                try {
                    Thread.sleep(RestartDecision.backoffMillis(container.restartCount()));
                    containers.start(id, RequestContext.daemon());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "restart of " + id + " failed: " + e.getMessage());
                }
            });
        }
    }
}
