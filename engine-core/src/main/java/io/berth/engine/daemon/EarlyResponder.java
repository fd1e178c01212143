package io.berth.engine.daemon;

import io.berth.engine.BerthVersion;
import io.berth.engine.api.ApiHandler;
import io.berth.engine.api.PeerCredentials;
import io.berth.engine.api.SocketModes;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's first listener: bound on the public socket before anything else of the daemon loads (no Jetty, no
 * log, no plugins), it answers {@code GET|HEAD /_ping} and {@code /version} (bare or with a served version prefix)
 * with the bytes the full daemon gives ({@link VersionAnswer}), and holds every other request. Jetty then serves a
 * private socket beside the public one ({@code .NAME.api}); once it does, {@link #handOver} has it renamed over the
 * public path (new connections reach Jetty directly) and relays each held connection to Jetty, byte for byte, with
 * one header naming the original caller ({@link ApiHandler#RELAYED_PEER_HEADER}): the actor of what a relayed
 * request records is the caller's {@code SO_PEERCRED}, not the daemon's own. After a short quiet period the early
 * listener closes; its relays run until their connections end. If the daemon does not start, {@link #fail} answers
 * the held requests 503 and removes the socket (only the one this responder bound).
 */
public final class EarlyResponder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EarlyResponder.class.getName());
    /** How long the listener keeps accepting after the hand-over without a new connection before it closes. */
    private static final long QUIET_MILLIS = 250;
    /** Jetty's request header limit ({@code ApiServer}); a longer head is relayed as it is, for Jetty to refuse. */
    private static final int MAX_HEAD = 64 * 1024;
    private static final String SERVER = "berth/" + BerthVersion.version();

    private final Path socket;
    private final ServerSocketChannel listener;
    private final Object boundKey;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Set<Thread> connections = ConcurrentHashMap.newKeySet();
    /** Relayed requests whose answer has not begun. */
    private final java.util.concurrent.atomic.AtomicInteger unanswered = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Path target;
    private volatile String failure;
    private volatile long lastAccept = System.nanoTime();
    private volatile boolean closing;

    private EarlyResponder(Path socket, ServerSocketChannel listener, Object boundKey) {
        this.socket = socket;
        this.listener = listener;
        this.boundKey = boundKey;
    }

    /**
     * Binds {@code socket} and starts answering. A live socket there (another daemon) or a non-socket refuses; a
     * stale one is removed. Check, removal and bind happen under a lock beside the socket ({@code .NAME.lock}), so
     * of two daemons starting at once the second sees the first one's live socket and never removes it.
     *
     * @throws StartupException with one line naming the problem
     */
    public static EarlyResponder bind(Path socket) {
        Path parent = socket.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StartupException("cannot create the socket's directory " + parent + ": " + HostPaths.reason(e));
        }
        Path lockFile = parent.resolve("." + socket.getFileName() + ".lock");
        ServerSocketChannel listener = null;
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            HostPaths.claimSocketPath(socket);
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(socket));
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            SocketModes.restrict(socket);
            EarlyResponder early = new EarlyResponder(socket, listener, key);
            Thread.ofPlatform().daemon().name("berth-early-accept").start(early::acceptLoop);
            return early;
        } catch (IOException e) {
            if (listener != null) {
                try {
                    listener.close();
                    Files.deleteIfExists(socket);
                } catch (IOException ignoredToo) {
                    // reported below
                }
            }
            throw new StartupException("cannot serve the API on " + socket + ": " + HostPaths.reason(e));
        }
    }

    /** Where Jetty binds until it is ready to take over the public socket: {@code .NAME.api} beside it. */
    public Path privateSocket() {
        return socket.resolveSibling("." + socket.getFileName() + ".api");
    }

    /**
     * Jetty now serves {@code jetty} (already renamed over the public socket): held requests are relayed to it, and
     * the listener closes once no connection has arrived for a quiet period.
     */
    public void handOver(Path jetty) {
        target = jetty;
        // the quiet period counts from the hand-over too: a client that found the path just before the rename is
        // in this listener's backlog, and closing at once (when the last accept was long ago) would drop it unanswered
        lastAccept = System.nanoTime();
        released.countDown();
        Thread.ofPlatform().daemon().name("berth-early-quiet").start(() -> {
            while (!closing) {
                long quiet = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAccept);
                if (quiet >= QUIET_MILLIS) {
                    closeListener();
                    return;
                }
                sleep(QUIET_MILLIS - quiet);
            }
        });
    }

    /**
     * The daemon will not start: held requests get 503 with {@code reason} (its first line), the listener closes and
     * the socket is removed if it is still the one this responder bound. Waits (briefly) for the answers to be
     * written, so that the process may exit right after. Idempotent.
     */
    public void fail(String reason) {
        if (target != null || failure != null) {
            return; // handed over: Jetty answers (and the daemon's stop removes the socket)
        }
        String text = reason == null || reason.isBlank() ? "unknown error" : reason.strip();
        failure = text.lines().findFirst().orElse(text);
        released.countDown();
        closeListener();
        removeOwnSocket();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Thread connection : connections) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    connection.join(java.time.Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Stops accepting; relays in progress continue. */
    @Override
    public void close() {
        closeListener();
        if (target == null && failure == null) {
            failure = "the daemon is stopping";
            released.countDown();
            removeOwnSocket();
        }
    }

    private void closeListener() {
        closing = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    private void removeOwnSocket() {
        try {
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (boundKey != null && boundKey.equals(key)) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            // gone already, or not ours
        }
    }

    private void acceptLoop() {
        while (!closing) {
            SocketChannel client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            lastAccept = System.nanoTime();
            Thread thread = Thread.ofPlatform().daemon().name("berth-early-connection").unstarted(() -> {
                try {
                    serve(client);
                } finally {
                    connections.remove(Thread.currentThread());
                }
            });
            connections.add(thread);
            thread.start();
        }
    }

    /** One connection: answers pings and versions in a loop, then holds and relays the first other request. */
    private void serve(SocketChannel client) {
        try (client) {
            ByteBuffer in = ByteBuffer.allocate(MAX_HEAD);
            while (true) {
                int end = headEnd(client, in);
                if (end == 0) {
                    return; // the client closed between requests
                }
                Request request = null;
                try {
                    request = end < 0 ? null : Request.parse(in, end);
                } catch (RuntimeException malformed) {
                    // relayed as it is: Jetty answers what is wrong with it
                }
                if (request != null && request.answerable()) {
                    client.write(ByteBuffer.wrap(answer(request)));
                    // drop the head, keep what follows (a pipelined request)
                    in.flip().position(end);
                    in.compact();
                    if (request.close()) {
                        return;
                    }
                    continue;
                }
                hold(client, in, request == null ? -1 : request.requestLineEnd());
                return;
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /**
     * Reads until the buffer holds a whole request head; the offset just past its blank line, 0 at the end of the
     * stream with nothing buffered, -1 when the head is longer than the buffer or the stream ended inside it.
     */
    private static int headEnd(SocketChannel client, ByteBuffer in) throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = Math.max(3, scanned); i < in.position(); i++) {
                if (in.get(i) == '\n' && in.get(i - 1) == '\r' && in.get(i - 2) == '\n' && in.get(i - 3) == '\r') {
                    return i + 1;
                }
            }
            scanned = in.position();
            if (!in.hasRemaining()) {
                return -1;
            }
            if (client.read(in) < 0) {
                return in.position() == 0 ? 0 : -1;
            }
        }
    }

    /** Waits for the hand-over or the failure, then relays the connection to Jetty or answers 503. */
    private void hold(SocketChannel client, ByteBuffer in, int requestLineEnd) throws IOException {
        unanswered.incrementAndGet();
        boolean[] answered = {false};
        try {
            relay(client, in, requestLineEnd, () -> {
                answered[0] = true;
                unanswered.decrementAndGet();
            });
        } finally {
            if (!answered[0]) {
                unanswered.decrementAndGet();
            }
        }
    }

    private void relay(SocketChannel client, ByteBuffer in, int requestLineEnd, Runnable answering) throws IOException {
        PeerCredentials caller = PeerCredentials.of(client);
        try {
            released.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (failure != null) {
            client.write(ByteBuffer.wrap(error(503, "the daemon did not start: " + failure)));
            return;
        }
        try (SocketChannel jetty = SocketChannel.open(UnixDomainSocketAddress.of(target))) {
            in.flip();
            if (requestLineEnd > 0) {
                ByteBuffer line = in.duplicate().limit(requestLineEnd);
                writeFully(jetty, line);
                in.position(requestLineEnd);
                String peer = ApiHandler.RELAYED_PEER_HEADER + ": " + caller.pid() + " " + caller.uid() + " " + caller.gid() + "\r\n";
                writeFully(jetty, ByteBuffer.wrap(peer.getBytes(StandardCharsets.US_ASCII)));
            }
            writeFully(jetty, in);
            Thread upstream = Thread.ofPlatform().daemon().name("berth-early-relay").start(() -> {
                pump(client, jetty, () -> {
                });
                try {
                    jetty.shutdownOutput();
                } catch (IOException e) {
                    // Jetty has closed
                }
            });
            pump(jetty, client, answering);
            // Jetty closed the connection: so does the relay (which also ends the other direction's read)
            client.close();
            jetty.close();
            try {
                upstream.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "relaying a request to " + target + ": " + HostPaths.reason(e));
            throw e;
        }
    }

    /**
     * Waits (at most {@code timeout}) until every relayed request has had the first bytes of its answer: a start
     * that fails after the hand-over lets Jetty answer them 503 before it stops.
     */
    public void awaitRelayedAnswers(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (target != null && unanswered.get() > 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
    }

    /** Copies {@code from} to {@code to} until either closes; {@code first} runs once the first bytes are written. */
    private static void pump(SocketChannel from, SocketChannel to, Runnable first) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        boolean started = false;
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                writeFully(to, buffer);
                buffer.clear();
                if (!started) {
                    started = true;
                    first.run();
                }
            }
        } catch (IOException e) {
            // either side closed
        }
    }

    private static void writeFully(SocketChannel to, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            to.write(buffer);
        }
    }

    /** The answer to a ping or a version request, as Jetty writes the full daemon's. */
    private static byte[] answer(Request request) {
        boolean ping = request.path().equals("/_ping");
        byte[] body = ping ? VersionAnswer.PING_BODY.getBytes(StandardCharsets.UTF_8) : VersionAnswer.versionBody();
        StringBuilder head = statusAndServer(200, "OK");
        if (ping) {
            for (String[] header : VersionAnswer.PING_HEADERS) {
                head.append(header[0]).append(": ").append(header[1]).append("\r\n");
            }
        }
        head.append("Content-Type: ").append(ping ? VersionAnswer.PING_CONTENT_TYPE : VersionAnswer.VERSION_CONTENT_TYPE).append("\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\n");
        if (request.close()) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        return concat(head, request.method().equals("HEAD") ? new byte[0] : body);
    }

    /** Docker's error shape, {@code {"message": "..."}}, as the full daemon answers it; the connection closes. */
    private static byte[] error(int status, String message) {
        StringBuilder json = new StringBuilder("{\"message\":\"");
        for (char c : message.toCharArray()) {
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c >= 0x20) {
                json.append(c);
            }
        }
        byte[] body = json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = statusAndServer(status, "Service Unavailable");
        head.append("Content-Type: ").append(VersionAnswer.VERSION_CONTENT_TYPE).append("\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        return concat(head, body);
    }

    private static StringBuilder statusAndServer(int status, String reason) {
        StringBuilder head = new StringBuilder(512);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        head.append("Date: ").append(httpDate()).append("\r\n");
        head.append("Server: ").append(SERVER).append("\r\n");
        // the full daemon's correlation id: a random (version 4) UUID, here without SecureRandom's start-up
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = random.nextLong() & ~0xF000L | 0x4000L;
        long lsb = random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
        head.append(ApiHandler.CORRELATION_HEADER).append(": ").append(new UUID(msb, lsb)).append("\r\n");
        return head;
    }

    private static byte[] concat(StringBuilder head, byte[] body) {
        byte[] start = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[start.length + body.length];
        System.arraycopy(start, 0, all, 0, start.length);
        System.arraycopy(body, 0, all, start.length, body.length);
        return all;
    }

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /** HTTP's date ({@code Sun, 06 Dec 2026 01:49:59 GMT}), written by hand: no locale data to load. */
    static String httpDate() {
        LocalDateTime now = LocalDateTime.ofEpochSecond(System.currentTimeMillis() / 1000, 0, ZoneOffset.UTC);
        return String.format("%s, %02d %s %04d %02d:%02d:%02d GMT", DAYS[now.getDayOfWeek().ordinal()], now.getDayOfMonth(),
                MONTHS[now.getMonthValue() - 1], now.getYear(), now.getHour(), now.getMinute(), now.getSecond());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The parts of a request head the early responder looks at.
     *
     * @param requestLineEnd offset just past the request line's CRLF
     * @param answerable     a ping or version request this responder answers itself
     */
    record Request(String method, String path, boolean close, int requestLineEnd, boolean answerable) {
        private static final java.util.regex.Pattern VERSIONED = java.util.regex.Pattern.compile("/v(\\d{1,4})\\.(\\d{1,4})(/.*)");

        /** Parses the head in {@code in[0, end)}; {@code null} when it is not even a request line. */
        static Request parse(ByteBuffer in, int end) {
            String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
            int lineEnd = head.indexOf("\r\n");
            String[] line = head.substring(0, lineEnd).split(" ", -1);
            if (line.length != 3) {
                return new Request("", "", true, lineEnd + 2, false);
            }
            String method = line[0];
            String path = line[1];
            boolean close = false;
            boolean host = false;
            boolean plain = true; // no body, no upgrade, nothing else Jetty would answer differently
            String headers = end - 4 > lineEnd + 2 ? head.substring(lineEnd + 2, end - 4) : ""; // none: "GET / HTTP/1.0\r\n\r\n"
            for (String header : headers.split("\r\n")) {
                int colon = header.indexOf(':');
                if (header.isEmpty()) {
                    continue;
                }
                if (colon <= 0) {
                    plain = false;
                    continue;
                }
                String name = header.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
                String value = header.substring(colon + 1).strip();
                switch (name) {
                    case "host" -> host = true;
                    case "connection" -> {
                        if (value.equalsIgnoreCase("close")) {
                            close = true;
                        } else if (!value.equalsIgnoreCase("keep-alive")) {
                            plain = false;
                        }
                    }
                    case "content-length" -> plain &= value.equals("0");
                    case "transfer-encoding", "upgrade", "expect" -> plain = false;
                    default -> {
                    }
                }
            }
            String bare = path;
            java.util.regex.Matcher versioned = VERSIONED.matcher(path);
            if (versioned.matches()) {
                int asked = Integer.parseInt(versioned.group(1)) * 1000 + Integer.parseInt(versioned.group(2));
                bare = asked >= version(BerthVersion.MIN_API_VERSION) && asked <= version(BerthVersion.API_VERSION)
                        ? versioned.group(3) : path; // a version not served: Jetty answers its refusal
            }
            boolean answerable = plain && host && line[2].equals("HTTP/1.1")
                    && (method.equals("GET") || method.equals("HEAD")) && (bare.equals("/_ping") || bare.equals("/version"));
            return new Request(method, bare, close, lineEnd + 2, answerable);
        }

        private static int version(String text) {
            int dot = text.indexOf('.');
            return Integer.parseInt(text.substring(0, dot)) * 1000 + Integer.parseInt(text.substring(dot + 1));
        }
    }
}
