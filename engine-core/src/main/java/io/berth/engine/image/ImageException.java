package io.berth.engine.image;

import io.berth.engine.api.ApiException;

/** An image operation failed; the message is one line naming the image, the blob or layer, and the problem. */
public class ImageException extends ApiException {
    /** What kind of failure, to choose the HTTP status. */
    public enum Kind { NOT_FOUND, CONFLICT, INVALID, UPSTREAM, INTERNAL }

    private final Kind kind;

    public ImageException(Kind kind, String message) {
        super(statusOf(kind), message);
        this.kind = kind;
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(statusOf(kind), message);
        initCause(cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    private static int statusOf(Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case INVALID -> 400;
            case UPSTREAM, INTERNAL -> 500;
        };
    }
}
