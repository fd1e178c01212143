package io.berth.plugin.netavark;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * netavark's JSON and the driver's state files as plain maps, lists, strings, numbers and booleans.
 * Jackson's streaming API only: the plugin shades it, so no data binding and no reflection.
 */
final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Json() {
    }

    /** @param value maps, lists, strings, numbers, booleans and nulls @return compact JSON */
    static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Number n -> g.writeNumber(n.doubleValue());
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Iterable<?> list -> {
                g.writeStartArray();
                for (Object item : list) {
                    write(g, item);
                }
                g.writeEndArray();
            }
            default -> throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    /** @param text a JSON document @return its value @throws IOException if it is not JSON */
    static Object parse(String text) throws IOException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IOException("empty JSON document");
            }
            return value(parser, first);
        }
    }

    /** @param text a JSON object @return its members @throws IOException if it is not a JSON object */
    static Map<String, Object> object(String text) throws IOException {
        if (parse(text) instanceof Map<?, ?> map) {
            return cast(map);
        }
        throw new IOException("expected a JSON object, got: " + oneLine(text));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    static Map<String, Object> object(Map<String, Object> in, String key) {
        return in.get(key) instanceof Map<?, ?> m ? cast(m) : Map.of();
    }

    static List<Object> list(Map<String, Object> in, String key) {
        return in.get(key) instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    static List<String> strings(Map<String, Object> in, String key) {
        return list(in, key).stream().map(String::valueOf).toList();
    }

    static Map<String, String> stringMap(Map<String, Object> in, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        object(in, key).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    static String string(Map<String, Object> in, String key) {
        return in.get(key) instanceof String s ? s : "";
    }

    static boolean bool(Map<String, Object> in, String key) {
        return in.get(key) instanceof Boolean b && b;
    }

    static int integer(Map<String, Object> in, String key) {
        return in.get(key) instanceof Number n ? n.intValue() : 0;
    }

    static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s*\\R\\s*-?\\s*", "; ");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private static Object value(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    map.put(name, value(p, p.nextToken()));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    list.add(value(p, t));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected JSON token " + token);
        };
    }
}
