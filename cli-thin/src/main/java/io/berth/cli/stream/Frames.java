package io.berth.cli.stream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Docker's container output streams: for a container without a terminal, frames of
 * {@code [stream, 0, 0, 0, length (4 bytes, big-endian)]} then the bytes, stream 1 for stdout and 2 for
 * stderr ({@code application/vnd.docker.multiplexed-stream}); with a terminal, raw bytes
 * ({@code application/vnd.docker.raw-stream}). Each piece is flushed as it arrives.
 */
public final class Frames {
    /** The media type of a raw (terminal) stream. */
    public static final String RAW = "application/vnd.docker.raw-stream";

    private Frames() {
    }

    /** Whether a response's {@code Content-Type} says the stream is raw rather than framed. */
    public static boolean isRaw(String contentType) {
        return contentType != null && contentType.startsWith(RAW);
    }

    /**
     * Copies {@code in} to {@code out} and {@code err} until it ends.
     *
     * @param raw copy bytes as they come (to {@code out}) instead of reading frames
     * @return the number of payload bytes copied
     * @throws IOException the stream broke, or a frame header is malformed or cut short
     */
    public static long copy(InputStream in, boolean raw, OutputStream out, OutputStream err) throws IOException {
        byte[] buf = new byte[32 * 1024];
        long total = 0;
        if (raw) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                    total += n;
                }
            }
            return total;
        }
        byte[] header = new byte[8];
        while (true) {
            int got = in.readNBytes(header, 0, 8);
            if (got == 0) {
                return total;
            }
            if (got < 8) {
                throw new EOFException("the output stream ended inside a frame header");
            }
            int stream = header[0];
            if (stream < 0 || stream > 3 || header[1] != 0 || header[2] != 0 || header[3] != 0) {
                throw new IOException("malformed output frame (stream byte " + stream + ")");
            }
            long length = ((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
                    | (header[7] & 0xff);
            OutputStream target = stream == 2 ? err : out;
            while (length > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, length));
                if (n < 0) {
                    throw new EOFException("the output stream ended inside a frame");
                }
                target.write(buf, 0, n);
                length -= n;
                total += n;
            }
            target.flush();
        }
    }
}
