package io.berth.spi.runtime;

import java.io.IOException;
import java.util.Objects;

/**
 * A runtime operation failed. The message is one line naming the container (when there is one)
 * and the problem, with the runtime's own words where it gave any, for example
 * {@code container 4f2a…: runc start: cannot start a container that has stopped}.
 */
public class ContainerRuntimeException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** No such container (or exec session). */
        NOT_FOUND,
        /** The container id is taken. */
        ALREADY_EXISTS,
        /** The container is not in a state that allows the operation. */
        WRONG_STATE,
        /** The runtime cannot work on this host (a program is missing); see the probe. */
        NOT_USABLE,
        /** The runtime or monitor did not answer in time. */
        TIMEOUT,
        /** The runtime or monitor reported an error. */
        FAILED,
        /** The runtime does not implement the operation (an optional one, such as pause or update). */
        NOT_SUPPORTED
    }

    private final Reason reason;

    /**
     * @param reason  why it failed
     * @param message one line naming the container and the problem
     */
    public ContainerRuntimeException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * @param reason  why it failed
     * @param message one line naming the container and the problem
     * @param cause   the underlying error, or {@code null}
     */
    public ContainerRuntimeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return why the operation failed */
    public Reason reason() {
        return reason;
    }
}
