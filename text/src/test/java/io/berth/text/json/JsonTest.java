package io.berth.text.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The hand-written JSON reader and writer, checked against Jackson's reading of the same text. */
class JsonTest {
    @Test
    void givenRandomDocuments_whenWrittenAndRead_thenSameTreeAsJacksonReads() throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            Object value = randomValue(random, 0);
            String text = Json.write(value);
            assertEquals(jackson(text), Json.parse(text), text);
            assertEquals(value, Json.parse(text), text);
            assertEquals(value, Json.parse(Json.indent(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), "    ")));
        }
    }

    @Test
    void givenEscapesAndNumbers_thenReadAsJacksonReads() throws IOException {
        for (String text : List.of("\"a\\u00e9\\n\\t\\\"\\\\\\/b\"", "-0", "12345678901234567890", "-9223372036854775808",
                "1.5e3", "[1,-2.25,1E-2]", "{\"a\":{\"b\":[true,false,null]}}", " {} ", "[ ]", "\"\\ud83d\\ude00\"")) {
            assertEquals(jackson(text), Json.parse(text), text);
        }
    }

    @Test
    void givenMalformedJson_thenIOException() {
        for (String text : List.of("", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"a", "[1] x", "{\"a\":1,}",
                "\"\u0001\"", "\"\\x\"", "[".repeat(600) + "]".repeat(600))) {
            assertThrows(IOException.class, () -> Json.parse(text), text);
        }
    }

    @Test
    void givenCompactJson_whenIndented_thenAsGoIndents() {
        assertEquals("[\n    {\n        \"a\": [],\n        \"b\": {},\n        \"c\": [\n            1,\n            \"x,:{\"\n"
                + "        ]\n    }\n]", Json.indent("[{\"a\":[],\"b\":{ },\"c\":[1,\"x,:{\"]}]".getBytes(), "    "));
    }

    private static Object randomValue(Random r, int depth) {
        int kind = depth > 3 ? r.nextInt(5) : r.nextInt(7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> r.nextInt(3) == 0 ? (Object) r.nextLong() : (Object) (long) r.nextInt(1000);
            case 3 -> r.nextInt(1_000_000) / 64.0;
            case 4 -> randomString(r);
            case 5 -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    l.add(randomValue(r, depth + 1));
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    m.put(randomString(r), randomValue(r, depth + 1));
                }
                yield m;
            }
        };
    }

    private static String randomString(Random r) {
        String alphabet = "ab\"\\/\n\t\u0001é€😀:,{}[] ";
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(8); i > 0; i--) {
            int cp = alphabet.codePoints().toArray()[r.nextInt((int) alphabet.codePoints().count())];
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static Object jackson(String text) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(text)) {
            p.nextToken();
            return read(p);
        }
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                BigInteger b = p.getBigIntegerValue();
                return b.bitLength() < 64 ? (Object) b.longValue() : b;
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            default -> {
                return null;
            }
        }
    }
}
