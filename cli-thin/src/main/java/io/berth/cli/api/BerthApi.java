package io.berth.cli.api;

import io.berth.cli.http.HttpResponse;
import io.berth.cli.http.NoDaemonException;
import io.berth.cli.http.UnixHttpClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The CLI's client for the daemon's API (docs/API.md): one method per operation the CLI uses, answers as
 * plain JSON values (see {@link Json}).
 *
 * <p>The first request that finds no daemon starts one (when a {@link DaemonStarter} is given) and is
 * retried once; a daemon that answers with an error status raises {@link ApiException}.
 */
public final class BerthApi {
    /** The API version this CLI speaks. */
    public static final String API_VERSION = "1.43";

    private final UnixHttpClient client;
    private DaemonStarter starter;

    /**
     * @param client  connects to the daemon's socket
     * @param starter starts a daemon if none answers, or {@code null} to fail instead
     */
    public BerthApi(UnixHttpClient client, DaemonStarter starter) {
        this.client = client;
        this.starter = starter;
    }

    /** {@code GET /version}. */
    public Map<String, Object> version() throws IOException {
        return Json.parseObject(getBytes("/version"), "GET /version");
    }

    /** {@code GET /info}, as the daemon's bytes (for {@code --format json}). */
    public byte[] infoBytes() throws IOException {
        return getBytes("/info");
    }

    /** {@code GET /berth/plugins}. */
    public List<Object> plugins() throws IOException {
        Object v = Json.parse(getBytes("/berth/plugins"));
        if (v instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) l;
            return list;
        }
        throw new IOException("GET /berth/plugins: expected a JSON array");
    }

    /** {@code POST /berth/system/replay}, as the daemon's bytes. */
    public byte[] replayBytes() throws IOException {
        try (HttpResponse r = call("POST", "/berth/system/replay")) {
            return r.bodyBytes();
        }
    }

    /**
     * Opens a streamed GET (e.g. {@code /berth/events?…}); the caller reads lines and closes it.
     */
    public HttpResponse stream(String target) throws IOException {
        return call("GET", target);
    }

    private byte[] getBytes(String target) throws IOException {
        try (HttpResponse r = call("GET", target)) {
            return r.bodyBytes();
        }
    }

    private HttpResponse call(String method, String target) throws IOException {
        HttpResponse r = connectAndSend(method, target);
        starter = null; // a daemon answered: never start another in this run
        if (!r.isSuccess()) {
            try (r) {
                throw new ApiException(r.status(), errorMessage(r));
            }
        }
        return r;
    }

    private HttpResponse connectAndSend(String method, String target) throws IOException {
        try {
            return client.send(method, target);
        } catch (NoDaemonException e) {
            if (starter == null) {
                throw e;
            }
            DaemonStarter s = starter;
            starter = null; // start at most once per run
            s.start(client);
            return client.send(method, target);
        }
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
