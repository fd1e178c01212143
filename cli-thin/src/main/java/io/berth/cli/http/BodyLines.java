package io.berth.cli.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A response body read as UTF-8 lines as they arrive: what {@code events --follow}, {@code audit} and
 * Docker's JSON message streams (pull, push, build progress) are read with.
 */
public final class BodyLines {
    private final InputStream body;
    /** Bytes read from the body but not returned yet. */
    private final byte[] lineBuffer = new byte[64 * 1024];
    private int linePos;
    private int lineLimit;

    BodyLines(InputStream body) {
        this.body = body;
    }

    /**
     * Reads the next line of the body as UTF-8 without its line terminator, or {@code null} at the end
     * of the body. Returns as soon as a whole line has arrived, so followed streams print promptly. Reads
     * the body in blocks (a line stream of a million events is read a byte at a time far too slowly), so
     * a caller that uses {@code readLine} must not also read the body itself.
     */
    public String readLine() throws IOException {
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
}
