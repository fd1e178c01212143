package io.berth.engine.fleet;

/** A fleet command cannot do its work; the message is one line for the user. */
final class FleetException extends RuntimeException {
    FleetException(String message) {
        super(message);
    }

    FleetException(String message, Throwable cause) {
        super(message, cause);
    }
}
