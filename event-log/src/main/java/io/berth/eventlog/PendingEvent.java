package io.berth.eventlog;

import io.berth.eventlog.events.Event;

/**
 * An event a command wants appended; the log gives it its sequence number, time and host id.
 *
 * @param event         the typed event
 * @param actor         who caused it
 * @param correlationId the request or build it belongs to
 */
public record PendingEvent(Event event, Actor actor, String correlationId) {}
