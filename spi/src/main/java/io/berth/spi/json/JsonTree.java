package io.berth.spi.json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON documents as a tree of plain values: an object is a {@code Map<String, Object>} keeping its
 * members' order, an array a {@code List<Object>}, a string a {@link String}, a number without fraction
 * or exponent a {@link Long}, any other number a {@link Double}, {@code true}/{@code false} a
 * {@link Boolean} and {@code null} {@code null}. It serves the small documents plugins exchange with the
 * programs they drive and the state files they keep; it is no data binding and no streaming reader.
 *
 * <p>Reading follows RFC 8259 strictly (no comments, no trailing commas, nothing after the value). An
 * integer beyond the range of {@code long} reads as {@link Long#MAX_VALUE} or {@link Long#MIN_VALUE}:
 * cgroup v2 reports "no limit" as the largest unsigned 64-bit number. A member named twice keeps its last
 * value. The typed accessors ({@link #string}, {@link #number} …) answer an empty value for a member that
 * is missing or of another type, since the documents come from programs whose versions add and drop
 * members.
 */
public final class JsonTree {

    /** Deeper nesting than this is refused rather than risking the reader's stack. */
    private static final int MAX_DEPTH = 256;

    private final String text;
    private int at;

    private JsonTree(String text) {
        this.text = text;
    }

    /**
     * Reads one JSON document.
     *
     * @param text the document
     * @return its value, as described above
     * @throws IOException naming the offset of the first character that is not JSON
     */
    public static Object parse(String text) throws IOException {
        JsonTree reader = new JsonTree(text);
        reader.skipSpace();
        if (reader.at == text.length()) {
            throw new IOException("empty JSON document");
        }
        Object value = reader.value(0);
        reader.skipSpace();
        if (reader.at < text.length()) {
            throw reader.error("end of the document");
        }
        return value;
    }

    /**
     * Reads a JSON document that must be an object.
     *
     * @param text the document
     * @return its members in the document's order
     * @throws IOException if it is not JSON or not an object
     */
    public static Map<String, Object> object(String text) throws IOException {
        if (parse(text) instanceof Map<?, ?> map) {
            return cast(map);
        }
        throw new IOException("expected a JSON object: " + excerpt(text));
    }

    /**
     * Writes a tree of plain values as compact JSON.
     *
     * @param value maps (keys written with {@link String#valueOf}), iterables, strings, numbers, booleans
     *              and nulls
     * @return the document
     * @throws IllegalArgumentException for any other value, or a number that is not finite
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    /** @return the member {@code key} if it is an object, else an empty map */
    public static Map<String, Object> object(Map<String, Object> in, String key) {
        return in.get(key) instanceof Map<?, ?> m ? cast(m) : Map.of();
    }

    /** @return a copy of the member {@code key} if it is an array, else an empty list */
    public static List<Object> list(Map<String, Object> in, String key) {
        return in.get(key) instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    /** @return the items of the array {@code key} as strings ({@link String#valueOf}), else an empty list */
    public static List<String> strings(Map<String, Object> in, String key) {
        return list(in, key).stream().map(String::valueOf).toList();
    }

    /** @return the members of the object {@code key} with their values as strings, else an empty map */
    public static Map<String, String> stringMap(Map<String, Object> in, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        object(in, key).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /** @return the member {@code key} if it is a string, else {@code ""} */
    public static String string(Map<String, Object> in, String key) {
        return in.get(key) instanceof String s ? s : "";
    }

    /** @return the member {@code key} if it is {@code true}, else {@code false} */
    public static boolean bool(Map<String, Object> in, String key) {
        return in.get(key) instanceof Boolean b && b;
    }

    /** @return the member {@code key} as a {@code long} if it is a number, else 0 */
    public static long number(Map<String, Object> in, String key) {
        return in.get(key) instanceof Number n ? n.longValue() : 0;
    }

    /** @return the member {@code key} as an {@code int} if it is a number, else 0 */
    public static int integer(Map<String, Object> in, String key) {
        return in.get(key) instanceof Number n ? n.intValue() : 0;
    }

    /**
     * A document as one short line for an error message.
     *
     * @param text any text
     * @return it stripped, its line breaks as spaces, at most 200 characters and an ellipsis
     */
    public static String excerpt(String text) {
        String line = text.strip().replaceAll("\\R", " ");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private Object value(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("at most " + MAX_DEPTH + " nested arrays and objects");
        }
        if (at >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> members(depth);
            case '[' -> items(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("a value");
            }
        };
    }

    private Map<String, Object> members(int depth) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (take('}')) {
            return map;
        }
        do {
            skipSpace();
            if (at >= text.length() || text.charAt(at) != '"') {
                throw error("a member name in quotes");
            }
            String name = string();
            skipSpace();
            if (!take(':')) {
                throw error("':'");
            }
            skipSpace();
            map.put(name, value(depth + 1));
            skipSpace();
        } while (take(','));
        if (!take('}')) {
            throw error("',' or '}'");
        }
        return map;
    }

    private List<Object> items(int depth) throws IOException {
        List<Object> list = new ArrayList<>();
        at++;
        skipSpace();
        if (take(']')) {
            return list;
        }
        do {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
        } while (take(','));
        if (!take(']')) {
            throw error("',' or ']'");
        }
        return list;
    }

    private String string() throws IOException {
        at++;
        StringBuilder out = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                at--;
                throw error("no control character inside a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                break;
            }
            char escaped = text.charAt(at++);
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(hexChar());
                default -> {
                    at--;
                    throw error("an escape of \" \\ / b f n r t u");
                }
            }
        }
        throw error("the closing quote of the string");
    }

    private char hexChar() throws IOException {
        if (at + 4 > text.length()) {
            throw error("four hex digits");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at), 16);
            if (digit < 0) {
                throw error("four hex digits");
            }
            code = code * 16 + digit;
            at++;
        }
        return (char) code;
    }

    private Object number() throws IOException {
        int start = at;
        take('-');
        if (!take('0')) {
            if (digits() == 0) {
                throw error("a digit");
            }
        }
        boolean integral = true;
        if (take('.')) {
            integral = false;
            if (digits() == 0) {
                throw error("a digit after '.'");
            }
        }
        if (take('e') || take('E')) {
            integral = false;
            if (!take('+')) {
                take('-');
            }
            if (digits() == 0) {
                throw error("a digit in the exponent");
            }
        }
        String number = text.substring(start, at);
        if (!integral) {
            return Double.parseDouble(number);
        }
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException beyondLong) {
            return number.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private int digits() {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at - start;
    }

    private Object literal(String word, Object value) throws IOException {
        if (!text.startsWith(word, at)) {
            throw error("a value");
        }
        at += word.length();
        return value;
    }

    private boolean take(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private IOException error(String expected) {
        String found = at < text.length() ? "'" + text.charAt(at) + "'" : "the end";
        return new IOException("not JSON at offset " + at + ": expected " + expected + ", found " + found
                + " in: " + excerpt(text));
    }

    private static void write(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(out, s);
            case Boolean b -> out.append(b);
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Short s -> out.append(s);
            case Byte b -> out.append(b);
            case Number n -> {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("cannot write " + d + " as JSON");
                }
                out.append(d);
            }
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    quote(out, String.valueOf(e.getKey()));
                    out.append(':');
                    write(out, e.getValue());
                }
                out.append('}');
            }
            case Iterable<?> list -> {
                out.append('[');
                boolean first = true;
                for (Object item : list) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    write(out, item);
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
