package io.berth.engine.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.api.TimeBound;
import io.berth.eventlog.EventCodec;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.EventReader;
import io.berth.eventlog.events.ContainerEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /events} (Docker's shape; follows unless {@code until} is given, as Docker does) and
 * {@code GET /berth/events} (berth's envelopes, the log's own bytes; follows only with {@code follow=1}).
 * Each stream reads the log with its own cursor, so a slow client never loses an event.
 */
public final class EventsEndpoints {
    private static final Duration POLL = Duration.ofMillis(500);

    private final EventLog log;
    private final EventCodec codec;
    private final ObjectMapper mapper;
    private volatile boolean stopping;
    private volatile EventFilter.NameResolver names = (type, name) -> List.of();

    /** Lets filters name containers (and other objects) by name as well as by id. */
    public void setNameResolver(EventFilter.NameResolver names) {
        this.names = names;
    }

    private volatile EventFilter.LabelResolver labels = subject -> java.util.Map.of();

    /** Lets {@code label=} filters match objects created before a stream began. */
    public void setLabelResolver(EventFilter.LabelResolver labels) {
        this.labels = labels;
    }

    private volatile java.util.function.Function<String, Optional<DockerEventShape.ContainerFacts>> containers = id -> Optional.empty();

    /** Gives container events on {@code /events} the labels, image and name of containers created before a stream began. */
    public void setContainerResolver(java.util.function.Function<String, Optional<DockerEventShape.ContainerFacts>> containers) {
        this.containers = containers;
    }

    public EventsEndpoints(EventLog log, EventCodec codec, ObjectMapper mapper) {
        this.log = log;
        this.codec = codec;
        this.mapper = mapper;
    }

    /** Ends every open follow stream (daemon shutdown). */
    public void stop() {
        stopping = true;
    }

    public void docker(ApiExchange exchange) throws IOException {
        TimeBound until = TimeBound.parse("until", exchange.query("until"));
        stream(exchange, until == null, true);
    }

    public void berth(ApiExchange exchange) throws IOException {
        stream(exchange, exchange.queryFlag("follow", false), false);
    }

    private void stream(ApiExchange exchange, boolean follow, boolean dockerShape) throws IOException {
        TimeBound since = TimeBound.parse("since", exchange.query("since"));
        TimeBound until = TimeBound.parse("until", exchange.query("until"));
        EventFilter filter = EventFilter.parse(exchange.query("filters"), mapper, names).withLabels(labels, mapper);
        if (since != null && until != null && !since.isSequence() && !until.isSequence() && until.time().isBefore(since.time())) {
            throw ApiException.badRequest("invalid time range: until (" + until.time() + ") is before since (" + since.time() + ")");
        }
        // Docker streams only new events when no since is given
        EventReader reader = since == null
                ? (dockerShape ? log.readFromSequence(log.lastSequence()) : log.readFromSequence(0))
                : since.isSequence() ? log.readFromSequence(since.sequence()) : log.readFromTime(since.time());
        DockerEventShape.ContainerFactsTracker facts = new DockerEventShape.ContainerFactsTracker(containers, mapper);
        try (reader; ApiExchange.LineStream out = exchange.bufferedStream(dockerShape ? "application/json" : "application/x-ndjson")) {
            while (!stopping) {
                Optional<EventEnvelope> next = reader.next();
                if (next.isEmpty() && follow) {
                    out.flush(); // everything so far reaches the client before the stream waits for more
                    next = reader.next(POLL);
                }
                if (next.isEmpty()) {
                    if (!follow || pastUntil(until, Instant.now(), log.lastSequence())) {
                        break;
                    }
                    continue;
                }
                EventEnvelope event = next.get();
                if (until != null && beyond(until, event)) {
                    break;
                }
                if (!filter.test(event)) {
                    if (dockerShape && event.payload() instanceof ContainerEvent) {
                        facts.learn(event); // a later event of this container may pass the filter
                    }
                    continue;
                }
                byte[] json = codec.encode(event);
                out.write(dockerShape ? mapper.writeValueAsBytes(DockerEventShape.toDocker(event, json, mapper, facts)) : json);
            }
        }
    }

    private static boolean beyond(TimeBound until, EventEnvelope event) {
        return until.isSequence() ? event.sequence() > until.sequence() : event.time().isAfter(until.time());
    }

    /** True once no event inside the bound can still come. */
    private static boolean pastUntil(TimeBound until, Instant now, long lastSequence) {
        if (until == null) {
            return false;
        }
        return until.isSequence() ? lastSequence >= until.sequence() : now.isAfter(until.time());
    }
}
