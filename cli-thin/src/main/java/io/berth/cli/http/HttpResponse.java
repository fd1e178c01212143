package io.berth.cli.http;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An HTTP/1.1 response whose body is read from the still-open connection.
 *
 * <p>Lifecycle: {@link UnixHttpClient#send} returns once the status line and headers are read; the body
 * is then consumed either whole ({@link #bodyBytes()}, {@link #bodyText()}) or line by line
 * ({@link #readLine()}) for streams that never end, such as {@code /berth/events?follow=1}. Closing
 * the response closes the connection, which is how a client hangs up on a followed stream.
 */
public final class HttpResponse implements Closeable {
    private final int status;
    private final String reason;
    private final Map<String, List<String>> headers;
    private final InputStream body;
    private final SocketChannel channel;

    HttpResponse(int status, String reason, Map<String, List<String>> headers, InputStream body, SocketChannel channel) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
        this.channel = channel;
    }

    /** The status code, e.g. 200. */
    public int status() {
        return status;
    }

    /** The reason phrase of the status line, possibly empty. */
    public String reason() {
        return reason;
    }

    /** Whether the status is 2xx. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** The first value of a header (name compared case-insensitively), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** All headers, names in lower case. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The decoded body (de-chunked, bounded by Content-Length), as a stream. */
    public InputStream body() {
        return body;
    }

    /** Reads the rest of the body. */
    public byte[] bodyBytes() throws IOException {
        return body.readAllBytes();
    }

    /** Reads the rest of the body as UTF-8 text. */
    public String bodyText() throws IOException {
        return new String(bodyBytes(), StandardCharsets.UTF_8);
    }

    /**
     * Reads the next line of the body as UTF-8 without its line terminator, or {@code null} at the end
     * of the body. Returns as soon as a whole line has arrived, so followed streams print promptly.
     */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int b;
        while ((b = body.read()) != -1) {
            if (b == '\n') {
                return trimCr(line);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : trimCr(line);
    }

    private static String trimCr(ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') {
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** Hangs up (or, in the CLI's own process, leaves that to the exit: see {@link UnixHttpClient#closeChannelsAtExit}). */
    @Override
    public void close() throws IOException {
        if (!UnixHttpClient.closingAtExit()) {
            channel.close();
        }
    }
}
