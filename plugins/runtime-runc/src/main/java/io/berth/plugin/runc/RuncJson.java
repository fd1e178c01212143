package io.berth.plugin.runc;

import io.berth.text.json.Json;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What runc's JSON ({@code state}, {@code list}, {@code events --stats}, its log lines) needs beyond berth's
 * one JSON reader, {@link Json}: a document that must be an object, numbers as {@code long}s, and a short
 * excerpt of output that is not JSON for an error message.
 */
final class RuncJson {

    private RuncJson() {
    }

    /** @return the members of the JSON object {@code text}, from the program {@code what} */
    static Map<String, Object> object(String text, String what) throws IOException {
        return Json.parseObject(text.getBytes(StandardCharsets.UTF_8), what);
    }

    /**
     * A member as a {@code long}: 0 when missing or not a number. cgroup v2 reports "no limit" as the largest
     * unsigned 64-bit number, which reads as {@link Long#MAX_VALUE}.
     */
    static long number(Map<String, Object> object, String key) {
        Object value = object.get(key);
        if (value instanceof BigInteger big) {
            return big.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return value instanceof Number n ? n.longValue() : 0;
    }

    /** Output as one short line for an error message: stripped, line breaks as spaces, at most 200 characters. */
    static String abbreviate(String text) {
        String line = text.strip().replace('\n', ' ');
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
