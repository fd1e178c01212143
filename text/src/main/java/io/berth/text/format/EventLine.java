package io.berth.text.format;

import io.berth.text.json.Json;

import java.util.List;
import java.util.Map;

/**
 * One event envelope as one readable line, in the spirit of {@code docker events}:
 * {@code TIME TYPE SUBJECT (actor=USER(UID) pid=PID client=CLIENT seq=N key=value…)}, where the key=value
 * pairs are the payload's fields (nested values as compact JSON).
 */
public final class EventLine {
    private EventLine() {
    }

    /** Renders a parsed envelope (see docs/API.md, "The event envelope"). */
    public static String render(Map<String, Object> envelope) {
        return render(envelope, null);
    }

    /**
     * Renders a parsed envelope with the host it came from after the time ({@code berth fleet events}:
     * {@code TIME HOST TYPE SUBJECT (…)}), or without one when {@code host} is null.
     */
    public static String render(Map<String, Object> envelope, String host) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(orDash(Json.text(envelope, "time"))).append(' ');
        if (host != null) {
            sb.append(orDash(host)).append(' ');
        }
        sb.append(orDash(Json.text(envelope, "type"))).append(' ')
                .append(orDash(Json.text(envelope, "subject")));
        StringBuilder attrs = new StringBuilder();
        Map<String, Object> actor = Json.object(envelope, "actor");
        String user = Json.text(actor, "user");
        String uid = Json.text(actor, "uid");
        if (!user.isEmpty() || !uid.isEmpty()) {
            attr(attrs, "actor", user.isEmpty() ? uid : uid.isEmpty() ? user : user + "(" + uid + ")");
        }
        attr(attrs, "pid", Json.text(actor, "pid"));
        attr(attrs, "client", Json.text(actor, "client"));
        attr(attrs, "seq", Json.text(envelope, "sequence"));
        for (Map.Entry<String, Object> e : Json.object(envelope, "payload").entrySet()) {
            Object v = e.getValue();
            attr(attrs, e.getKey(), v == null ? "null" : v instanceof Map || v instanceof List ? Json.write(v) : v.toString());
        }
        if (!attrs.isEmpty()) {
            sb.append(" (").append(attrs).append(')');
        }
        return sb.toString();
    }

    private static void attr(StringBuilder sb, String key, String value) {
        if (value.isEmpty()) {
            return;
        }
        if (!sb.isEmpty()) {
            sb.append(' ');
        }
        sb.append(key).append('=').append(value);
    }

    private static String orDash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}
