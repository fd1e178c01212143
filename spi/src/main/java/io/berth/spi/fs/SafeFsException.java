package io.berth.spi.fs;

import java.io.IOException;

/**
 * A {@link SafeRoot} operation refused or failed. The message is one line naming the path as the
 * caller gave it and the problem, e.g. {@code "l/sub/f": goes through the symbolic link "l"};
 * callers put their own context (the layer, the build context, the entry) in front of it.
 */
public final class SafeFsException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for a caller that reacts differently to each. */
    public enum Reason {
        /** A name holds a NUL byte, or a component is longer than 255 bytes, or the path than 4096. */
        BAD_NAME,
        /** The path would leave the root: {@code ..} above it, or a symbolic link where none may be followed. */
        ESCAPE,
        /** A component on the way, or the path itself where a directory is needed, is not a directory. */
        NOT_DIRECTORY,
        /** The path, or a directory on the way to it, does not exist. */
        NOT_FOUND,
        /** The path is a directory where something else is needed. */
        IS_DIRECTORY,
        /** The path is not a regular file where its contents are to be read (a device, a fifo, a socket). */
        NOT_REGULAR,
        /** Too many symbolic links on the way (more than 40, as the kernel's limit). */
        LOOP,
        /** The kernel refused an operation for another reason; the message carries its words. */
        IO
    }

    private final Reason reason;

    public SafeFsException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SafeFsException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** @return why the operation was refused */
    public Reason reason() {
        return reason;
    }
}
