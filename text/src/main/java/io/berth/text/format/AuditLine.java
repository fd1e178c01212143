package io.berth.text.format;

import io.berth.text.json.Json;

import java.util.Map;

/**
 * One audit entry ({@code GET /berth/audit}) as one readable line:
 * {@code TIME  USER(UID) pid=PID CLIENT  OBJECT SUBJECT  DESCRIPTION  correlation=ID}, subjects that are long
 * hexadecimal ids cut to Docker's 12 characters. The offline audit renders with this class too.
 */
public final class AuditLine {
    private AuditLine() {
    }

    public static String render(Map<String, Object> entry) {
        Map<String, Object> actor = Json.object(entry, "actor");
        String client = Json.text(actor, "client");
        return Json.text(entry, "time") + "  "
                + Json.text(actor, "user") + "(" + Json.text(actor, "uid") + ") pid=" + Json.text(actor, "pid")
                + (client.isEmpty() ? "" : " " + client) + "  "
                + Json.text(entry, "object") + " " + shortId(Json.text(entry, "subject")) + "  "
                + Json.text(entry, "description")
                + "  correlation=" + Json.text(entry, "correlationId");
    }

    /** Docker's 12-character short id for a long hexadecimal id (with or without {@code sha256:}); names and references unchanged. */
    public static String shortId(String subject) {
        String bare = subject.startsWith("sha256:") ? subject.substring(7) : subject;
        return bare.length() == 64 && bare.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                ? bare.substring(0, 12) : subject;
    }
}
