package io.berth.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * Docker's connection hijack ({@code Connection: Upgrade}, {@code Upgrade: tcp}) on Jetty's HTTP/1.1
 * upgrade mechanism. When a request's headers have arrived, Jetty asks this factory; for a route
 * registered with {@link ApiHandler#hijack} whose {@link Hijack#mediaType} accepts the request, it
 * answers {@code 101 Switching Protocols} (with the stream's {@code Content-Type}, as Docker) and
 * hands the socket to a {@link HijackedConnection}. Every other request, with or without an Upgrade
 * header, is served as ordinary HTTP.
 */
final class HijackConnectionFactory extends AbstractConnectionFactory implements ConnectionFactory.Upgrading {
    private final ApiHandler handler;

    HijackConnectionFactory(ApiHandler handler) {
        super("tcp");
        this.handler = handler;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        throw new UnsupportedOperationException("tcp is reached only by upgrading an HTTP/1.1 request");
    }

    @Override
    public Connection upgradeConnection(Connector connector, EndPoint endPoint, MetaData.Request request, HttpFields.Mutable response101) {
        HttpFields fields = request.getHttpFields();
        if (fields.contains(HttpHeader.TRANSFER_ENCODING)) {
            return null; // a chunked body before the raw stream is not something Docker's clients send
        }
        ApiHandler.HijackMatch match = handler.hijackFor(request.getMethod(), request.getHttpURI().getPath());
        if (match == null) {
            return null;
        }
        Fields query = new Fields(true);
        String rawQuery = request.getHttpURI().getQuery();
        if (rawQuery != null) {
            UrlEncoded.decodeTo(rawQuery, query::add, StandardCharsets.UTF_8);
        }
        Hijack.Request hijackRequest = new Hijack.Request(match.path(), query,
                handler.contextOf(endPoint, fields.get(HttpHeader.USER_AGENT), fields.get(ApiHandler.RELAYED_PEER_HEADER)));
        String mediaType;
        try {
            mediaType = match.hijack().mediaType(hijackRequest);
        } catch (RuntimeException e) {
            return null; // the ordinary route answers with the error
        }
        if (mediaType == null) {
            return null;
        }
        response101.put(HttpHeader.CONTENT_TYPE, mediaType);
        response101.put(HttpHeader.CONNECTION, "Upgrade");
        response101.put(HttpHeader.UPGRADE, "tcp");
        response101.put(ApiHandler.CORRELATION_HEADER, hijackRequest.context().correlationId());
        long length = fields.getLongField(HttpHeader.CONTENT_LENGTH);
        return configure(new HijackedConnection(endPoint, connector, match.hijack(), hijackRequest, Math.max(0, length)), connector, endPoint);
    }

    /**
     * The connection after the 101: a virtual thread reads the request's body, then runs the
     * operation with blocking streams over the socket (reads wait through Jetty's fill interest,
     * writes through its write callback), and closes the socket when the operation returns.
     */
    static final class HijackedConnection extends AbstractConnection implements Connection.UpgradeTo {
        private final Hijack hijack;
        private final Hijack.Request request;
        private final long bodyLength;
        /** Bytes Jetty had read past the request's headers: the body, maybe already some stdin. */
        private ByteBuffer input = BufferUtil.allocate(8192);

        HijackedConnection(EndPoint endPoint, Connector connector, Hijack hijack, Hijack.Request request, long bodyLength) {
            super(endPoint, connector.getExecutor());
            this.hijack = hijack;
            this.request = request;
            this.bodyLength = bodyLength;
        }

        @Override
        public void onUpgradeTo(ByteBuffer buffered) {
            if (BufferUtil.hasContent(buffered)) {
                ByteBuffer copy = BufferUtil.allocate(Math.max(8192, buffered.remaining()));
                BufferUtil.append(copy, buffered);
                input = copy;
            }
        }

        @Override
        public void onOpen() {
            super.onOpen();
            Thread.ofVirtual().name("berth-hijack").start(this::serve);
        }

        @Override
        public void onFillable() {
            // never called: reads go through fill interest callbacks of the serving thread
        }

        private void serve() {
            InputStream in = new SocketInput();
            OutputStream out = new SocketOutput();
            try {
                request.body(in.readNBytes((int) Math.min(bodyLength, 1 << 20)));
                hijack.run(request, in, out);
            } catch (Exception e) {
                // the client went away, or the operation failed after the 101: closing tells the client
            } finally {
                getEndPoint().shutdownOutput();
                getEndPoint().close();
            }
        }

        private final class SocketInput extends InputStream {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                while (!BufferUtil.hasContent(input)) {
                    BufferUtil.clear(input);
                    int filled = getEndPoint().fill(input);
                    if (filled < 0) {
                        return -1;
                    }
                    if (filled == 0) {
                        FutureCallback readable = new FutureCallback();
                        getEndPoint().fillInterested(readable);
                        await(readable);
                    }
                }
                int n = Math.min(length, input.remaining());
                input.get(bytes, offset, n);
                return n;
            }
        }

        private final class SocketOutput extends OutputStream {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                if (length == 0) {
                    return;
                }
                FutureCallback written = new FutureCallback();
                getEndPoint().write(written, ByteBuffer.wrap(bytes.clone(), offset, length));
                await(written);
            }
        }

        private static void await(FutureCallback callback) throws IOException {
            try {
                callback.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
    }
}
