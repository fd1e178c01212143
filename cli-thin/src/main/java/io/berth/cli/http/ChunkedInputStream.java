package io.berth.cli.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes an HTTP/1.1 chunked body (RFC 9112 §7.1). Reads never wait for more than the bytes at hand
 * in the current chunk, so a line written by the server is readable as soon as its chunk arrives.
 */
final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;
    private boolean eof;
    /** False until the first chunk-size line is read: only later chunks are preceded by a CRLF. */
    private boolean started;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        if (!ensureChunk()) {
            return -1;
        }
        int b = in.read();
        if (b == -1) {
            throw new IOException("connection closed inside a chunk");
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!ensureChunk()) {
            return -1;
        }
        int n = in.read(buf, off, (int) Math.min(len, remaining));
        if (n == -1) {
            throw new IOException("connection closed inside a chunk");
        }
        remaining -= n;
        return n;
    }

    private boolean ensureChunk() throws IOException {
        if (eof) {
            return false;
        }
        if (remaining > 0) {
            return true;
        }
        if (remaining == 0 && started) {
            expectCrlf();
        }
        started = true;
        String sizeLine = HttpLines.readAsciiLine(in);
        if (sizeLine == null) {
            throw new IOException("connection closed before the next chunk size");
        }
        int semi = sizeLine.indexOf(';'); // chunk extensions are allowed and ignored
        String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
        try {
            remaining = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size: \"" + sizeLine + "\"");
        }
        if (remaining < 0) {
            throw new IOException("bad chunk size: \"" + sizeLine + "\"");
        }
        if (remaining == 0) {
            // Trailer section: header lines up to an empty line.
            String trailer;
            do {
                trailer = HttpLines.readAsciiLine(in);
            } while (trailer != null && !trailer.isEmpty());
            eof = true;
            return false;
        }
        return true;
    }

    private void expectCrlf() throws IOException {
        String rest = HttpLines.readAsciiLine(in);
        if (rest == null || !rest.isEmpty()) {
            throw new IOException("missing CRLF after a chunk");
        }
    }
}
