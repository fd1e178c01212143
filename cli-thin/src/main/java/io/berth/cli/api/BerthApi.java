package io.berth.cli.api;

import io.berth.cli.http.Duplex;
import io.berth.cli.http.HttpResponse;
import io.berth.cli.http.NoDaemonException;
import io.berth.cli.http.UnixHttpClient;

import io.berth.text.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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

    /** {@code GET /images/json[?all=1]}. */
    public List<Object> images(boolean all) throws IOException {
        return array(getBytes(all ? "/images/json?all=1" : "/images/json"), "GET /images/json");
    }

    /** {@code GET /images/{name}/json}, as the daemon's bytes (inspect prints them re-indented, order kept). */
    public byte[] imageInspectBytes(String name) throws IOException {
        return getBytes("/images/" + pathSegment(name) + "/json");
    }

    /** {@code GET /images/{name}/history}. */
    public List<Object> imageHistory(String name) throws IOException {
        return array(getBytes("/images/" + pathSegment(name) + "/history"), "GET /images/{name}/history");
    }

    /** {@code POST /images/{name}/tag?repo=&tag=}. */
    public void tagImage(String name, String repo, String tag) throws IOException {
        try (HttpResponse r = call("POST", "/images/" + pathSegment(name) + "/tag?repo=" + query(repo)
                + "&tag=" + query(tag), Map.of(), null, null)) {
            r.bodyBytes();
        }
    }

    /** {@code DELETE /images/{name}[?force=1]}: Docker's {@code [{"Untagged"},{"Deleted"}]}. */
    public List<Object> removeImage(String name, boolean force) throws IOException {
        try (HttpResponse r = call("DELETE", "/images/" + pathSegment(name) + (force ? "?force=1" : ""), Map.of(), null, null)) {
            return array(r.bodyBytes(), "DELETE /images/{name}");
        }
    }

    /** {@code POST /images/prune}; {@code all} prunes every unused image, not only dangling ones. */
    public Map<String, Object> pruneImages(boolean all) throws IOException {
        String target = all ? "/images/prune?filters=" + query("{\"dangling\":[\"false\"]}") : "/images/prune";
        try (HttpResponse r = call("POST", target, Map.of(), null, null)) {
            return Json.parseObject(r.bodyBytes(), "POST /images/prune");
        }
    }

    /**
     * {@code POST /images/create}: a pull, answered with Docker's JSON message stream; the caller reads its
     * lines and closes it.
     *
     * @param auth the {@code X-Registry-Auth} value, or {@code null}
     */
    public HttpResponse pull(String fromImage, String tag, String platform, String auth) throws IOException {
        StringBuilder t = new StringBuilder("/images/create?fromImage=").append(query(fromImage));
        if (tag != null) {
            t.append("&tag=").append(query(tag));
        }
        if (platform != null) {
            t.append("&platform=").append(query(platform));
        }
        return call("POST", t.toString(), authHeader(auth), null, null);
    }

    /** {@code POST /images/{name}/push[?tag=]}: Docker's JSON message stream. */
    public HttpResponse push(String name, String tag, String auth) throws IOException {
        return call("POST", "/images/" + pathSegment(name) + "/push" + (tag == null ? "" : "?tag=" + query(tag)),
                authHeader(auth), null, null);
    }

    /** {@code GET /images/get?names=…}: the images as a tar stream. */
    public HttpResponse save(List<String> names) throws IOException {
        StringBuilder t = new StringBuilder("/images/get");
        char sep = '?';
        for (String n : names) {
            t.append(sep).append("names=").append(query(n));
            sep = '&';
        }
        return call("GET", t.toString(), Map.of(), null, null);
    }

    /** {@code POST /images/load}: sends a tar ({@code length} -1 when unknown), answered with JSON lines. */
    public HttpResponse load(InputStream tar, long length, boolean quiet) throws IOException {
        String target = quiet ? "/images/load?quiet=1" : "/images/load";
        try {
            HttpResponse r = client.sendStream("POST", target, "application/x-tar", tar, length);
            starter = null;
            return checked(r);
        } catch (NoDaemonException e) {
            if (starter == null) {
                throw e;
            }
            // Nothing of the body was sent: start a daemon, then send it.
            DaemonStarter s = starter;
            starter = null;
            s.start(client);
            return checked(client.sendStream("POST", target, "application/x-tar", tar, length));
        }
    }

    /**
     * Sends {@code body} with {@code method} (e.g. {@code PUT /containers/{id}/archive}), {@code length} -1 for
     * chunked; a daemon is started first if none answers, as for {@link #load}.
     */
    public HttpResponse sendStream(String method, String target, String contentType, InputStream body, long length)
            throws IOException {
        return sendStream(method, target, Map.of(), contentType, body, length);
    }

    /** {@link #sendStream(String, String, String, InputStream, long)} with extra request headers. */
    public HttpResponse sendStream(String method, String target, Map<String, String> headers, String contentType, InputStream body,
                                   long length) throws IOException {
        try {
            HttpResponse r = client.sendStream(method, target, headers, contentType, body, length);
            starter = null;
            return checked(r);
        } catch (NoDaemonException e) {
            if (starter == null) {
                throw e;
            }
            DaemonStarter s = starter;
            starter = null;
            s.start(client);
            return checked(client.sendStream(method, target, headers, contentType, body, length));
        }
    }

    /** {@code POST /auth}: checks credentials with the registry; {@code {"Status","IdentityToken"}}. */
    public Map<String, Object> auth(String username, String password, String server) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        body.put("serveraddress", server);
        try (HttpResponse r = call("POST", "/auth", Map.of(), "application/json",
                Json.write(body).getBytes(StandardCharsets.UTF_8))) {
            return Json.parseObject(r.bodyBytes(), "POST /auth");
        }
    }

    /** {@code POST /berth/system/note}: records a note; answers the event's sequence number. */
    public Map<String, Object> note(String text) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Text", text);
        try (HttpResponse r = call("POST", "/berth/system/note", Map.of(), "application/json",
                Json.write(body).getBytes(StandardCharsets.UTF_8))) {
            return Json.parseObject(r.bodyBytes(), "POST /berth/system/note");
        }
    }

    // ---- generic calls, for the container and volume commands

    /** {@code GET target}, parsed. */
    public Object getJson(String target) throws IOException {
        return Json.parse(getBytes(target));
    }

    /** {@code GET target}, as the daemon's bytes. */
    public byte[] getRaw(String target) throws IOException {
        return getBytes(target);
    }

    /**
     * {@code POST target} with {@code body} as JSON (none when {@code null}); the answer parsed, or
     * {@code null} when it has no body (204, 304).
     */
    public Object post(String target, Object body) throws IOException {
        byte[] bytes = body == null ? null : Json.write(body).getBytes(StandardCharsets.UTF_8);
        try (HttpResponse r = call("POST", target, Map.of(), bytes == null ? null : "application/json", bytes)) {
            byte[] answer = r.bodyBytes();
            return isBlank(answer) ? null : Json.parse(answer);
        }
    }

    /** {@code POST target} without a body; the status (204, or 304 when there was nothing to do). */
    public int postStatus(String target) throws IOException {
        try (HttpResponse r = call("POST", target, Map.of(), null, null)) {
            r.bodyBytes();
            return r.status();
        }
    }

    /** {@code DELETE target}. */
    public void delete(String target) throws IOException {
        try (HttpResponse r = call("DELETE", target, Map.of(), null, null)) {
            r.bodyBytes();
        }
    }

    /** Opens a streamed answer ({@code logs}, {@code exec} start); the caller reads and closes it. */
    public HttpResponse open(String method, String target, Object body) throws IOException {
        byte[] bytes = body == null ? null : Json.write(body).getBytes(StandardCharsets.UTF_8);
        return call(method, target, Map.of(), bytes == null ? null : "application/json", bytes);
    }

    /**
     * Opens {@code POST target} as a full-duplex exchange ({@code attach}): the request body is written
     * while the response is read. The daemon is already up (the container was just created).
     */
    public Duplex openDuplex(String target) throws IOException {
        return client.openDuplex("POST", target, "application/octet-stream");
    }

    /** Raises the daemon's error for a response that is not a success; returns it otherwise. */
    public static HttpResponse check(HttpResponse r) throws IOException {
        return checked(r);
    }

    private static boolean isBlank(byte[] b) {
        for (byte x : b) {
            if (x != ' ' && x != '\n' && x != '\r' && x != '\t') {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> authHeader(String auth) {
        return auth == null ? Map.of() : Map.of("X-Registry-Auth", auth);
    }

    private static List<Object> array(byte[] body, String what) throws IOException {
        Object v = Json.parse(body);
        if (v instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) l;
            return list;
        }
        throw new IOException(what + ": expected a JSON array");
    }

    /**
     * An image name as a path segment, sent as Docker's CLI sends it: slashes, colons and {@code @} stay,
     * while what would end or break the path ({@code ?}, {@code #}, {@code %}, spaces, controls) is
     * percent-encoded.
     */
    public static String pathSegment(String name) {
        StringBuilder sb = null;
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b > 0x20 && b < 0x7f && b != '?' && b != '#' && b != '%';
            if (plain && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(name.length() + 8);
                for (int j = 0; j < i; j++) {
                    sb.append((char) bytes[j]);
                }
            }
            if (plain) {
                sb.append((char) b);
            } else {
                sb.append('%').append(HEX[b >> 4]).append(HEX[b & 15]);
            }
        }
        return sb == null ? name : sb.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** A query parameter value, percent-encoded (spaces as {@code %20}). */
    public static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private byte[] getBytes(String target) throws IOException {
        try (HttpResponse r = call("GET", target)) {
            return r.bodyBytes();
        }
    }

    private HttpResponse call(String method, String target) throws IOException {
        return call(method, target, Map.of(), null, null);
    }

    private HttpResponse call(String method, String target, Map<String, String> headers, String contentType, byte[] body)
            throws IOException {
        HttpResponse r = connectAndSend(method, target, headers, contentType, body);
        starter = null; // a daemon answered: never start another in this run
        return checked(r);
    }

    private static HttpResponse checked(HttpResponse r) throws IOException {
        if (!r.isSuccess()) {
            try (r) {
                throw ApiException.of(r);
            }
        }
        return r;
    }

    private HttpResponse connectAndSend(String method, String target, Map<String, String> headers, String contentType,
                                        byte[] body) throws IOException {
        try {
            return client.send(method, target, headers, contentType, body);
        } catch (NoDaemonException e) {
            if (starter == null) {
                throw e;
            }
            DaemonStarter s = starter;
            starter = null; // start at most once per run
            s.start(client);
            return client.send(method, target, headers, contentType, body);
        }
    }
}
