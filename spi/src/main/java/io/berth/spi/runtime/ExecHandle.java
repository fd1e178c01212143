package io.berth.spi.runtime;

import java.time.Duration;
import java.util.Optional;

/**
 * A running exec session: its streams, its pid and, once it ends, its exit status.
 */
public interface ExecHandle extends StdioStreams {

    /** @return the host pid of the exec'd process */
    long pid();

    /**
     * Waits for the process to end.
     *
     * @param timeout how long to wait at most
     * @return the exit status, or empty if it is still running after {@code timeout}
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException;
}
