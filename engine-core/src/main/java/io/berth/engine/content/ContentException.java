package io.berth.engine.content;

/** A blob could not be stored or read; the message names the blob and the problem. */
public class ContentException extends RuntimeException {
    public ContentException(String message) {
        super(message);
    }

    public ContentException(String message, Throwable cause) {
        super(message, cause);
    }
}
