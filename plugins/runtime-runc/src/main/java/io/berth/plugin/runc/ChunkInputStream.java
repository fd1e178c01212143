package io.berth.plugin.runc;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An input stream fed with chunks by another thread, unbounded so that a caller who reads only
 * standard output never blocks the thread that also feeds standard error.
 */
final class ChunkInputStream extends InputStream {

    private static final byte[] END = new byte[0];

    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current;
    private int position;
    private boolean ended;

    /** Adds a chunk (the array is kept, not copied). */
    void feed(byte[] chunk) {
        if (chunk.length > 0) {
            chunks.add(chunk);
        }
    }

    /** Marks the end of the stream. */
    void end() {
        chunks.add(END);
    }

    @Override
    public synchronized int read() throws InterruptedIOException {
        return fill() ? current[position++] & 0xff : -1;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) throws InterruptedIOException {
        if (length == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current, position, buffer, offset, n);
        position += n;
        return n;
    }

    /** Waits until the current chunk has bytes left; {@code false} at the end of the stream. */
    private boolean fill() throws InterruptedIOException {
        while (current == null || position == current.length) {
            if (ended) {
                return false;
            }
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading a container's output");
            }
            position = 0;
            if (current == END) {
                ended = true;
                current = null;
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized int available() {
        return current == null ? 0 : current.length - position;
    }
}
