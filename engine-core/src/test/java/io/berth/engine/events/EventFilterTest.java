package io.berth.engine.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiException;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.NoteEvent;
import io.berth.eventlog.events.PluginEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFilterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventEnvelope PLUGIN_LOADED = envelope(new PluginEvent.PluginLoaded("runtime-runc", "0.1.0", "/p.jar", List.of()),
            new Actor(0, "root", 10, "berthd"));
    private static final EventEnvelope NOTE_BY_ALICE = envelope(new NoteEvent.NoteRecorded("host1", "hello"),
            new Actor(1000, "alice", 20, "berth-cli/0.1.0"));

    private static EventEnvelope envelope(Event event, Actor actor) {
        return new EventEnvelope(1, Instant.EPOCH, event.getClass().getSimpleName(), event.subject(), actor, "corr-1", "host1",
                EventEnvelope.CURRENT_SCHEMA_VERSION, event);
    }

    @Test
    void givenNoFiltersThenEverythingMatches() {
        assertTrue(EventFilter.parse(null, JSON).test(PLUGIN_LOADED));
    }

    @Test
    void typeAndEventMatchDockersNamesOrBerthsTypeNames() {
        assertTrue(EventFilter.parse("{\"type\":[\"plugin\"],\"event\":[\"enable\"]}", JSON).test(PLUGIN_LOADED));
        assertTrue(EventFilter.parse("{\"event\":[\"PluginLoaded\"]}", JSON).test(PLUGIN_LOADED));
        assertFalse(EventFilter.parse("{\"type\":[\"container\"]}", JSON).test(PLUGIN_LOADED));
    }

    @Test
    void valuesOfOneKeyAreOrAndKeysAreAnd() {
        EventFilter filter = EventFilter.parse("{\"type\":[\"container\",\"daemon\"],\"actor\":[\"alice\"]}", JSON);
        assertTrue(filter.test(NOTE_BY_ALICE));
        assertFalse(filter.test(PLUGIN_LOADED));
    }

    @Test
    void actorMatchesUserNameOrUid() {
        assertTrue(EventFilter.parse("{\"actor\":[\"1000\"]}", JSON).test(NOTE_BY_ALICE));
        assertFalse(EventFilter.parse("{\"actor\":[\"root\"]}", JSON).test(NOTE_BY_ALICE));
    }

    @Test
    void labelMatchesContainersAndVolumesCarryingEveryLabelGiven() {
        String id = "a".repeat(64);
        EventEnvelope created = envelope(new io.berth.eventlog.events.ContainerEvent.ContainerCreated(id, "web", "busybox", "sha256:1",
                "{\"Config\":{\"Labels\":{\"team\":\"blue\",\"tier\":\"front\"}},\"HostConfig\":{}}"), NOTE_BY_ALICE.actor());
        EventEnvelope removed = envelope(new io.berth.eventlog.events.ContainerEvent.ContainerRemoved(id, List.of()), NOTE_BY_ALICE.actor());
        EventFilter blue = EventFilter.parse("{\"label\":[\"team=blue\",\"tier\"]}", JSON);
        assertTrue(blue.test(created));
        assertTrue(blue.test(removed), "learned from the creation the stream passed");
        assertFalse(EventFilter.parse("{\"label\":[\"team=blue\",\"tier=back\"]}", JSON).test(created));
        assertFalse(EventFilter.parse("{\"label\":[\"team\"]}", JSON).test(removed), "nothing known about it");
        assertTrue(EventFilter.parse("{\"label\":[\"team\"]}", JSON).withLabels(subject -> java.util.Map.of("team", "red"), JSON).test(removed));
        EventEnvelope volume = envelope(new io.berth.eventlog.events.VolumeEvent.VolumeCreated("data", "local", "/v", java.util.Map.of("team", "blue"), false),
                NOTE_BY_ALICE.actor());
        assertTrue(EventFilter.parse("{\"label\":[\"team=blue\"]}", JSON).test(volume));
        assertFalse(EventFilter.parse("{\"label\":[\"team=blue\"]}", JSON).test(NOTE_BY_ALICE));
    }

    @Test
    void olderMapOfMapsFormIsAccepted() {
        assertTrue(EventFilter.parse("{\"plugin\":{\"runtime\":true}}", JSON).test(PLUGIN_LOADED));
    }

    @Test
    void unknownKeysAndMalformedJsonAreRefused() {
        ApiException unknown = assertThrows(ApiException.class, () -> EventFilter.parse("{\"colour\":[\"red\"]}", JSON));
        assertEquals("invalid filter 'colour'", unknown.getMessage());
        assertThrows(ApiException.class, () -> EventFilter.parse("{not json", JSON));
        assertThrows(ApiException.class, () -> EventFilter.parse("[1,2]", JSON));
    }
}
