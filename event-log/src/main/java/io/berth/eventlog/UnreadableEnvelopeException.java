package io.berth.eventlog;

/**
 * The bytes are not a JSON envelope at all (truncated, garbage, not JSON), as opposed to a
 * well-formed envelope this build cannot read (newer schema, unknown type). Only the first kind
 * is treated as crash damage when it sits at the end of the log.
 */
final class UnreadableEnvelopeException extends EventLogException {
    UnreadableEnvelopeException(String message, Throwable cause) {
        super(message, cause);
    }
}
