package io.berth.cli.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange whose request body is written while its response is read: the daemon's
 * {@code POST /containers/{id}/attach}, where the body is the container's stdin and the response its output.
 *
 * <p>The request body is sent with chunked transfer coding ({@link #write}, then {@link #endBody} for the
 * zero chunk). Reading and writing go straight to the channel rather than through
 * {@link java.nio.channels.Channels} streams: those take the channel's blocking lock for every call, so a
 * read waiting for output would hold up the writing of input.
 */
public final class Duplex implements AutoCloseable {
    private final SocketChannel channel;
    private final String method;
    private final Object writeLock = new Object();
    private boolean ended;
    private HttpResponse response;

    Duplex(SocketChannel channel, String method) {
        this.channel = channel;
        this.method = method;
    }

    /** Waits for the response head; later calls return the same response. */
    public synchronized HttpResponse response() throws IOException {
        if (response == null) {
            InputStream in = new BufferedInputStream(new ChannelInput(channel), 16 * 1024);
            response = UnixHttpClient.readDuplexResponse(channel, in, method);
        }
        return response;
    }

    /** Sends {@code n} bytes of the request body as one chunk. */
    public void write(byte[] bytes, int offset, int n) throws IOException {
        if (n <= 0) {
            return;
        }
        synchronized (writeLock) {
            if (ended) {
                throw new IOException("the request body has ended");
            }
            byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            ByteBuffer buf = ByteBuffer.allocate(size.length + n + 2).put(size).put(bytes, offset, n).put((byte) '\r')
                    .put((byte) '\n').flip();
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }

    /** Ends the request body (the zero chunk): the daemon closes the container's stdin. */
    public void endBody() throws IOException {
        synchronized (writeLock) {
            if (ended) {
                return;
            }
            ended = true;
            ByteBuffer buf = ByteBuffer.wrap("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }

    /** Hangs up. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Reads from the channel without the blocking lock {@code Channels.newInputStream} takes. */
    private static final class ChannelInput extends InputStream {
        private final SocketChannel channel;

        ChannelInput(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n;
            do {
                n = channel.read(ByteBuffer.wrap(b, off, len));
            } while (n == 0);
            return n;
        }
    }
}
