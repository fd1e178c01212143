package io.berth.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.berth.eventlog.EventCodec;
import io.berth.eventlog.EventEnvelope;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;

/** The envelope's JSON is a faithful, stable encoding of every event type. */
class EnvelopeProperties {
    private final EventCodec codec = new EventCodec();

    @Provide
    Arbitrary<EventEnvelope> envelopes() {
        return EventArbitraries.envelopes();
    }

    @Property(tries = 2000)
    void everyEnvelopeSurvivesAJsonRoundTrip(@ForAll("envelopes") EventEnvelope envelope) {
        EventEnvelope decoded = codec.decode(codec.encode(envelope));
        assertEquals(envelope, decoded);
    }

    @Property(tries = 500)
    void encodingIsDeterministic(@ForAll("envelopes") EventEnvelope envelope) {
        assertArrayEquals(codec.encode(envelope), codec.encode(codec.decode(codec.encode(envelope))));
    }

    @Example
    void everyEventTypeIsGenerated() {
        assertFalse(EventArbitraries.eventTypes().isEmpty());
        for (Class<?> type : EventArbitraries.eventTypes()) {
            EventArbitraries.eventsOf(type).sample(); // fails naming the component it cannot generate
        }
    }
}
