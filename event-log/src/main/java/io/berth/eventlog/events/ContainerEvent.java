package io.berth.eventlog.events;

import java.util.List;
import java.util.Map;

/** Events about containers and the processes executed in them; the subject is the container id (64 hex). */
public sealed interface ContainerEvent extends Event permits ContainerEvent.ContainerCreated, ContainerEvent.ContainerStarted,
        ContainerEvent.ContainerStartFailed, ContainerEvent.ContainerKilled, ContainerEvent.ContainerExited,
        ContainerEvent.ContainerRemoved, ContainerEvent.ContainerRenamed, ContainerEvent.ExecStarted,
        ContainerEvent.ExecExited, ContainerEvent.ContainerPaused, ContainerEvent.ContainerUnpaused,
        ContainerEvent.ContainerUpdated, ContainerEvent.ContainerStopped, ContainerEvent.ContainerHealthChanged {

    /**
     * A container was created: its configuration is fixed from here on.
     *
     * @param id         the container id
     * @param name       its name, without Docker's leading slash
     * @param image      the image as the user named it
     * @param imageId    the image's id
     * @param configJson the resolved configuration (Docker's {@code Config} and {@code HostConfig}, as JSON), for inspect and start
     */
    record ContainerCreated(String id, String name, String image, String imageId, String configJson) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * The container's process runs.
     *
     * @param id  the container id
     * @param pid its init process's pid on the host
     */
    record ContainerStarted(String id, long pid) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * A start failed before the process ran (command not found, bad user, mount failure).
     *
     * @param id       the container id
     * @param exitCode the exit code Docker reports for it (127 not found, 126 not executable, 128 otherwise)
     * @param reason   one line
     */
    record ContainerStartFailed(String id, int exitCode, String reason) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * A signal was sent to the container's process.
     *
     * @param id     the container id
     * @param signal the signal number
     */
    record ContainerKilled(String id, int signal) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * The container's process ended. The exit code is the monitor's, never invented.
     *
     * @param id         the container id
     * @param exitCode   the exit code (128+n for signal n)
     * @param signal     the signal that ended it, 0 when it exited by itself
     * @param oomKilled  whether the kernel's OOM killer ended it
     * @param finishedAt when it ended (RFC 3339)
     * @param whileDown  observed at daemon start-up: it ended while the daemon was not running
     */
    record ContainerExited(String id, int exitCode, int signal, boolean oomKilled, String finishedAt, boolean whileDown)
            implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * The container was removed.
     *
     * @param id      the container id
     * @param volumes anonymous volumes removed with it
     */
    record ContainerRemoved(String id, List<String> volumes) implements ContainerEvent {
        public ContainerRemoved {
            volumes = List.copyOf(volumes);
        }

        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * The container was renamed.
     *
     * @param id      the container id
     * @param oldName the previous name
     * @param newName the new name
     */
    record ContainerRenamed(String id, String oldName, String newName) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * A process was executed in a running container.
     *
     * @param id      the container id
     * @param execId  the exec id
     * @param command the command line
     * @param user    the user it runs as, empty for the container's
     * @param env     extra environment
     */
    record ExecStarted(String id, String execId, List<String> command, String user, Map<String, String> env) implements ContainerEvent {
        public ExecStarted {
            command = List.copyOf(command);
            env = Map.copyOf(env);
        }

        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * An executed process ended.
     *
     * @param id       the container id
     * @param execId   the exec id
     * @param exitCode its exit code
     */
    record ExecExited(String id, String execId, int exitCode) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * Every process of the running container was frozen (cgroup freezer): {@code docker pause}.
     *
     * @param id the container id
     */
    record ContainerPaused(String id) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * A paused container's processes run again: {@code docker unpause}.
     *
     * @param id the container id
     */
    record ContainerUnpaused(String id) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * The container's resource limits or restart policy changed ({@code docker update}); a running
     * container got the new limits in place.
     *
     * @param id         the container id
     * @param changes    the {@code HostConfig} fields the request set, as JSON text by field name
     *                   ({@code "Memory" -> "67108864"}, {@code "RestartPolicy" -> "{\"Name\":\"always\"}"})
     * @param configJson the whole configuration after the change ({@code Config} and {@code HostConfig}),
     *                   which replaces the one {@link ContainerCreated} recorded
     */
    record ContainerUpdated(String id, Map<String, String> changes, String configJson) implements ContainerEvent {
        public ContainerUpdated {
            changes = Map.copyOf(changes);
        }

        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * A stop the user asked for ended: the stop signal (and SIGKILL after the timeout, if needed) was sent and
     * the process exited. Recorded after its {@code ContainerExited}; Docker's {@code stop} action.
     *
     * @param id the container id
     */
    record ContainerStopped(String id) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }

    /**
     * The health check's verdict changed (Docker's {@code health_status} event). Only changes are recorded,
     * not every probe: the probes' own log is kept in memory by the daemon.
     *
     * @param id            the container id
     * @param status        {@code starting}, {@code healthy} or {@code unhealthy}
     * @param failingStreak consecutive failed probes at the change
     * @param exitCode      the exit code of the probe that caused the change (-1 for a probe that timed out)
     * @param output        that probe's output, at most 4096 bytes as Docker keeps
     */
    record ContainerHealthChanged(String id, String status, int failingStreak, int exitCode, String output) implements ContainerEvent {
        @Override
        public String subject() {
            return id;
        }
    }
}
