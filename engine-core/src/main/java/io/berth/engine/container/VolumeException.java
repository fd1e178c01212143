package io.berth.engine.container;

import io.berth.engine.domain.DomainException;

/** A volume operation was refused or failed; the message is one line naming the volume and the problem, in Docker's words. */
public class VolumeException extends DomainException {
    public VolumeException(Kind kind, String message) {
        super(kind, message, null);
    }
}
