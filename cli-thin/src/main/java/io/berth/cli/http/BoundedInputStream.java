package io.berth.cli.http;

import java.io.IOException;
import java.io.InputStream;

/** A body of known Content-Length: ends after that many bytes, fails if the connection ends sooner. */
final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    BoundedInputStream(InputStream in, long length) {
        this.in = in;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int b = in.read();
        if (b == -1) {
            throw new IOException("connection closed with " + remaining + " bytes of the body missing");
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(buf, off, (int) Math.min(len, remaining));
        if (n == -1) {
            throw new IOException("connection closed with " + remaining + " bytes of the body missing");
        }
        remaining -= n;
        return n;
    }
}
