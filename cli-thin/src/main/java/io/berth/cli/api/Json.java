package io.berth.cli.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values over jackson-core's streaming API: objects are {@code Map<String,Object>}
 * (field order kept), arrays {@code List<Object>}, numbers {@code Long}/{@code BigInteger}/{@code Double},
 * plus {@code String}, {@code Boolean} and {@code null}. The CLI only renders what the daemon sends, so a
 * tree of JDK types is enough and keeps jackson-databind (and its start-up cost) off the class path.
 */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /** Parses one JSON value. */
    public static Object parse(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == null) {
                throw new IOException("empty JSON document");
            }
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IOException("trailing data after the JSON value");
            }
            return value;
        }
    }

    /** Parses one JSON value from text. */
    public static Object parse(String json) throws IOException {
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Parses a JSON object, failing with a message naming {@code what} if the value is not an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] json, String what) throws IOException {
        Object v = parse(json);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IOException(what + ": expected a JSON object");
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT, LONG -> p.getLongValue();
                    default -> p.getBigIntegerValue();
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected JSON token " + t);
        }
    }

    /** Writes a value as compact JSON. */
    public static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        return out.toString();
    }

    /** Writes a value as JSON indented as Go's {@code json.MarshalIndent(v, "", indent)} does. */
    public static String writeIndented(Object value, String indent) {
        return indent(write(value).getBytes(java.nio.charset.StandardCharsets.UTF_8), indent);
    }

    /**
     * Re-indents JSON text as Go's {@code json.Indent(dst, src, "", indent)} does, which is how Docker's
     * CLI prints {@code inspect} answers: strings and numbers are copied as they are (escapes and field
     * order kept), one value per line, {@code ": "} after names, empty objects and arrays stay {@code {}}
     * and {@code []}. The input is assumed to be valid JSON (it was parsed or produced already).
     */
    public static String indent(byte[] json, String indent) {
        String s = new String(json, java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(s.length() * 2);
        int depth = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"') {
                int start = i++;
                while (i < n && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\') {
                        i++;
                    }
                    i++;
                }
                out.append(s, start, Math.min(i + 1, n));
            } else if (c == '{' || c == '[') {
                char close = c == '{' ? '}' : ']';
                int j = i + 1;
                while (j < n && isSpace(s.charAt(j))) {
                    j++;
                }
                if (j < n && s.charAt(j) == close) {
                    out.append(c).append(close);
                    i = j;
                } else {
                    depth++;
                    out.append(c);
                    newline(out, indent, depth);
                }
            } else if (c == '}' || c == ']') {
                depth--;
                newline(out, indent, depth);
                out.append(c);
            } else if (c == ',') {
                out.append(c);
                newline(out, indent, depth);
            } else if (c == ':') {
                out.append(": ");
            } else if (!isSpace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static void newline(StringBuilder out, String indent, int depth) {
        out.append('\n');
        for (int d = 0; d < depth; d++) {
            out.append(indent);
        }
    }

    // An if-chain, not a pattern switch: a type switch is linked by a bootstrap method at run time, which
    // costs milliseconds on every start of the CLI.
    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Long n) {
            g.writeNumber(n);
        } else if (v instanceof Integer n) {
            g.writeNumber(n);
        } else if (v instanceof BigInteger n) {
            g.writeNumber(n);
        } else if (v instanceof BigDecimal n) {
            g.writeNumber(n);
        } else if (v instanceof Double n) {
            g.writeNumber(n);
        } else if (v instanceof Number n) {
            g.writeNumber(n.toString());
        } else {
            g.writeString(v.toString());
        }
    }

    // Accessors for the daemon's answers: absent and mistyped fields read as "missing", never fail,
    // because an older or newer daemon may leave fields out.

    /** A nested value by field names, or {@code null} if any step is missing or not an object. */
    public static Object at(Object root, String... path) {
        Object v = root;
        for (String key : path) {
            if (!(v instanceof Map<?, ?> m)) {
                return null;
            }
            v = m.get(key);
        }
        return v;
    }

    /** A nested value as display text: strings as is, other scalars via {@code toString}, else {@code ""}. */
    public static String text(Object root, String... path) {
        Object v = at(root, path);
        if (v == null) {
            return "";
        }
        if (v instanceof Map || v instanceof List) {
            return write(v);
        }
        return v.toString();
    }

    /** A nested object, or an empty map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object root, String... path) {
        return at(root, path) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** A nested array, or an empty list. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Object root, String... path) {
        return at(root, path) instanceof List<?> l ? (List<Object>) l : List.of();
    }
}
