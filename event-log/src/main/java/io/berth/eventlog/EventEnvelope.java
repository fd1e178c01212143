package io.berth.eventlog;

import io.berth.eventlog.events.Event;
import java.time.Instant;

/**
 * The one envelope every event travels in: in the log, on the API stream and on Kafka the same
 * JSON bytes (see {@link EventCodec}).
 *
 * @param sequence      position in the log, 1 for the first event, gap-free and strictly increasing
 * @param time          when the daemon appended it (nanosecond precision where the clock has it)
 * @param type          the event's type name, the simple name of its record ({@code ContainerStarted})
 * @param subject       id of the aggregate it is about (image, container, build, volume, plugin id, host id)
 * @param actor         who caused it
 * @param correlationId the API request or build that caused it; events of one command share it
 * @param hostId        the id of the host whose daemon wrote it (stable per root directory)
 * @param schemaVersion version of the envelope and payload schema it was written with
 * @param payload       the typed event
 */
public record EventEnvelope(
        long sequence,
        Instant time,
        String type,
        String subject,
        Actor actor,
        String correlationId,
        String hostId,
        int schemaVersion,
        Event payload) {

    /** Schema version this build writes. Readers upcast anything older; anything newer is refused. */
    public static final int CURRENT_SCHEMA_VERSION = 1;
}
