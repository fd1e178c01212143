package io.berth.spi.network;

import java.io.IOException;
import java.util.Objects;

/**
 * A network operation failed. The message is one line naming the network or container, the input
 * at fault and the problem, with netavark's (or another backend's) own words where it gave any,
 * for example {@code network app: subnet 10.213.5.0/24 overlaps 10.213.0.0/16 of network web}.
 * A failed operation leaves nothing half-made: no interface, rule, DNS entry or address.
 */
public class NetworkException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** A value in the request is malformed or impossible (a subnet, an address, a name). */
        INVALID,
        /** The request clashes with what exists: a duplicate name, an overlapping subnet, a taken address. */
        CONFLICT,
        /** A host port to publish is already in use. */
        PORT_IN_USE,
        /** No such network (or the container is not attached to it). */
        NOT_FOUND,
        /** The network still has containers attached (Docker answers 409). */
        IN_USE,
        /** The driver cannot work on this host (a program is missing); see the probe. */
        NOT_USABLE,
        /** The backend reported an error. */
        FAILED
    }

    private final Reason reason;

    /**
     * @param reason  why it failed
     * @param message one line naming the network or container and the problem
     */
    public NetworkException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * @param reason  why it failed
     * @param message one line naming the network or container and the problem
     * @param cause   the underlying error, or {@code null}
     */
    public NetworkException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return why the operation failed */
    public Reason reason() {
        return reason;
    }
}
