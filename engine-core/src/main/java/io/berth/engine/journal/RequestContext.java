package io.berth.engine.journal;

import io.berth.eventlog.Actor;
import java.util.UUID;

/**
 * Who is asking and under which correlation id: every event a command appends carries both.
 *
 * @param actor         the caller (from the socket's peer credentials) or the daemon itself
 * @param correlationId the id shared by all events of one API request or build
 */
public record RequestContext(Actor actor, String correlationId) {

    /** A context for something the daemon does on its own. */
    public static RequestContext daemon() {
        return new RequestContext(Actor.self(Actor.DAEMON_CLIENT), newCorrelationId());
    }

    public static String newCorrelationId() {
        return UUID.randomUUID().toString();
    }
}
