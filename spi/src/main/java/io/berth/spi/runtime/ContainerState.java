package io.berth.spi.runtime;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A container as the runtime reports it now.
 *
 * @param id      the container id
 * @param status  its status
 * @param pid     the host pid of its first process; 0 when stopped
 * @param bundle  its bundle directory
 * @param created when the runtime created it
 */
public record ContainerState(String id, Status status, long pid, Path bundle, Instant created) {

    /** The statuses of the OCI runtime spec (runtime.md, "State"), plus paused. */
    public enum Status {
        /** The runtime is still creating it. */
        CREATING,
        /** Created; the user's program has not started. */
        CREATED,
        /** The user's program runs. */
        RUNNING,
        /** Its processes are frozen. */
        PAUSED,
        /** Its first process has ended. */
        STOPPED
    }

    /** Checks the id and nulls. */
    public ContainerState {
        ContainerIds.requireValid(id);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(created, "created");
    }
}
