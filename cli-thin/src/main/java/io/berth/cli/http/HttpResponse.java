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
 * ({@link #readLine()}) for streams that never end, such as {@code /berth/events?follow=1}. Closing
 * the response closes the connection, which is how a client hangs up on a followed stream.
 */
public final class HttpResponse implements Closeable {
    private final int status;
    private final String reason;
    private final Map<String, List<String>> headers;
    private final InputStream body;
    /** The connection: a {@code SocketChannel}, or a socket of {@link AttachLibrarySocket}. */
    private final Closeable channel;

    HttpResponse(int status, String reason, Map<String, List<String>> headers, InputStream body, Closeable channel) {
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

    /** Bytes read from the body by {@link #readLine()} but not returned yet. */
    private byte[] lineBuffer;
    private int linePos;
    private int lineLimit;

    /**
     * Reads the next line of the body as UTF-8 without its line terminator, or {@code null} at the end
     * of the body. Returns as soon as a whole line has arrived, so followed streams print promptly. Reads
     * the body in blocks (a line stream of a million events is read a byte at a time far too slowly), so
     * a caller that uses {@code readLine} must not also read {@link #body()}.
     */
    public String readLine() throws IOException {
        if (lineBuffer == null) {
            lineBuffer = new byte[64 * 1024];
        }
        byte[] partial = null;
        int partialLength = 0;
        while (true) {
            for (int i = linePos; i < lineLimit; i++) {
                if (lineBuffer[i] == '\n') {
                    String line;
                    if (partial == null) {
                        line = text(lineBuffer, linePos, i - linePos);
                    } else {
                        partial = append(partial, partialLength, lineBuffer, linePos, i - linePos);
                        line = text(partial, 0, partialLength + i - linePos);
                    }
                    linePos = i + 1;
                    return line;
                }
            }
            if (lineLimit > linePos) { // no newline yet: keep what there is, read more
                partial = append(partial == null ? new byte[256] : partial, partialLength, lineBuffer, linePos, lineLimit - linePos);
                partialLength += lineLimit - linePos;
            }
            linePos = 0;
            lineLimit = 0;
            int n = body.read(lineBuffer, 0, lineBuffer.length);
            if (n == -1) {
                return partialLength == 0 ? null : text(partial, 0, partialLength);
            }
            lineLimit = n;
        }
    }

    /** {@code into[0, length)} followed by {@code from[offset, offset+count)}, growing {@code into} as needed. */
    private static byte[] append(byte[] into, int length, byte[] from, int offset, int count) {
        byte[] out = into.length >= length + count ? into : java.util.Arrays.copyOf(into, Math.max(into.length * 2, length + count));
        System.arraycopy(from, offset, out, length, count);
        return out;
    }

    private static String text(byte[] bytes, int offset, int length) {
        int n = length;
        if (n > 0 && bytes[offset + n - 1] == '\r') {
            n--;
        }
        return new String(bytes, offset, n, StandardCharsets.UTF_8);
    }

    /** Hangs up (or, in the CLI's own process, leaves that to the exit: see {@link UnixHttpClient#closeChannelsAtExit}). */
    @Override
    public void close() throws IOException {
        if (!UnixHttpClient.closingAtExit()) {
            channel.close();
        }
    }
}
