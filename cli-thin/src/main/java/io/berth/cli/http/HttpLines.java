package io.berth.cli.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads the CRLF-terminated lines of HTTP's head and chunk framing. */
final class HttpLines {
    /** Header lines longer than this are refused rather than buffered without bound. */
    static final int MAX_LINE = 64 * 1024;

    private HttpLines() {
    }

    /** A line without CR/LF, or {@code null} at end of stream before any byte. */
    static String readAsciiLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("HTTP line longer than " + MAX_LINE + " bytes");
            }
            sb.append((char) b);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** Header values are ISO-8859-1 on the wire; berth's are ASCII, but do not mangle UTF-8 either. */
    static String latin1ToUtf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return s;
    }
}
