package io.berth.plugin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a registry's error answer into a one-line {@link RegistryException}: the distribution
 * spec's JSON body ({@code {"errors":[{"code","message","detail"}]}}) when there is one, else the
 * HTTP status and what the body looks like.
 */
final class RegistryErrors {

    private RegistryErrors() {
    }

    /**
     * @param reply    a non-2xx answer; its body is read (at most 64 KiB) and closed
     * @param registry the registry, for the message
     * @param subject  what was asked for, for the message
     * @return the exception to throw
     */
    static RegistryException from(Reply reply, String registry, String subject) {
        byte[] body;
        try (Reply r = reply) {
            body = r.body().readNBytes(Reply.ERROR_BODY_LIMIT);
        } catch (IOException e) {
            body = new byte[0];
        }
        List<String> codes = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        Json.object(body).map(root -> root.get("errors")).filter(JsonNode::isArray).ifPresent(errors -> {
            for (JsonNode error : errors) {
                String code = Json.text(error, "code").orElse("");
                String message = Json.text(error, "message").orElse(code.toLowerCase(Locale.ROOT).replace('_', ' '));
                JsonNode detail = error.get("detail");
                if (detail != null && detail.isTextual() && !detail.asText().isBlank() && !detail.asText().equals(message)) {
                    message += ": " + detail.asText();
                }
                codes.add(code);
                messages.add(code.isEmpty() ? message : message + " (" + code + ")");
            }
        });
        Reason reason = reason(reply.status(), codes);
        String problem = messages.isEmpty() ? describe(reply, body) : String.join("; ", messages);
        return new RegistryException(reason, registry, subject, problem);
    }

    /**
     * @param status the HTTP status
     * @param codes  the error codes of the JSON body, possibly none
     * @return the reason berth reports
     */
    static Reason reason(int status, List<String> codes) {
        for (String code : codes) {
            switch (code) {
                case "MANIFEST_UNKNOWN", "BLOB_UNKNOWN", "NAME_UNKNOWN", "MANIFEST_BLOB_UNKNOWN", "BLOB_UPLOAD_UNKNOWN" -> {
                    return Reason.NOT_FOUND;
                }
                case "UNAUTHORIZED" -> {
                    return Reason.UNAUTHORIZED;
                }
                case "DENIED" -> {
                    return Reason.DENIED;
                }
                case "DIGEST_INVALID", "SIZE_INVALID" -> {
                    return Reason.DIGEST_MISMATCH;
                }
                case "TOOMANYREQUESTS" -> {
                    return Reason.RATE_LIMITED;
                }
                case "UNSUPPORTED" -> {
                    return Reason.UNSUPPORTED;
                }
                default -> {
                    // Decided by the status below.
                }
            }
        }
        return switch (status) {
            case 401 -> Reason.UNAUTHORIZED;
            case 403 -> Reason.DENIED;
            case 404 -> Reason.NOT_FOUND;
            case 413 -> Reason.TOO_LARGE;
            case 429 -> Reason.RATE_LIMITED;
            default -> status >= 500 ? Reason.UNAVAILABLE : Reason.PROTOCOL;
        };
    }

    private static String describe(Reply reply, byte[] body) {
        String status = "HTTP " + reply.status();
        String type = reply.contentType();
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (type.contains("html") || text.regionMatches(true, 0, "<!doctype html", 0, 14) || text.regionMatches(true, 0, "<html", 0, 5)) {
            return status + " with an HTML page instead of the registry API's answer: is this a registry?";
        }
        if (text.isEmpty()) {
            return status + (reply.status() == 404 ? " not found" : "");
        }
        String firstLine = text.lines().findFirst().orElse("");
        return status + ": " + (firstLine.length() > 200 ? firstLine.substring(0, 200) + "…" : firstLine);
    }
}
