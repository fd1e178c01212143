package io.berth.engine.image;

import io.berth.engine.domain.DomainException;

/**
 * An image operation was refused or failed; the message is one line naming the image, the blob or layer, and the
 * problem. Its {@link DomainException.Kind} (written {@code ImageException.Kind.NOT_FOUND} and so on by callers) is
 * all the API needs to choose the status.
 */
public class ImageException extends DomainException {
    public ImageException(Kind kind, String message) {
        super(kind, message, null);
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
