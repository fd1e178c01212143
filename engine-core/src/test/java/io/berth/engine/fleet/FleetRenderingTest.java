package io.berth.engine.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.engine.container.ContainerState;
import io.berth.eventlog.EventCodec;
import io.berth.eventlog.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code berth fleet} renders with the CLI's code: ps's cells as {@code berth ps}, events as {@code berth events}. */
class FleetRenderingTest {
    @Test
    void givenALongCommand_thenFleetPsCutsAndQuotesItAsBerthPs() {
        ContainerState.ContainerRecord c = ContainerState.ContainerRecord.created(
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web", "busybox", "sha256:1", "{}",
                "2026-12-05T10:00:00Z");
        long now = Instant.parse("2026-12-05T12:30:00Z").getEpochSecond();
        String[] row = FleetMain.Ps.row("a1b2c3d4-e5f6-4711-8899-aabbccddeeff", c, "sh -c \"sleep 1000; echo done\"", now);
        assertArrayEquals(new String[] {"a1b2c3d4e5f6", "0123456789ab", "busybox", "\"sh -c \\\"sleep 1000; …\"",
                "3 hours ago", "Created", "web"}, row); // Docker rounds 2.5 hours up
    }

    @Test
    void givenAnEvent_thenBerthEventsLineWithTheHostAfterTheTime() throws Exception {
        String json = "{\"sequence\":7,\"time\":\"2026-12-05T12:00:00Z\",\"type\":\"NoteRecorded\",\"subject\":\"h1\","
                + "\"actor\":{\"uid\":0,\"user\":\"root\",\"pid\":42,\"client\":\"berthd\"},\"correlationId\":\"c\",\"hostId\":\"h1\","
                + "\"schemaVersion\":1,\"payload\":{\"hostId\":\"h1\",\"text\":\"hello\"}}";
        EventEnvelope envelope = new EventCodec().decode(json.getBytes(StandardCharsets.UTF_8));
        FleetEvent event = new FleetEvent(envelope, json.getBytes(StandardCharsets.UTF_8));
        assertEquals("2026-12-05T12:00:00Z h1 NoteRecorded h1 (actor=root(0) pid=42 client=berthd seq=7 hostId=h1 text=hello)",
                FleetMain.Events.readable(event));
    }
}
