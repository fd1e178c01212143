package io.berth.engine.container;

/**
 * What a client (or the daemon itself) asks of one container, validated and completed before
 * {@link ContainerDecider#decide} judges it against the log's state: names checked, ids resolved, signals
 * parsed. Imperative records, one per verb; the decider answers with the past-tense events to record.
 */
public sealed interface ContainerCommand {
    /** The full id of the container the command is about (for create, the id it will have). */
    String id();

    /**
     * Create a container named {@code name} (already valid and chosen) from image {@code imageId} with the
     * stored configuration {@code configJson} ({@code {"Config":…,"HostConfig":…}}).
     */
    record CreateContainer(String id, String name, String image, String imageId, String configJson) implements ContainerCommand {}

    /** Start it; one that runs already is left alone (Docker's 304). */
    record StartContainer(String id) implements ContainerCommand {}

    /** Stop it with {@code signal}, then SIGKILL after the stop timeout; one that does not run is left alone. */
    record StopContainer(String id, int signal) implements ContainerCommand {}

    /** {@code docker kill}: send {@code signal}; refused unless it runs. {@code asTyped} is how the user named it. */
    record KillContainer(String id, String asTyped, int signal) implements ContainerCommand {}

    /** Send {@code signal} on the daemon's behalf (a stop's escalation, a forced removal); it may have just exited. */
    record SignalContainer(String id, int signal) implements ContainerCommand {}

    /** Freeze its processes; refused unless it runs unpaused. */
    record PauseContainer(String id) implements ContainerCommand {}

    /** Thaw its processes; refused unless it is paused. */
    record UnpauseContainer(String id) implements ContainerCommand {}

    /**
     * Remove it with its writable layer; refused while it runs unless {@code force} (the caller kills it
     * first). {@code anonymousVolumes} are the anonymous volumes removed with it ({@code -v}).
     */
    record RemoveContainer(String id, boolean force, java.util.List<String> anonymousVolumes) implements ContainerCommand {}

    /** Give it {@code newName} (already valid); refused while another container has that name. */
    record RenameContainer(String id, String newName) implements ContainerCommand {}

    /** Record that a user's stop ended it (Docker's {@code stop} event, after its {@code die}); only once it no longer runs. */
    record RecordStopped(String id) implements ContainerCommand {}

    /**
     * Record its process's end as its monitor reported it: {@code code}, the {@code signal} that ended it (0 for
     * none), whether the kernel's OOM killer did, when, and whether it happened while the daemon was down.
     */
    record RecordExit(String id, int code, int signal, boolean oomKilled, String finishedAt, boolean whileDown)
            implements ContainerCommand {}
}
