package io.berth.engine.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Container events on Docker's stream carry what Docker's do, which compose and label-filtering clients read. */
class DockerEventShapeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "a".repeat(64);

    private static EventEnvelope envelope(Event event) {
        return new EventEnvelope(1, Instant.EPOCH, event.getClass().getSimpleName(), event.subject(), new Actor(0, "root", 1, "berthd"),
                "corr-1", "host1", EventEnvelope.CURRENT_SCHEMA_VERSION, event);
    }

    private static JsonNode docker(EventEnvelope event, DockerEventShape.ContainerFactsTracker facts) throws Exception {
        return DockerEventShape.toDocker(event, "{}".getBytes(), JSON, facts);
    }

    @Test
    void givenAStreamThatSawTheCreate_thenLaterEventsCarryLabelsImageNameAndTheirOwnAttributes_evenAfterRemoval() throws Exception {
        var facts = new DockerEventShape.ContainerFactsTracker(id -> Optional.empty(), JSON);
        JsonNode created = docker(envelope(new ContainerEvent.ContainerCreated(ID, "web", "busybox:1", "sha256:1",
                "{\"Config\":{\"Labels\":{\"com.docker.compose.project\":\"p\"}},\"HostConfig\":{}}")), facts);
        assertEquals("create", created.path("status").asText());
        assertEquals(ID, created.path("id").asText());
        assertEquals("busybox:1", created.path("from").asText());
        assertEquals("p", created.path("Actor").path("Attributes").path("com.docker.compose.project").asText());

        JsonNode died = docker(envelope(new ContainerEvent.ContainerExited(ID, 137, 9, false, "2026-12-05T00:00:00Z", false)), facts);
        assertEquals("die", died.path("Action").asText());
        assertEquals("137", died.path("Actor").path("Attributes").path("exitCode").asText());
        assertEquals("web", died.path("Actor").path("Attributes").path("name").asText());
        assertEquals("busybox:1", died.path("Actor").path("Attributes").path("image").asText());

        assertEquals("15", docker(envelope(new ContainerEvent.ContainerKilled(ID, 15)), facts).path("Actor").path("Attributes")
                .path("signal").asText());
        assertEquals("stop", docker(envelope(new ContainerEvent.ContainerStopped(ID)), facts).path("Action").asText());
        assertEquals("health_status: healthy", docker(envelope(new ContainerEvent.ContainerHealthChanged(ID, "healthy", 0, 0, "")),
                facts).path("Action").asText());
        JsonNode destroyed = docker(envelope(new ContainerEvent.ContainerRemoved(ID, List.of())), facts);
        assertEquals("p", destroyed.path("Actor").path("Attributes").path("com.docker.compose.project").asText(),
                "the destroy of a removed container still has its labels");
    }

    @Test
    void givenAContainerCreatedBeforeTheStream_thenTheLiveStateGivesItsFacts_andOtherTypesGetNoLegacyFrom() throws Exception {
        var facts = new DockerEventShape.ContainerFactsTracker(
                id -> Optional.of(new DockerEventShape.ContainerFacts("db", "postgres", Map.of("tier", "back"))), JSON);
        JsonNode started = docker(envelope(new ContainerEvent.ContainerStarted(ID, 42)), facts);
        assertEquals("back", started.path("Actor").path("Attributes").path("tier").asText());
        assertEquals("db", started.path("Actor").path("Attributes").path("name").asText());
        JsonNode note = docker(envelope(new io.berth.eventlog.events.NoteEvent.NoteRecorded("host1", "hi")), facts);
        assertFalse(note.has("from") || note.has("status"), note.toString());
    }

    @Test
    void givenTheEventFilterHealthStatus_thenEveryVerdictMatches_asDockersFuzzyMatch() {
        EventEnvelope healthy = envelope(new ContainerEvent.ContainerHealthChanged(ID, "healthy", 0, 0, ""));
        assertTrue(EventFilter.parse("{\"event\":[\"health_status\"]}", JSON).test(healthy));
        assertTrue(EventFilter.parse("{\"event\":[\"health_status: healthy\"]}", JSON).test(healthy));
        assertFalse(EventFilter.parse("{\"event\":[\"health_status: unhealthy\"]}", JSON).test(healthy));
        assertFalse(EventFilter.parse("{\"event\":[\"health\"]}", JSON).test(healthy));
    }
}
