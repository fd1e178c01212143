package io.berth.spi.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A filter that sees every byte that passes through it, for checks such as a digest or an exact size
 * that fail the read which ends a stream that is wrong. {@link FilterInputStream} alone would let
 * single-byte reads and {@code skip} go around such a check: here both go through
 * {@link #inspect(byte[], int, int)}, so a subclass writes its check once.
 */
public abstract class InspectingInputStream extends FilterInputStream {

    /** @param in the stream whose bytes are inspected */
    protected InspectingInputStream(InputStream in) {
        super(in);
    }

    /**
     * Reads up to {@code len} bytes from {@link #in}, inspecting them; called only with {@code len > 0}.
     *
     * @param b   where the bytes go
     * @param off the first index written
     * @param len the most bytes read, at least 1
     * @return the bytes read, or -1 at the end of the stream (after the check that the end is right)
     * @throws IOException if reading fails or the check does
     */
    protected abstract int inspect(byte[] b, int off, int len) throws IOException;

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        return len == 0 ? 0 : inspect(b, off, len);
    }

    /** Reads the skipped bytes through {@link #inspect}, so the check sees them too. */
    @Override
    public final long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /** Marks are not supported: a reset would make the check see bytes twice. */
    @Override
    public final boolean markSupported() {
        return false;
    }
}
