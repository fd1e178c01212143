package io.berth.spi.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * How a container's (or exec session's) process ended, as its monitor recorded it.
 *
 * @param code      the exit code as Docker reports it: the process's own code, or 128 plus the
 *                  signal number when a signal ended it
 * @param signal    the signal that ended it, or 0 when it exited by itself (or the monitor cannot
 *                  tell)
 * @param oomKilled whether the kernel's out-of-memory killer ended it
 * @param exitedAt  when it ended
 */
public record ExitStatus(int code, int signal, boolean oomKilled, Instant exitedAt) {

    /** Checks ranges. */
    public ExitStatus {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("exit code " + code + " is outside 0..255");
        }
        if (signal < 0 || signal > 64) {
            throw new IllegalArgumentException("signal " + signal + " is outside 0..64");
        }
        Objects.requireNonNull(exitedAt, "exitedAt");
    }
}
