package io.berth.engine.container;

import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ContainerEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the health checks of running containers, as Docker's daemon does: one monitor (a virtual thread) per run
 * of a container whose configuration has a health check. It waits the start interval while the container is
 * {@code starting} within its start period, else the interval; runs the probe as an exec
 * ({@link ExecService#probe}); a success makes it {@code healthy} and clears the failing streak; a failure adds
 * to the streak (not while {@code starting} within the start period) and {@code retries} of them make it
 * {@code unhealthy}.
 *
 * <p>Only a change of the verdict is an event ({@code ContainerHealthChanged}, Docker's {@code health_status}),
 * so the container projection, replays and snapshots know every container's health. The last five probes (the
 * {@code Log} of inspect's {@code State.Health}) and the streak between changes are kept here, in memory: a
 * probe every few seconds as events would grow the log without telling anything a change does not.
 *
 * <p>A monitor ends when its container's run ends (exit, stop, removal: it checks before each probe and is
 * interrupted by {@link #stop}); the daemon starts one for every running container at start-up, so checks resume
 * after a daemon restart.
 */
final class HealthMonitors implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("berth.health");

    private final ContainerService containers;
    private final ExecService execs;
    private final Map<String, Monitor> monitors = new ConcurrentHashMap<>();

    HealthMonitors(ContainerService containers, ExecService execs) {
        this.containers = containers;
        this.execs = execs;
    }

    /** The probes of one run of a container and the monitor's view of its verdict. */
    static final class Monitor {
        final String containerId;
        final String startedAt;
        final HealthCheck check;
        final ArrayDeque<ExecService.Probe> log = new ArrayDeque<>();
        volatile String status;
        volatile int failingStreak;
        volatile Thread thread;

        Monitor(String containerId, String startedAt, HealthCheck check, String status, int failingStreak) {
            this.containerId = containerId;
            this.startedAt = startedAt;
            this.check = check;
            this.status = status;
            this.failingStreak = failingStreak;
        }

        synchronized List<ExecService.Probe> probes() {
            return List.copyOf(log);
        }

        synchronized void add(ExecService.Probe probe) {
            log.addLast(probe);
            while (log.size() > HealthCheck.LOG_ENTRIES) {
                log.removeFirst();
            }
        }
    }

    /** Starts the monitor of a running container's current run, unless it has no health check or one runs already. */
    void watch(ContainerState.ContainerRecord container) {
        if (!container.running()) {
            return;
        }
        Optional<HealthCheck> check = HealthCheck.of(containers.config(container).path("Config"));
        if (check.isEmpty()) {
            return;
        }
        Monitor monitor = new Monitor(container.id(), container.startedAt(), check.get(),
                container.health().isEmpty() ? "starting" : container.health(), container.healthFailingStreak());
        Monitor previous = monitors.put(container.id(), monitor);
        if (previous != null && previous.thread != null) {
            if (previous.startedAt.equals(container.startedAt()) && previous.thread.isAlive()) {
                monitors.put(container.id(), previous); // this run is watched already
                return;
            }
            previous.thread.interrupt();
        }
        monitor.thread = Thread.ofVirtual().name("berth-health-" + container.id().substring(0, 12)).start(() -> run(monitor));
    }

    /** Ends the monitor of a container (its run ended); its probes stay for inspect until {@link #forget}. */
    void stop(String containerId) {
        Monitor monitor = monitors.get(containerId);
        if (monitor != null && monitor.thread != null) {
            monitor.thread.interrupt();
        }
    }

    /** Ends the monitor and drops the probes of a removed container. */
    void forget(String containerId) {
        stop(containerId);
        monitors.remove(containerId);
    }

    /** The monitor of a container's last (or current) run, for inspect's {@code State.Health}. */
    Optional<Monitor> of(String containerId) {
        return Optional.ofNullable(monitors.get(containerId));
    }

    private boolean stillRunning(Monitor monitor) {
        return containers.find(monitor.containerId)
                .map(c -> c.running() && c.startedAt().equals(monitor.startedAt))
                .orElse(false);
    }

    private void run(Monitor monitor) {
        Instant started;
        try {
            started = OffsetDateTime.parse(monitor.startedAt).toInstant();
        } catch (RuntimeException e) {
            started = Instant.now();
        }
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(nextWait(monitor, started));
                if (!stillRunning(monitor)) {
                    return;
                }
                if (containers.find(monitor.containerId).map(c -> c.paused()).orElse(false)) {
                    continue; // a frozen container cannot answer: no probe until it is unpaused
                }
                ExecService.Probe probe = execs.probe(monitor.containerId, monitor.check.command(), monitor.check.timeout());
                if (Thread.currentThread().isInterrupted() || !stillRunning(monitor)) {
                    return; // the container ended while the probe ran: its failure says nothing about health
                }
                judge(monitor, probe, started);
            }
        } catch (InterruptedException e) {
            // the run ended
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "health monitor of " + monitor.containerId + " ended: " + e.getMessage());
        }
    }

    private static Duration nextWait(Monitor monitor, Instant started) {
        boolean inStartPeriod = Duration.between(started, Instant.now()).compareTo(monitor.check.startPeriod()) < 0;
        return inStartPeriod && "starting".equals(monitor.status) ? monitor.check.startInterval() : monitor.check.interval();
    }

    /** Docker's rules for one probe's result; a changed verdict is recorded. */
    private void judge(Monitor monitor, ExecService.Probe probe, Instant started) {
        monitor.add(probe);
        String before = monitor.status;
        if (probe.exitCode() == 0) {
            monitor.failingStreak = 0;
            monitor.status = "healthy";
        } else {
            boolean withinStartPeriod = "starting".equals(before)
                    && Duration.between(started, probe.start()).compareTo(monitor.check.startPeriod()) < 0;
            if (!withinStartPeriod) {
                monitor.failingStreak++;
                if (monitor.failingStreak >= monitor.check.retries()) {
                    monitor.status = "unhealthy";
                }
            }
        }
        if (!monitor.status.equals(before)) {
            containers.journal().record(RequestContext.daemon(), new ContainerEvent.ContainerHealthChanged(monitor.containerId,
                    monitor.status, monitor.failingStreak, probe.exitCode(), probe.output()));
        }
    }

    @Override
    public void close() {
        monitors.values().forEach(m -> {
            if (m.thread != null) {
                m.thread.interrupt();
            }
        });
    }
}
