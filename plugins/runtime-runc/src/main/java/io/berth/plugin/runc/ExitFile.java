package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ExitStatus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * conmon's exit file: {@code <exit-dir>/<id>} (and {@code <persist-dir>/exit}), written atomically
 * when the container's first process ends. It holds the status as decimal text, computed the way a
 * shell does: the exit code, or 128 plus the signal number if a signal ended the process (conmon's
 * {@code get_exit_status}). Its modification time is the exit time.
 *
 * <p>The text cannot tell {@code kill -9} from a program that called {@code exit(137)}: like
 * Docker, a status from 129 to 192 is reported as death by signal {@code status - 128}.
 */
final class ExitFile {

    private static final int SIGNAL_BASE = 128;
    private static final int HIGHEST_SIGNAL = 64;

    private ExitFile() {
    }

    /**
     * @param id        the container id, for messages
     * @param file      the exit file
     * @param oomKilled whether the memory cgroup recorded an out-of-memory kill
     * @return the exit status, or empty if the file does not exist (yet)
     * @throws ContainerRuntimeException if it exists but does not hold a status
     */
    static Optional<ExitStatus> read(String id, Path file, boolean oomKilled) throws ContainerRuntimeException {
        String text;
        Instant time;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            time = Files.getLastModifiedTime(file).toInstant();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": cannot read the exit file " + file + ": " + e.getMessage(), e);
        }
        int status;
        try {
            status = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": the exit file " + file + " holds \"" + RuncJson.abbreviate(text) + "\", not an exit status");
        }
        if (status < 0 || status > 255) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": the exit file " + file + " holds " + status
                            + ": conmon could not tell how the container ended (timed out or lost the process)");
        }
        return Optional.of(decode(status, oomKilled, time));
    }

    /**
     * @param status    the shell-style status
     * @param oomKilled whether the kernel's out-of-memory killer ended it
     * @param time      when it ended
     * @return the exit status with the signal split out
     */
    static ExitStatus decode(int status, boolean oomKilled, Instant time) {
        int signal = status > SIGNAL_BASE && status <= SIGNAL_BASE + HIGHEST_SIGNAL ? status - SIGNAL_BASE : 0;
        return new ExitStatus(status, signal, oomKilled, time);
    }
}
