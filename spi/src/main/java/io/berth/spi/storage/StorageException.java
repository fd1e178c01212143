package io.berth.spi.storage;

import java.io.IOException;
import java.util.Objects;

/**
 * A storage driver operation failed. The message is one line naming the operation, the chain id
 * or key it was about and the problem; {@link #reason()} lets the engine react without parsing it.
 */
public class StorageException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** The layer or snapshot (or a layer's parent) does not exist. */
        NOT_FOUND,
        /** A snapshot key or chain id is already taken. */
        ALREADY_EXISTS,
        /** Something still uses it: a layer above it, a snapshot on it, a busy mount. */
        IN_USE,
        /** A layer tar was refused as hostile; the message names the entry. */
        HOSTILE_CONTENT,
        /** The driver does not support this on this host. */
        UNSUPPORTED,
        /** A file-system or kernel error; the message carries the system's own words. */
        IO
    }

    private final Reason reason;

    /**
     * @param reason  why it failed
     * @param message one line naming the operation, its subject and the problem
     */
    public StorageException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param reason  why it failed
     * @param message one line naming the operation, its subject and the problem
     * @param cause   the underlying error
     */
    public StorageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return why the operation failed */
    public Reason reason() {
        return reason;
    }
}
