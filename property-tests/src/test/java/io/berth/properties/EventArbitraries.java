package io.berth.properties;

import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.Event;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators for every event type, found by walking {@link Event}'s sealed hierarchy, so that a new
 * event record is covered by the properties without touching them. A record component of a type
 * this class cannot generate fails loudly, naming the record and the component.
 */
final class EventArbitraries {
    private EventArbitraries() {}

    /** Every concrete event record type. */
    static List<Class<?>> eventTypes() {
        List<Class<?>> found = new ArrayList<>();
        collect(Event.class, found);
        return found;
    }

    private static void collect(Class<?> type, List<Class<?>> out) {
        if (type.isRecord()) {
            out.add(type);
            return;
        }
        Class<?>[] permitted = type.getPermittedSubclasses();
        if (permitted != null) {
            for (Class<?> sub : permitted) {
                collect(sub, out);
            }
        }
    }

    /** Any event of any type. */
    static Arbitrary<Event> events() {
        List<Arbitrary<Event>> perType = new ArrayList<>();
        for (Class<?> type : eventTypes()) {
            perType.add(eventsOf(type));
        }
        return Arbitraries.oneOf(perType);
    }

    /** Events of one record type, every component generated. */
    static Arbitrary<Event> eventsOf(Class<?> recordType) {
        return recordsOf(recordType).map(r -> (Event) r);
    }

    /** Instances of any record type whose components this class can generate (records nest). */
    static Arbitrary<Object> recordsOf(Class<?> recordType) {
        RecordComponent[] components = recordType.getRecordComponents();
        List<Arbitrary<Object>> values = new ArrayList<>();
        Class<?>[] parameterTypes = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            parameterTypes[i] = components[i].getType();
            values.add(valuesFor(recordType, components[i].getName(), components[i].getGenericType()));
        }
        Constructor<?> constructor;
        try {
            constructor = recordType.getDeclaredConstructor(parameterTypes);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(recordType + " has no canonical constructor", e);
        }
        return Combinators.combine(values).as(args -> {
            try {
                return constructor.newInstance(args.toArray());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot construct " + recordType.getSimpleName() + ": " + e, e);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Arbitrary<Object> valuesFor(Class<?> owner, String name, Type type) {
        if (type == String.class) {
            return (Arbitrary<Object>) (Arbitrary<?>) text();
        }
        if (type == long.class || type == Long.class) {
            return (Arbitrary<Object>) (Arbitrary<?>) Arbitraries.longs();
        }
        if (type == int.class || type == Integer.class) {
            return (Arbitrary<Object>) (Arbitrary<?>) Arbitraries.integers();
        }
        if (type == boolean.class || type == Boolean.class) {
            return (Arbitrary<Object>) (Arbitrary<?>) Arbitraries.of(true, false);
        }
        if (type == Instant.class) {
            return (Arbitrary<Object>) (Arbitrary<?>) instants();
        }
        if (type == io.berth.spi.network.PortMapping.class) {
            // a mapping checks its ports when made: generate only ones it accepts
            return (Arbitrary<Object>) (Arbitrary<?>) Combinators.combine(text(), Arbitraries.integers().between(1, 60000),
                    Arbitraries.integers().between(1, 60000), Arbitraries.of("tcp", "udp"), Arbitraries.integers().between(1, 5))
                    .as(io.berth.spi.network.PortMapping::new);
        }
        if (type instanceof Class<?> nested && nested.isRecord()) {
            return recordsOf(nested);
        }
        if (type instanceof ParameterizedType parameterized) {
            Type raw = parameterized.getRawType();
            Type[] arguments = parameterized.getActualTypeArguments();
            if (raw == List.class) {
                return (Arbitrary<Object>) (Arbitrary<?>) valuesFor(owner, name, arguments[0]).list().ofMaxSize(4);
            }
            if (raw == Map.class && arguments[0] == String.class) {
                // keys are well-formed text: the codec replaces a lone surrogate in a key (EventCodecTest covers that)
                return (Arbitrary<Object>) (Arbitrary<?>) Arbitraries.maps(keys(), valuesFor(owner, name, arguments[1])).ofMaxSize(4);
            }
        }
        throw new IllegalStateException("no generator for " + owner.getSimpleName() + "." + name + " of type " + type
                + ": add one to EventArbitraries");
    }

    /** Text including non-ASCII, quotes, control characters and the empty string. */
    static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(24),
                Arbitraries.strings().withChars("aé\"\\\n\t/€😀<>&").ofMaxLength(12),
                Arbitraries.just(""));
    }

    /** Map keys: any text without lone surrogates. */
    static Arbitrary<String> keys() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ascii().ofMaxLength(16),
                Arbitraries.strings().withChars("aé\"\\\n\t/€<>&=").ofMaxLength(12),
                Arbitraries.just("k😀"),
                Arbitraries.just(""));
    }

    static Arbitrary<Instant> instants() {
        return Combinators.combine(Arbitraries.longs().between(0, 4_102_444_800L), Arbitraries.integers().between(0, 999_999_999))
                .as(Instant::ofEpochSecond);
    }

    static Arbitrary<Actor> actors() {
        return Combinators.combine(Arbitraries.integers().between(-1, 70_000), text(), Arbitraries.longs().between(0, 4_194_304), text())
                .as(Actor::new);
    }

    /** A complete envelope at a given sequence. */
    static Arbitrary<EventEnvelope> envelopes() {
        return Combinators.combine(Arbitraries.longs().between(1, Long.MAX_VALUE / 2), instants(), events(), actors(), text(), text())
                .as((sequence, time, event, actor, correlation, host) -> new EventEnvelope(sequence, time,
                        event.getClass().getSimpleName(), event.subject(), actor, correlation, host,
                        EventEnvelope.CURRENT_SCHEMA_VERSION, event));
    }

    /** Envelopes numbered 1..n in order, as a log holds them. */
    static List<EventEnvelope> numbered(List<Event> events, List<Actor> actors) {
        List<EventEnvelope> out = new ArrayList<>();
        Instant time = Instant.parse("2026-11-28T00:00:00Z");
        for (int i = 0; i < events.size(); i++) {
            Event event = events.get(i);
            Actor actor = actors.isEmpty() ? new Actor(0, "root", 1, "berthd") : actors.get(i % actors.size());
            out.add(new EventEnvelope(i + 1, time.plusMillis(i), event.getClass().getSimpleName(), event.subject(), actor,
                    "c" + i, "host", EventEnvelope.CURRENT_SCHEMA_VERSION, event));
        }
        return out;
    }
}
