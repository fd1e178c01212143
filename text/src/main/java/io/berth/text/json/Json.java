package io.berth.text.json;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values: objects are {@code Map<String,Object>} (field order kept), arrays
 * {@code List<Object>}, numbers {@code Long}, {@code BigInteger} (beyond a long) or {@code Double}, plus
 * {@code String}, {@code Boolean} and {@code null}. The CLI only renders what the daemon sends, so a tree of
 * JDK types is enough.
 *
 * <p>Reading and writing are written by hand rather than with jackson-core: the CLI's answers are small,
 * and Jackson's first use initialises {@code BigInteger}, {@code BigDecimal} and {@code ForkJoinPool}, tens
 * of milliseconds of every command's start-up that no AOT cache holds (docs/PERFORMANCE.md, "CLI").
 * The reader is strict RFC 8259 (one value, no trailing data, no comments, nesting at most 512 deep).
 */
public final class Json {
    private static final int MAX_DEPTH = 512;

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value. */
    public static Object parse(byte[] json) throws IOException {
        return parse(new String(json, StandardCharsets.UTF_8));
    }

    /** Parses one JSON value from text. */
    public static Object parse(String json) throws IOException {
        Json p = new Json(json);
        p.skipSpace();
        if (p.pos >= json.length()) {
            throw new IOException("empty JSON document");
        }
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos < json.length()) {
            throw p.error("trailing data after the JSON value");
        }
        return value;
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

    private IOException error(String message) {
        return new IOException("malformed JSON at offset " + pos + ": " + message);
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private Object value(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " deep");
        }
        if (pos >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(pos);
        if (c == '{') {
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error("expected a field name");
                }
                String name = string();
                skipSpace();
                expect(':');
                skipSpace();
                map.put(name, value(depth + 1));
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect('}');
                return map;
            }
        }
        if (c == '[') {
            pos++;
            List<Object> list = new ArrayList<>();
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipSpace();
                list.add(value(depth + 1));
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect(']');
                return list;
            }
        }
        if (c == '"') {
            return string();
        }
        if (s.startsWith("true", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        if (s.startsWith("null", pos)) {
            pos += 4;
            return null;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        }
        throw error("unexpected character '" + c + "'");
    }

    private void expect(char c) throws IOException {
        if (pos >= s.length() || s.charAt(pos) != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private String string() throws IOException {
        pos++; // the opening quote
        int start = pos;
        // Fast path: no escapes.
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '"') {
                return s.substring(start, pos++);
            }
            if (c == '\\') {
                break;
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            pos++;
        }
        StringBuilder sb = new StringBuilder(pos - start + 16).append(s, start, pos);
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("control character in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= s.length()) {
                break;
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("truncated \\u escape");
                    }
                    int v = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s.charAt(pos++), 16);
                        if (d < 0) {
                            throw error("bad \\u escape");
                        }
                        v = v * 16 + d;
                    }
                    sb.append((char) v);
                }
                default -> throw error("bad escape '\\" + e + "'");
            }
        }
        throw error("unterminated string");
    }

    private Object number() throws IOException {
        int start = pos;
        boolean integral = true;
        if (s.charAt(pos) == '-') {
            pos++;
        }
        int digits = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == digits || (s.charAt(digits) == '0' && pos - digits > 1)) {
            throw error("bad number");
        }
        if (pos < s.length() && s.charAt(pos) == '.') {
            integral = false;
            pos++;
            int frac = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == frac) {
                throw error("bad number");
            }
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                pos++;
            }
            int exp = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == exp) {
                throw error("bad number");
            }
        }
        String text = s.substring(start, pos);
        if (!integral) {
            return Double.parseDouble(text);
        }
        if (pos - digits <= 18) {
            return Long.parseLong(text);
        }
        // Rare: only then pay for BigInteger's initialisation.
        BigInteger big = new BigInteger(text);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    /** Writes a value as compact JSON. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, value);
        return sb.toString();
    }

    // An if-chain, not a pattern switch: a type switch is linked by a bootstrap method at run time, which
    // costs milliseconds on every start of the CLI.
    private static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, l.get(i));
            }
            sb.append(']');
        } else if (v instanceof String str) {
            quote(sb, str);
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                sb.append("null"); // not representable in JSON
            } else {
                sb.append(d.doubleValue());
            }
        } else if (v instanceof Number n) {
            sb.append(n.toString());
        } else {
            quote(sb, v.toString());
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void quote(StringBuilder sb, String str) {
        sb.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20) {
                sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
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
