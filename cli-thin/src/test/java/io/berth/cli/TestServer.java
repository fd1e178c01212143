package io.berth.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP/1.1 server on a Unix-domain socket for tests: it reads each request (head and
 * Content-Length body) and hands it to a handler that writes the raw answer bytes, so tests control the
 * framing exactly (Content-Length, chunked, end of connection).
 */
public final class TestServer implements AutoCloseable {
    /** One request as received. */
    public record Request(String method, String target, Map<String, String> headers, byte[] body) {
        /** A header by lower-case name. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Answers one request by writing raw bytes. */
    @FunctionalInterface
    public interface Handler {
        void handle(Request request, OutputStream out) throws Exception;
    }

    private final ServerSocketChannel server;
    private final Path socket;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /** Listens on {@code socket} and answers every request with {@code handler}. */
    public TestServer(Path socket, Handler handler) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    Thread.ofPlatform().daemon().start(() -> serve(c, handler));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** A server that answers every request with {@code status} and a JSON body framed by Content-Length. */
    public static TestServer json(Path socket, int status, String body) throws IOException {
        return new TestServer(socket, (req, out) -> out.write(response(status, "application/json", body)));
    }

    /** The bytes of a Content-Length-framed answer. */
    public static byte[] response(int status, String type, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " X\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length
                + "\r\n\r\n";
        byte[] all = new byte[head.length() + b.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, all, 0, head.length());
        System.arraycopy(b, 0, all, head.length(), b.length);
        return all;
    }

    /** The socket path. */
    public Path socket() {
        return socket;
    }

    /** {@code unix://} URI of the socket. */
    public String host() {
        return "unix://" + socket;
    }

    /** The requests received so far. */
    public List<Request> requests() {
        return requests;
    }

    private void serve(SocketChannel c, Handler handler) {
        try (c) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(c));
            String requestLine = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            String h;
            while ((h = line(in)) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            int length = headers.containsKey("content-length") ? Integer.parseInt(headers.get("content-length")) : 0;
            byte[] body = in.readNBytes(length);
            String[] parts = requestLine.split(" ");
            Request req = new Request(parts[0], parts[1], headers, body);
            requests.add(req);
            OutputStream out = Channels.newOutputStream(c);
            handler.handle(req, out);
            out.flush();
        } catch (Exception e) {
            // the client hung up, or the handler chose to drop the connection
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return b == -1 && sb.isEmpty() ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
