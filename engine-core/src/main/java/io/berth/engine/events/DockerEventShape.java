package io.berth.engine.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.DaemonEvent;
import io.berth.eventlog.events.NoteEvent;
import io.berth.eventlog.events.PluginEvent;

/**
 * How a berth event appears on Docker's {@code /events} stream: Docker's {@code Type} and
 * {@code Action}, {@code Actor.ID} = the subject, and berth's whole envelope under {@code berth}
 * (a field Docker clients ignore).
 */
public final class DockerEventShape {
    private DockerEventShape() {}

    /**
     * Docker's object type and action for an event.
     *
     * @param type   Docker's {@code Type} ({@code container}, {@code image}, {@code daemon}, {@code plugin}, …)
     * @param action Docker's {@code Action} ({@code start}, {@code pull}, …)
     */
    public record TypeAndAction(String type, String action) {}

    public static TypeAndAction of(EventEnvelope envelope) {
        return switch (envelope.payload()) {
            case DaemonEvent.DaemonStarted ignored -> new TypeAndAction("daemon", "start");
            case DaemonEvent.DaemonStopped ignored -> new TypeAndAction("daemon", "stop");
            case PluginEvent.PluginLoaded ignored -> new TypeAndAction("plugin", "enable");
            case PluginEvent.PluginFailed ignored -> new TypeAndAction("plugin", "fail");
            case NoteEvent.NoteRecorded ignored -> new TypeAndAction("daemon", "note");
        };
    }

    /** The Docker-shaped JSON object for one event. */
    public static ObjectNode toDocker(EventEnvelope envelope, byte[] envelopeJson, ObjectMapper mapper) throws java.io.IOException {
        TypeAndAction shape = of(envelope);
        ObjectNode node = mapper.createObjectNode();
        node.put("Type", shape.type());
        node.put("Action", shape.action());
        ObjectNode actor = node.putObject("Actor");
        actor.put("ID", envelope.subject());
        ObjectNode attributes = actor.putObject("Attributes");
        attributes.put("berth.type", envelope.type());
        attributes.put("berth.user", envelope.actor().user());
        attributes.put("berth.uid", Integer.toString(envelope.actor().uid()));
        attributes.put("berth.pid", Long.toString(envelope.actor().pid()));
        node.put("scope", "local");
        long epochSecond = envelope.time().getEpochSecond();
        node.put("time", epochSecond);
        node.put("timeNano", epochSecond * 1_000_000_000L + envelope.time().getNano());
        node.set("berth", mapper.readTree(envelopeJson));
        return node;
    }
}
