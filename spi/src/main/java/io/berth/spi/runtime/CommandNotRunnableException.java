package io.berth.spi.runtime;

import java.util.Objects;

/**
 * The container (or exec session) could not run its command: the program is not in the image, or
 * is not executable. Thrown by {@link io.berth.spi.ContainerRuntime#create create} (or
 * {@link io.berth.spi.ContainerRuntime#start start}, if the runtime only finds out then) with
 * {@link ContainerRuntimeException.Reason#FAILED FAILED}; the message is the runtime's own line,
 * for example {@code exec: "nosuch": executable file not found in $PATH}.
 *
 * <p>Docker reports these as the container's exit code: {@link #exitCode()} is that code, so
 * {@code docker run IMAGE nosuch} exits with 127 and a non-executable program with 126.
 */
public class CommandNotRunnableException extends ContainerRuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the command could not run. */
    public enum Problem {
        /** No such file, or not found on {@code PATH}: Docker's exit code 127. */
        NOT_FOUND(127),
        /** Found but not executable (permission denied, a directory): Docker's exit code 126. */
        NOT_EXECUTABLE(126);

        private final int exitCode;

        Problem(int exitCode) {
            this.exitCode = exitCode;
        }

        /** @return the exit code Docker reports for it */
        public int exitCode() {
            return exitCode;
        }
    }

    private final Problem problem;

    /**
     * @param problem why the command could not run
     * @param message one line naming the container and the runtime's own words
     */
    public CommandNotRunnableException(Problem problem, String message) {
        super(Reason.FAILED, message);
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** @return why the command could not run */
    public Problem problem() {
        return problem;
    }

    /** @return the exit code Docker reports: 127 not found, 126 not executable */
    public int exitCode() {
        return problem.exitCode();
    }
}
