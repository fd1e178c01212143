package io.berth.engine.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty serving {@link ApiHandler} over HTTP/1.1 on a Unix-domain socket. Requests run on virtual
 * threads, so a follow stream that waits for events costs no platform thread. The socket is made
 * mode 0660, group {@code berth} when that group exists (as Docker uses group {@code docker}).
 */
public final class ApiServer implements AutoCloseable {
    private final Server server;
    private final Path socket;
    private volatile Path published;

    /**
     * Jetty's {@code MemoryUtils} asks the platform MBean server whether compressed references are on, to size its
     * padding against false sharing, unless this property says how many references fill a cache line; starting
     * that server initialises JMX and every platform MXBean, JFR's too: about a third of the time from the
     * daemon's {@code main} to a served socket (docs/PERFORMANCE.md, "Start-up side by side"). 64-byte lines of
     * 4-byte compressed references below a 32 GB heap, else of 8-byte ones; a wrong guess changes padding only.
     */
    private static final String REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    static {
        if (System.getProperty(REFERENCES_PER_CACHE_LINE) == null) {
            boolean compressed = Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024;
            System.setProperty(REFERENCES_PER_CACHE_LINE, compressed ? "16" : "8");
        }
    }

    /**
     * Initialises, on the calling thread, the Jetty classes whose static set-up is slow and needs nothing of the
     * daemon: {@code MimeTypes} lists every locale the JDK has. The daemon calls it on a thread of its own as it
     * starts, so that this overlaps with reading its options instead of delaying the socket.
     */
    public static void preload() {
        try {
            Class.forName("org.eclipse.jetty.http.MimeTypes", true, ApiServer.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // the server's own start reports any real problem
        }
    }

    public ApiServer(Path socket, ApiHandler handler) {
        this.socket = socket;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("berth-api");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        // build secrets travel in a request header (as registry credentials do in Docker's X-Registry-Config)
        http.setRequestHeaderSize(64 * 1024);
        // Docker's clients take over attach and exec connections with an HTTP/1.1 upgrade to "tcp"
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server, new HttpConnectionFactory(http),
                new HijackConnectionFactory(handler));
        connector.setUnixDomainPath(socket);
        // follow streams may sit idle for a long time between events
        connector.setIdleTimeout(24L * 3600 * 1000);
        server.addConnector(connector);
        server.setHandler(handler);
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(2000);
    }

    /**
     * Errors Jetty answers itself, before any route runs (a URI it refuses, such as an encoded
     * {@code %2F}; a header too large): Docker's shape, {@code {"message": "..."}}, one line naming
     * the problem, where Jetty's default is an HTML page or an empty body that a client cannot show.
     */
    static final class JsonErrors extends org.eclipse.jetty.server.handler.ErrorHandler {
        @Override
        protected void generateResponse(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                        int code, String message, Throwable cause, org.eclipse.jetty.util.Callback callback) {
            String reason = message == null || message.isBlank() ? org.eclipse.jetty.http.HttpStatus.getMessage(code) : message;
            String text = reason.lines().findFirst().orElse(reason) + ": " + request.getMethod() + " " + request.getHttpURI().getPath();
            StringBuilder json = new StringBuilder("{\"message\":\"");
            for (char c : text.toCharArray()) {
                if (c == '"' || c == '\\') {
                    json.append('\\').append(c);
                } else if (c < 0x20) {
                    json.append(String.format("\\u%04x", (int) c));
                } else {
                    json.append(c);
                }
            }
            json.append("\"}\n");
            response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, java.nio.ByteBuffer.wrap(json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), callback);
        }
    }

    public void start() throws Exception {
        server.start();
        SocketModes.restrict(socket);
    }

    /**
     * Moves the socket Jetty serves over {@code target} (one atomic rename, replacing the socket the daemon's early
     * responder bound there): from now on new connections to {@code target} reach Jetty. {@link #close} then removes
     * {@code target}.
     */
    public void publishAs(Path target) throws IOException {
        Files.move(socket, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        published = target;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping is best effort; the socket file is removed below either way
        }
        try {
            Files.deleteIfExists(published == null ? socket : published);
        } catch (IOException e) {
            // a stale socket is cleaned up at the next start
        }
    }
}
