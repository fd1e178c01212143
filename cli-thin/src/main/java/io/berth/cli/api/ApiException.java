package io.berth.cli.api;

import io.berth.cli.http.HttpResponse;
import io.berth.text.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The daemon answered with a non-2xx status. The message is the {@code message} field of Docker's error
 * body, or the status line when the body is not that shape.
 */
public final class ApiException extends IOException {
    private final int status;

    private ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** Reads the daemon's error answer (at most 64 KiB of its body) into an exception; the caller closes {@code r}. */
    static ApiException of(HttpResponse r) {
        return new ApiException(r.status(), errorMessage(r));
    }

    /** The HTTP status of the answer. */
    public int status() {
        return status;
    }

    /** Docker's error body {@code {"message": "…"}}, else the first line of the body, else the status line. */
    private static String errorMessage(HttpResponse r) {
        byte[] body;
        try {
            body = r.body().readNBytes(64 * 1024);
        } catch (IOException e) {
            body = new byte[0];
        }
        try {
            Object message = Json.at(Json.parse(body), "message");
            if (message instanceof String s && !s.isBlank()) {
                return s;
            }
        } catch (IOException | RuntimeException notJson) {
            // fall through to the raw text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        int nl = text.indexOf('\n');
        if (nl >= 0) {
            text = text.substring(0, nl).strip();
        }
        String status = r.status() + (r.reason().isEmpty() ? "" : " " + r.reason());
        return text.isEmpty() ? status : text + " (" + status + ")";
    }
}
