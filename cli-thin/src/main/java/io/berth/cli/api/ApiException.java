package io.berth.cli.api;

import java.io.IOException;

/**
 * The daemon answered with a non-2xx status. The message is the {@code message} field of Docker's error
 * body, or the status line when the body is not that shape.
 */
public final class ApiException extends IOException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status of the answer. */
    public int status() {
        return status;
    }
}
