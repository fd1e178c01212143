package io.berth.plugin.runc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the small JSON documents runc prints ({@code state}, {@code list}, its JSON log lines)
 * into plain maps, lists, strings, longs, doubles and booleans. Jackson's streaming parser only:
 * the plugin shades it, so no data binding and no reflection.
 */
final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Json() {
    }

    /**
     * @param text a JSON document
     * @return its value
     * @throws IOException if it is not JSON
     */
    static Object parse(String text) throws IOException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IOException("empty JSON document");
            }
            return value(parser, first);
        }
    }

    /**
     * @param text a JSON object
     * @return its members
     * @throws IOException if it is not a JSON object
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String text) throws IOException {
        if (parse(text) instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IOException("expected a JSON object: " + abbreviate(text));
    }

    static String string(Map<String, Object> object, String key) {
        return object.get(key) instanceof String s ? s : "";
    }

    static long number(Map<String, Object> object, String key) {
        return object.get(key) instanceof Number n ? n.longValue() : 0;
    }

    static String abbreviate(String text) {
        String line = text.strip().replace('\n', ' ');
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    map.put(name, value(parser, parser.nextToken()));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(value(parser, t));
                }
                yield list;
            }
            case VALUE_STRING -> parser.getText();
            // cgroup v2 reports "no limit" as the largest unsigned 64-bit number: read it as Long.MAX_VALUE
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (parser.getBigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected JSON token " + token);
        };
    }
}
