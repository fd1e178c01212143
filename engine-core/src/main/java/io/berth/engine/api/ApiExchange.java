package io.berth.engine.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.journal.RequestContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * One API request and its response, as the endpoints see it: path parameters, query parameters,
 * body, the caller's {@link RequestContext}, and ways to answer (JSON, text, a stream of lines).
 * Blocking: endpoints run on virtual threads.
 */
public final class ApiExchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Matcher pathMatch;
    private final RequestContext context;
    private final ObjectMapper mapper;
    private Fields query;
    private boolean completed;

    ApiExchange(Request request, Response response, Callback callback, Matcher pathMatch, RequestContext context, ObjectMapper mapper) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.pathMatch = pathMatch;
        this.context = context;
        this.mapper = mapper;
    }

    public RequestContext context() {
        return context;
    }

    public String method() {
        return request.getMethod();
    }

    private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("^/v(\\d+)\\.(\\d+)/.*");

    /**
     * Whether the request asked for an API version older than {@code major.minor} in its path prefix; a request
     * without a prefix speaks the newest version served.
     */
    public boolean apiVersionBefore(int major, int minor) {
        Matcher m = VERSION.matcher(request.getHttpURI().getPath());
        if (!m.matches()) {
            return false;
        }
        int askedMajor = Integer.parseInt(m.group(1));
        int askedMinor = Integer.parseInt(m.group(2));
        return askedMajor < major || askedMajor == major && askedMinor < minor;
    }

    /** The n-th capture group of the route's path pattern. */
    public String pathParam(int group) {
        return pathMatch.group(group);
    }

    /** A query parameter, or null when absent. */
    public String query(String name) {
        Fields.Field field = queryFields().get(name);
        return field == null ? null : field.getValue();
    }

    /** Every value of a repeated query parameter. */
    public List<String> queryAll(String name) {
        Fields.Field field = queryFields().get(name);
        return field == null ? List.of() : field.getValues();
    }

    /** A boolean query parameter as Docker reads them: 1/true/yes are true, absent is {@code otherwise}. */
    public boolean queryFlag(String name, boolean otherwise) {
        String value = query(name);
        if (value == null || value.isEmpty()) {
            return otherwise;
        }
        return value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes");
    }

    private Fields queryFields() {
        if (query == null) {
            query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        }
        return query;
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    public InputStream body() {
        return Request.asInputStream(request);
    }

    /**
     * The most a body read whole may hold: the JSON bodies of create, exec, update and the like are a
     * few KiB; 8 MiB leaves room for a huge environment and still bounds the daemon's memory per request.
     */
    public static final int MAX_BODY_BYTES = 8 << 20;

    /**
     * The whole body, for a JSON request.
     *
     * @throws ApiException 413 when the body is over {@link #MAX_BODY_BYTES} (declared or as sent)
     */
    public byte[] bodyBytes() throws IOException {
        long declared = request.getLength();
        if (declared > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = body()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return bytes;
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "request body of " + method() + " " + request.getHttpURI().getPath() + " is larger than "
                + (MAX_BODY_BYTES >> 20) + " MiB, the limit for a JSON body");
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** Answers with {@code value} as JSON. */
    public void json(int status, Object value) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(value);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        finish(ByteBuffer.wrap(bytes));
    }

    /** Answers with {@code bytes} already encoded as {@code contentType}. */
    public void bytes(int status, String contentType, byte[] bytes) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        finish("HEAD".equals(method()) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(bytes));
    }

    /** Answers with plain text. */
    public void text(int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        if (!response.getHeaders().contains(HttpHeader.CONTENT_TYPE)) { // a caller may have named a more precise type
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        finish("HEAD".equals(method()) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(bytes));
    }

    /** Docker's error body. */
    public void error(int status, String message) throws IOException {
        json(status, java.util.Map.of("message", message));
    }

    /** Adds a response header; call before answering. */
    public void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** Starts a streamed answer (chunked); write lines with {@link LineStream#write}, then {@link LineStream#close}. */
    public LineStream stream(String contentType) throws IOException {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        write(false, ByteBuffer.allocate(0)); // commit headers so the client sees the stream open at once
        return new LineStream();
    }

    /** Starts a streamed binary answer (chunked), e.g. a tar; close the stream to finish. */
    public OutputStream binary(String contentType) throws IOException {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        // send the headers now: a client (attach) may wait for them before its next step
        write(false, ByteBuffer.allocate(0));
        return new java.io.BufferedOutputStream(new OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ApiExchange.this.write(false, ByteBuffer.wrap(bytes.clone(), offset, length));
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    finish(ByteBuffer.allocate(0));
                }
            }
        }, 1 << 16);
    }

    /**
     * Starts a streamed answer whose lines are gathered into chunks of up to 64 KiB: the caller must
     * {@link LineStream#flush} whenever it is about to wait (a followed stream with nothing new). One
     * blocking write per line costs tens of microseconds, which bounds a replay of the log to the client.
     */
    public LineStream bufferedStream(String contentType) throws IOException {
        LineStream stream = stream(contentType);
        stream.pending = new java.io.ByteArrayOutputStream(BUFFERED_CHUNK + 4096);
        return stream;
    }

    private static final int BUFFERED_CHUNK = 64 * 1024;

    /** Lines written to a streamed response, each flushed to the client as it is written (unless buffered). */
    public final class LineStream implements AutoCloseable {
        private java.io.ByteArrayOutputStream pending;

        /** Writes one line (a newline is added); throws IOException when the client has gone. */
        public void write(byte[] line) throws IOException {
            if (pending != null) {
                pending.write(line);
                pending.write('\n');
                if (pending.size() >= BUFFERED_CHUNK) {
                    flush();
                }
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate(line.length + 1);
            buffer.put(line).put((byte) '\n').flip();
            ApiExchange.this.write(false, buffer);
        }

        /** Sends the lines gathered so far (a buffered stream); a no-op otherwise. */
        public void flush() throws IOException {
            if (pending != null && pending.size() > 0) {
                ByteBuffer chunk = ByteBuffer.wrap(pending.toByteArray());
                pending.reset();
                ApiExchange.this.write(false, chunk);
            }
        }

        @Override
        public void close() throws IOException {
            flush();
            finish(ByteBuffer.allocate(0));
        }
    }

    private void write(boolean last, ByteBuffer buffer) throws IOException {
        try (Blocker.Callback blocker = Blocker.callback()) {
            response.write(last, buffer, blocker);
            blocker.block();
        }
    }

    private void finish(ByteBuffer buffer) throws IOException {
        write(true, buffer);
        completed = true;
        callback.succeeded();
    }

    boolean completed() {
        return completed;
    }

    boolean committed() {
        return response.isCommitted();
    }

    void fail(Throwable cause) {
        if (!completed) {
            completed = true;
            callback.failed(cause);
        }
    }
}
