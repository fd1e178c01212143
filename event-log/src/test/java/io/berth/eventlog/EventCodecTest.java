package io.berth.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.PluginEvent.PluginFailed;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private final EventCodec codec = new EventCodec();

    private static EventEnvelope envelope(long sequence, Event event) {
        return new EventEnvelope(sequence, Instant.parse("2026-11-28T10:24:10.123456789Z"), EventCodec.typeName(event),
                event.subject(), TestEvents.ACTOR, "corr-1", "host-1", EventEnvelope.CURRENT_SCHEMA_VERSION, event);
    }

    @Test
    void givenLoneSurrogatesThenValuesRoundTripAndKeysGetTheReplacementCharacter() {
        EventCodec codec = new EventCodec();
        var event = new io.berth.eventlog.events.ContainerEvent.ExecStarted("c".repeat(64), "e".repeat(64),
                List.of("a\ud800b"), "", java.util.Map.of("k\udc00", "v\ud83d"));
        EventEnvelope envelope = new EventEnvelope(1, Instant.parse("2026-11-28T10:00:00Z"), "ExecStarted", event.subject(),
                new Actor(0, "root", 1, "t"), "c", "h", EventEnvelope.CURRENT_SCHEMA_VERSION, event);
        var decoded = (io.berth.eventlog.events.ContainerEvent.ExecStarted) codec.decode(codec.encode(envelope)).payload();
        assertEquals(List.of("a\ud800b"), decoded.command());
        assertEquals(java.util.Map.of("k\uFFFD", "v\ud83d"), decoded.env());
        assertEquals("k\uD83D\uDE00", EventCodec.wellFormed("k\uD83D\uDE00"), "a proper pair is kept");
    }

    @Test
    void givenEveryEventType_whenEncodedAndDecoded_thenTheEnvelopeIsEqual() {
        long sequence = 1;
        for (Event event : TestEvents.oneOfEach()) {
            EventEnvelope e = envelope(sequence++, event);
            assertEquals(e, codec.decode(codec.encode(e)), event.getClass().getSimpleName());
        }
    }

    @Test
    void givenEveryEventType_whenPeeked_thenTheByteScanReadsTheSameHeaderAsTheDecoder() {
        long sequence = 1;
        for (Event event : TestEvents.oneOfEach()) {
            sequence = sequence > 100_000_000_000_000_000L ? 1 : sequence * 10 + 7; // one digit to eighteen
            EventEnvelope e = envelope(sequence, event);
            byte[] json = codec.encode(e);
            EventCodec.Header header = EventCodec.scanHeader(json);
            assertEquals(new EventCodec.Header(e.sequence(), e.type()), header, event.getClass().getSimpleName());
            assertEquals(header, codec.peek(json));
        }
    }

    @Test
    void givenAnotherLayout_whenPeeked_thenTheParserReadsItInsteadOfTheScan() {
        List<String> others = List.of(
                "{\"sequence\":12,\"type\":\"PluginFailed\",\"schemaVersion\":1,\"payload\":{}}",
                "{ \"schemaVersion\":1,\"sequence\":12,\"time\":\"t\",\"type\":\"PluginFailed\"}",
                "{\"schemaVersion\":1,\"sequence\":12,\"time\":\"t\",\"type\":\"Plugin\\u0046ailed\"}",
                "{\"schemaVersion\":1,\"sequence\":12,\"time\":\"t\\\"\",\"type\":\"PluginFailed\"}");
        for (String json : others) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertEquals(null, EventCodec.scanHeader(bytes), json);
            assertEquals(new EventCodec.Header(12, "PluginFailed"), codec.peek(bytes), json);
        }
        assertEquals(null, EventCodec.scanHeader("{\"schemaVersion\":1,\"sequence\":12345678901234567890,".getBytes(StandardCharsets.UTF_8)),
                "a sequence too long for a long is left to the parser");
        assertEquals(null, EventCodec.scanHeader(new byte[0]));
    }

    @Test
    void givenAnEnvelope_whenEncoded_thenFieldsAreInTheDocumentedOrder() {
        EventEnvelope e = envelope(7, new PluginFailed("x", "/p/x.jar", "broken"));
        String json = new String(codec.encode(e), StandardCharsets.UTF_8);
        assertEquals("{\"schemaVersion\":1,\"sequence\":7,\"time\":\"2026-11-28T10:24:10.123456789Z\",\"type\":\"PluginFailed\","
                + "\"subject\":\"x\",\"actor\":{\"uid\":1000,\"user\":\"alice\",\"pid\":4242,\"client\":\"berth-cli/0.1.0\"},"
                + "\"correlationId\":\"corr-1\",\"hostId\":\"host-1\","
                + "\"payload\":{\"pluginId\":\"x\",\"path\":\"/p/x.jar\",\"reason\":\"broken\"}}", json);
    }

    @Test
    void givenTimesWithAndWithoutFractions_whenRoundTripped_thenTheyAreExact() {
        for (String t : List.of("1970-01-01T00:00:00Z", "2026-11-28T23:59:59.000000001Z", "2024-02-29T12:00:00.5Z")) {
            Instant time = Instant.parse(t);
            assertEquals(time, Rfc3339.parse(Rfc3339.format(time)));
        }
        assertEquals(Instant.parse("2026-11-28T09:24:10Z"), Rfc3339.parse("2026-11-28T10:24:10+01:00"));
    }

    @Test
    void givenAnUnknownType_whenDecoded_thenTheErrorNamesTypeAndSequence() {
        String json = "{\"schemaVersion\":1,\"sequence\":12,\"time\":\"2026-11-28T10:24:10.123456789Z\",\"type\":\"ShipSailed\","
                + "\"subject\":\"s\",\"actor\":null,\"correlationId\":null,\"hostId\":\"h\",\"payload\":{}}";
        EventLogException e = assertThrows(EventLogException.class, () -> codec.decode(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("ShipSailed") && e.getMessage().contains("12"), e.getMessage());
    }

    @Test
    void givenANewerSchema_whenDecoded_thenItIsRefusedWithBothVersions() {
        String json = "{\"schemaVersion\":2,\"sequence\":3,\"time\":\"2026-11-28T10:24:10.123456789Z\",\"type\":\"PluginFailed\","
                + "\"subject\":\"s\",\"hostId\":\"h\",\"payload\":{\"pluginId\":\"s\",\"path\":\"p\",\"reason\":\"r\"}}";
        EventLogException e = assertThrows(EventLogException.class, () -> codec.decode(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("written by a newer berth (schema 2; this berth reads up to 1)"), e.getMessage());
    }

    @Test
    void givenGarbage_whenDecoded_thenItIsReportedAsUnreadable() {
        assertInstanceOf(UnreadableEnvelopeException.class,
                assertThrows(EventLogException.class, () -> codec.decode("{\"schemaVersion\":1,\"seq".getBytes(StandardCharsets.UTF_8))));
        assertInstanceOf(UnreadableEnvelopeException.class,
                assertThrows(EventLogException.class, () -> codec.decode(new byte[] {1, 2, 3, 0, 0})));
    }

    /** A made-up version 0 in which PluginFailed was called PluginBroken and its reason field was "why". */
    private static final class PluginBrokenV0 implements Upcaster {
        @Override
        public String type() {
            return "PluginBroken";
        }

        @Override
        public int fromVersion() {
            return 0;
        }

        @Override
        public void upcast(ObjectNode envelope) {
            envelope.put("type", "PluginFailed");
            ObjectNode payload = (ObjectNode) envelope.get("payload");
            payload.set("reason", payload.remove("why"));
        }
    }

    @Test
    void givenAVersion0Envelope_whenDecodedWithAnUpcaster_thenItReadsAsTheCurrentRecord() {
        String v0 = "{\"schemaVersion\":0,\"sequence\":5,\"time\":\"2026-11-28T10:24:10Z\",\"type\":\"PluginBroken\","
                + "\"subject\":\"x\",\"actor\":{\"uid\":0,\"user\":\"root\",\"pid\":1,\"client\":\"berthd\"},"
                + "\"correlationId\":\"c\",\"hostId\":\"h\",\"payload\":{\"pluginId\":\"x\",\"path\":\"/p/x.jar\",\"why\":\"broken\"}}";
        EventEnvelope e = new EventCodec(List.of(new PluginBrokenV0())).decode(v0.getBytes(StandardCharsets.UTF_8));
        assertEquals(new PluginFailed("x", "/p/x.jar", "broken"), e.payload());
        assertEquals("PluginFailed", e.type());
        assertEquals(0, e.schemaVersion());
        assertEquals(5, e.sequence());
        assertThrows(EventLogException.class, () -> codec.decode(v0.getBytes(StandardCharsets.UTF_8)),
                "without the upcaster the old type is unknown");
    }

    @Test
    void givenUnknownFields_whenDecoded_thenTheyAreIgnored() {
        String json = "{\"schemaVersion\":1,\"sequence\":3,\"extra\":[1,{\"a\":2}],\"time\":\"2026-11-28T10:24:10.123456789Z\","
                + "\"type\":\"PluginFailed\",\"subject\":\"s\",\"hostId\":\"h\","
                + "\"payload\":{\"pluginId\":\"s\",\"path\":\"p\",\"reason\":\"r\",\"addedLater\":true}}";
        assertEquals(new PluginFailed("s", "p", "r"), codec.decode(json.getBytes(StandardCharsets.UTF_8)).payload());
    }
}
