package io.berth.eventlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.berth.eventlog.events.Event;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link EventEnvelope}s as the JSON documented in docs/API.md, the same bytes for
 * the log, the API stream and Kafka:
 *
 * <pre>{@code
 * {"schemaVersion":1,"sequence":7,"time":"2026-11-28T10:24:10.123456789Z","type":"PluginLoaded",
 *  "subject":"runtime-runc","actor":{"uid":0,"user":"root","pid":4242,"client":"berthd"},
 *  "correlationId":"…","hostId":"…","payload":{…the record's fields…}}
 * }</pre>
 *
 * <p>The envelope is written and read with Jackson's streaming API and only the payload goes
 * through data binding, with one {@link ObjectReader}/{@link ObjectWriter} per event record made
 * up front: a replay decodes every envelope in the log, so no tree model is built on the common path.
 * Envelopes from older schema versions are read as a tree and passed through the {@link Upcaster}s;
 * newer ones are refused. Unknown fields are ignored, so adding a field to a record needs no new
 * schema version.
 *
 * <p>Thread-safe: one instance can serve every reader and writer.
 */
public final class EventCodec {
    private record UpcastKey(String type, int version) {}

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    // made on first use of each type: Jackson's introspection of all ~50 records took ~0.3-1 s of a daemon's
    // cold start (measured with jstack during start-up), and a start restored from a snapshot decodes few types
    private final Map<String, ObjectReader> readers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Class<?>, ObjectWriter> writers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<UpcastKey, Upcaster> upcasters = new HashMap<>();

    /** A codec that reads only envelopes of the current schema version (and older ones whose types did not change). */
    public EventCodec() {
        this(List.of());
    }

    /**
     * A codec that upcasts older envelopes with the given upcasters.
     *
     * @throws IllegalArgumentException when two upcasters claim the same type and version
     */
    public EventCodec(List<? extends Upcaster> upcasters) {
        // Non-ASCII is written as JSON escapes: a string from a client may hold a lone UTF-16 surrogate
        // (an escaped surrogate is valid JSON input), which raw UTF-8 cannot carry; escaped, every string
        // round-trips and no client can write an event the log could not read back.
        mapper = new ObjectMapper(new com.fasterxml.jackson.core.JsonFactoryBuilder()
                        .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII).build())
                .registerModule(new JavaTimeModule())
                .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("berth-keys")
                        .addKeySerializer(String.class, new WellFormedKeys()))
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                // maps in payloads (env, labels) are written sorted, so the same event is always the same bytes
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
        factory = mapper.getFactory();
        for (Upcaster u : upcasters) {
            if (this.upcasters.putIfAbsent(new UpcastKey(u.type(), u.fromVersion()), u) != null) {
                throw new IllegalArgumentException("two upcasters for " + u.type() + " at schema version " + u.fromVersion());
            }
        }
    }

    /** The mapper the codec uses for payloads, for code that writes events in other shapes (the Docker event stream). */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** The type name written for an event: its record's simple name. */
    public static String typeName(Event event) {
        return EventTypes.nameOf(event);
    }

    /** The JSON bytes of an envelope, in UTF-8, without a trailing newline. */
    public byte[] encode(EventEnvelope envelope) {
        Event payload = envelope.payload();
        if (payload == null) {
            throw new IllegalArgumentException("event " + envelope.sequence() + " has no payload");
        }
        ObjectWriter writer = writers.get(payload.getClass());
        if (writer == null && EventTypes.all().containsValue(payload.getClass())) {
            writer = writers.computeIfAbsent(payload.getClass(), mapper::writerFor);
        }
        if (writer == null) {
            throw new IllegalArgumentException("not an event record: " + payload.getClass().getName());
        }
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", envelope.schemaVersion());
            g.writeNumberField("sequence", envelope.sequence());
            g.writeStringField("time", Rfc3339.format(envelope.time()));
            g.writeStringField("type", envelope.type());
            g.writeStringField("subject", envelope.subject());
            Actor actor = envelope.actor();
            if (actor == null) {
                g.writeNullField("actor");
            } else {
                g.writeObjectFieldStart("actor");
                g.writeNumberField("uid", actor.uid());
                g.writeStringField("user", actor.user());
                g.writeNumberField("pid", actor.pid());
                g.writeStringField("client", actor.client());
                g.writeEndObject();
            }
            g.writeStringField("correlationId", envelope.correlationId());
            g.writeStringField("hostId", envelope.hostId());
            g.writeFieldName("payload");
            writer.writeValue(g, payload);
            g.writeEndObject();
        } catch (IOException e) {
            throw new EventLogException("cannot encode event " + envelope.sequence() + " (" + envelope.type() + "): " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * An envelope's sequence and type, read from its first fields without decoding the rest.
     *
     * @param sequence the event's sequence number
     * @param type     its type name
     */
    public record Header(long sequence, String type) {}

    /**
     * Reads only the header of an envelope (the codec writes sequence and type first). Envelopes in the
     * codec's own layout are read by a byte scan with no parser; anything else (another writer's field
     * order, whitespace, escapes) goes through Jackson.
     */
    public Header peek(byte[] json) {
        Header fast = scanHeader(json);
        return fast != null ? fast : parseHeader(json);
    }

    private static final byte[] VERSION_FIELD = "{\"schemaVersion\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SEQUENCE_FIELD = ",\"sequence\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TIME_FIELD = ",\"time\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TYPE_FIELD = ",\"type\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The header of an envelope laid out exactly as {@link #encode} writes it, or null when the bytes
     * are laid out any other way. A replay peeks at every entry, and a parser per entry cost as much
     * as a third of decoding the whole envelope.
     */
    static Header scanHeader(byte[] json) {
        int at = expect(json, 0, VERSION_FIELD);
        if (at < 0) {
            return null;
        }
        int digits = at;
        while (at < json.length && json[at] >= '0' && json[at] <= '9') {
            at++;
        }
        if (at == digits) {
            return null;
        }
        at = expect(json, at, SEQUENCE_FIELD);
        if (at < 0) {
            return null;
        }
        long sequence = 0;
        digits = at;
        while (at < json.length && json[at] >= '0' && json[at] <= '9' && at - digits < 18) {
            sequence = sequence * 10 + (json[at] - '0');
            at++;
        }
        if (at == digits || (at < json.length && json[at] >= '0' && json[at] <= '9')) {
            return null;
        }
        at = expect(json, at, TIME_FIELD);
        if (at < 0) {
            return null;
        }
        while (at < json.length && json[at] != '"' && json[at] != '\\') {
            at++;
        }
        if (at >= json.length || json[at] != '"') {
            return null;
        }
        at = expect(json, at + 1, TYPE_FIELD);
        if (at < 0) {
            return null;
        }
        int typeStart = at;
        while (at < json.length && isNameByte(json[at])) {
            at++;
        }
        if (at == typeStart || at >= json.length || json[at] != '"') {
            return null;
        }
        return new Header(sequence, new String(json, typeStart, at - typeStart, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** Type names are Java identifiers: ASCII letters and digits only, so no escape can hide in one. */
    private static boolean isNameByte(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
    }

    private static int expect(byte[] json, int at, byte[] literal) {
        if (at + literal.length > json.length) {
            return -1;
        }
        for (int i = 0; i < literal.length; i++) {
            if (json[at + i] != literal[i]) {
                return -1;
            }
        }
        return at + literal.length;
    }

    private Header parseHeader(byte[] json) {
        long sequence = -1;
        String type = null;
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                throw new EventLogException("not an event envelope: expected a JSON object");
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME && (sequence < 0 || type == null)) {
                String field = p.currentName();
                com.fasterxml.jackson.core.JsonToken value = p.nextToken();
                switch (field) {
                    case "sequence" -> sequence = p.getLongValue();
                    case "type" -> type = p.getText();
                    default -> {
                        if (value.isStructStart()) {
                            p.skipChildren();
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
        if (sequence < 0 || type == null) {
            return new Header(decode(json).sequence(), decode(json).type());
        }
        return new Header(sequence, type);
    }

    /** Decodes one envelope. */
    public EventEnvelope decode(byte[] json) {
        return decode(json, 0, json.length);
    }

    /**
     * Decodes one envelope from {@code json[offset, offset+length)}.
     *
     * @throws EventLogException when the bytes are not an envelope, the type is unknown, or the
     *                           envelope was written by a newer berth
     */
    public EventEnvelope decode(byte[] json, int offset, int length) {
        try (JsonParser p = factory.createParser(json, offset, length)) {
            EventEnvelope envelope = read(p, false);
            if (envelope != null) {
                return envelope;
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
        return upcastAndRead(() -> factory.createParser(json, offset, length));
    }

    /** Decodes one envelope from a stream holding exactly that envelope. */
    public EventEnvelope decode(InputStream json) {
        try {
            return decode(json.readAllBytes());
        } catch (IOException e) {
            throw new EventLogException("cannot read event envelope: " + e.getMessage(), e);
        }
    }

    private interface ParserSource {
        JsonParser open() throws IOException;
    }

    /** The slow path for envelopes from older schema versions: tree, upcaster chain, then the normal reader. */
    private EventEnvelope upcastAndRead(ParserSource source) {
        try (JsonParser p = source.open()) {
            if (!(mapper.readTree(p) instanceof ObjectNode envelope)) {
                throw new UnreadableEnvelopeException("not a berth event envelope: not a JSON object", null);
            }
            int version = envelope.path("schemaVersion").asInt(0);
            for (int v = version; v < EventEnvelope.CURRENT_SCHEMA_VERSION; v++) {
                Upcaster u = upcasters.get(new UpcastKey(envelope.path("type").asText(), v));
                if (u != null) {
                    u.upcast(envelope);
                }
            }
            envelope.put("schemaVersion", EventEnvelope.CURRENT_SCHEMA_VERSION);
            try (JsonParser upcast = mapper.treeAsTokens(envelope)) {
                EventEnvelope read = read(upcast, true);
                return new EventEnvelope(read.sequence(), read.time(), read.type(), read.subject(), read.actor(),
                        read.correlationId(), read.hostId(), version, read.payload());
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * Reads an envelope from the parser's current position. Returns null when the envelope is from
     * an older schema version and must go through {@link #upcastAndRead} (unless {@code upcast} says it did).
     */
    private EventEnvelope read(JsonParser p, boolean upcast) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new UnreadableEnvelopeException("not a berth event envelope: not a JSON object", null);
        }
        int schemaVersion = 0;
        boolean versionSeen = false;
        long sequence = 0;
        Instant time = null;
        String type = null;
        String subject = null;
        Actor actor = null;
        String correlationId = null;
        String hostId = null;
        Event payload = null;
        ObjectNode payloadTree = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "schemaVersion" -> {
                    schemaVersion = p.getIntValue();
                    versionSeen = true;
                    if (schemaVersion < EventEnvelope.CURRENT_SCHEMA_VERSION && !upcast) {
                        return null;
                    }
                }
                case "sequence" -> sequence = p.getLongValue();
                case "time" -> time = value == JsonToken.VALUE_NULL ? null : Rfc3339.parse(p.getText());
                case "type" -> type = p.getValueAsString();
                case "subject" -> subject = p.getValueAsString();
                case "actor" -> actor = value == JsonToken.VALUE_NULL ? null : readActor(p);
                case "correlationId" -> correlationId = p.getValueAsString();
                case "hostId" -> hostId = p.getValueAsString();
                case "payload" -> {
                    if (versionSeen && schemaVersion == EventEnvelope.CURRENT_SCHEMA_VERSION && type != null) {
                        payload = readPayload(p, type, sequence);
                    } else if (value == JsonToken.START_OBJECT) {
                        payloadTree = p.readValueAsTree();
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (!versionSeen && !upcast) {
            return null;
        }
        if (schemaVersion > EventEnvelope.CURRENT_SCHEMA_VERSION) {
            throw new EventLogException("event " + sequence + " was written by a newer berth (schema " + schemaVersion
                    + "; this berth reads up to " + EventEnvelope.CURRENT_SCHEMA_VERSION + ")");
        }
        if (type == null) {
            throw new EventLogException("event " + sequence + " has no type");
        }
        if (payload == null) {
            if (payloadTree == null) {
                throw new EventLogException("event " + sequence + " (" + type + ") has no payload");
            }
            try (JsonParser tree = mapper.treeAsTokens(payloadTree)) {
                tree.nextToken();
                payload = readPayload(tree, type, sequence);
            }
        }
        return new EventEnvelope(sequence, time, type, subject, actor, correlationId, hostId, schemaVersion, payload);
    }

    private Event readPayload(JsonParser p, String type, long sequence) throws IOException {
        Class<? extends Event> known = EventTypes.all().get(type);
        ObjectReader reader = known == null ? null : readers.computeIfAbsent(type, name -> mapper.readerFor(known));
        if (reader == null) {
            throw new EventLogException("event " + sequence + " has unknown type " + type
                    + " (written by a newer berth, or a type that was removed)");
        }
        try {
            return reader.readValue(p);
        } catch (JsonParseException e) {
            throw unreadable(e);
        } catch (IOException | IllegalArgumentException e) {
            throw new EventLogException("event " + sequence + ": cannot read the " + type + " payload: " + oneLine(e), e);
        }
    }

    private static Actor readActor(JsonParser p) throws IOException {
        int uid = -1;
        String user = null;
        long pid = 0;
        String client = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "uid" -> uid = p.getIntValue();
                case "user" -> user = p.getValueAsString();
                case "pid" -> pid = p.getLongValue();
                case "client" -> client = p.getValueAsString();
                default -> p.skipChildren();
            }
        }
        return new Actor(uid, user, pid, client);
    }

    /** Malformed JSON: the bytes are damaged, not merely from another version. */
    private static EventLogException unreadable(IOException e) {
        return e instanceof JsonParseException
                ? new UnreadableEnvelopeException("not a berth event envelope: " + oneLine(e), e)
                : new EventLogException("cannot read event envelope: " + oneLine(e), e);
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * Map keys with a lone UTF-16 surrogate get U+FFFD in its place: JSON parsers cannot read such a
     * key back (values can, escaped), and an event the log cannot read would break every replay.
     */
    private static final class WellFormedKeys extends com.fasterxml.jackson.databind.JsonSerializer<Object> {
        @Override
        public void serialize(Object key, com.fasterxml.jackson.core.JsonGenerator generator,
                              com.fasterxml.jackson.databind.SerializerProvider provider) throws java.io.IOException {
            generator.writeFieldName(wellFormed(key.toString()));
        }
    }

    static String wellFormed(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(text.substring(0, i));
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
