package io.berth.eventlog;

/**
 * An event as read from the log: decoded, and (where the reader was asked for them) the exact bytes
 * the log holds for it.
 *
 * @param envelope the decoded envelope
 * @param bytes    the stored JSON bytes, or null when the reader did not keep them
 */
public record LoggedEvent(EventEnvelope envelope, byte[] bytes) {}
