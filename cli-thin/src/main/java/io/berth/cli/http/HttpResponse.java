package io.berth.cli.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An HTTP/1.1 response whose body is read from the still-open connection.
 *
 * <p>Lifecycle: {@link UnixHttpClient#send} returns once the status line and headers are read; the body
 * is then consumed either whole ({@link #bodyBytes()}, {@link #bodyText()}) or line by line
 * ({@link #lines()}) for streams that never end, such as {@code /berth/events?follow=1}. Closing
 * the response closes the connection, which is how a client hangs up on a followed stream.
 *
 * @param status  the status code, e.g. 200
 * @param reason  the reason phrase of the status line, possibly empty
 * @param headers all headers, names in lower case
 * @param body    the decoded body (de-chunked, bounded by Content-Length), as a stream
 * @param channel the connection: a {@code SocketChannel}, or a socket of {@link AttachLibrarySocket}
 */
public record HttpResponse(int status, String reason, Map<String, List<String>> headers, InputStream body, Closeable channel)
        implements Closeable {

    /** Whether the status is 2xx. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** The first value of a header (name compared case-insensitively), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
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
     * The body line by line. Call it once and read only through it: it reads the body in blocks, so
     * what it has buffered is not in {@link #body()} any more.
     */
    public BodyLines lines() {
        return new BodyLines(body);
    }

    /** Hangs up (or, in the CLI's own process, leaves that to the exit: see {@link UnixHttpClient#closeChannelsAtExit}). */
    @Override
    public void close() throws IOException {
        if (!UnixHttpClient.closingAtExit()) {
            channel.close();
        }
    }
}
