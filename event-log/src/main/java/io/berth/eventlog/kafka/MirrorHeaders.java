package io.berth.eventlog.kafka;

/**
 * The headers on every mirrored record, each value in UTF-8. A consumer drops duplicates by
 * ({@link #HOST_ID}, {@link #SEQUENCE}): the pair names one event of one host for ever.
 */
public final class MirrorHeaders {
    /** The host id of the daemon whose log holds the event. */
    public static final String HOST_ID = "berth-host-id";
    /** The event's sequence number in that log, in decimal. */
    public static final String SEQUENCE = "berth-sequence";
    /** The event's type name ({@code ContainerStarted}). */
    public static final String TYPE = "berth-type";

    private MirrorHeaders() {}
}
