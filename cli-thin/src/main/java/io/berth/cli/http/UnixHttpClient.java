package io.berth.cli.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a Unix-domain socket, built on the JDK's {@link SocketChannel} so the
 * CLI needs no HTTP library on its class path (start-up time is dominated by class loading).
 *
 * <p>One request per connection ({@code Connection: close}): the CLI makes one or two requests per run,
 * so keep-alive would add code and save nothing. Responses may be framed by Content-Length, chunked
 * transfer coding or the end of the connection; {@code HEAD}, 1xx, 204 and 304 answers have no body.
 */
public final class UnixHttpClient {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path socket;
    private final String userAgent;

    private static volatile boolean closeAtExit;

    /**
     * Leaves connections open when a response is closed, for a process that exits right after its requests
     * (the {@code berth} command): the kernel closes them at exit. Closing a {@code SocketChannel} initialises
     * {@code sun.nio.ch.Net}, which initialises {@code InetAddress}, which reads the JDK's security
     * properties file: up to tens of milliseconds for nothing a Unix socket needs (docs/PERFORMANCE.md).
     */
    public static void closeChannelsAtExit() {
        closeAtExit = true;
    }

    static boolean closingAtExit() {
        return closeAtExit;
    }

    private static volatile boolean attachLibrary;

    /**
     * Sends the requests of {@link #send} through {@link AttachLibrarySocket} where this JVM allows it, instead of a
     * NIO channel, whose first use costs the CLI ~9 ms of CPU in the JDK's security providers: for a process
     * whose whole work is one short request ({@code berth ps}); streams and uploads keep NIO.
     */
    public static void useAttachLibrary() {
        attachLibrary = true;
    }

    /**
     * @param socket    the daemon's socket path
     * @param userAgent sent as {@code User-Agent}; the daemon records it as the client of every event the
     *                  request causes
     */
    public UnixHttpClient(Path socket, String userAgent) {
        this.socket = socket;
        this.userAgent = userAgent;
    }

    /** The socket path this client connects to. */
    public Path socket() {
        return socket;
    }

    /** Sends a request without a body. */
    public HttpResponse send(String method, String target) throws IOException {
        return send(method, target, null, null);
    }

    /**
     * Sends one request and reads the response head.
     *
     * @param method      {@code GET}, {@code POST}, {@code HEAD}, …
     * @param target      origin-form request target, e.g. {@code /berth/events?since=0}; already encoded
     * @param contentType the body's media type, or {@code null} without a body
     * @param body        the request body, or {@code null}
     * @throws NoDaemonException    nothing listens on the socket
     * @throws SocketPathException  the path is not a socket, or connecting is not permitted
     * @throws IOException          the connection failed or the answer is not HTTP/1.x
     */
    public HttpResponse send(String method, String target, String contentType, byte[] body) throws IOException {
        return send(method, target, Map.of(), contentType, body);
    }

    /** As {@link #send(String, String, String, byte[])}, with extra request headers (e.g. {@code X-Registry-Auth}). */
    public HttpResponse send(String method, String target, Map<String, String> headers, String contentType, byte[] body)
            throws IOException {
        if (attachLibrary && AttachLibrarySocket.available(socket)) {
            return sendThroughAttachLibrary(method, target, headers, contentType, body);
        }
        SocketChannel channel = connect();
        try {
            writeRequest(channel, method, target, headers, contentType, body, body == null ? -2 : body.length);
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
            return readResponse(channel, in, method);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private HttpResponse sendThroughAttachLibrary(String method, String target, Map<String, String> headers,
                                                  String contentType, byte[] body) throws IOException {
        AttachLibrarySocket.Connection connection;
        try {
            connection = AttachLibrarySocket.connect(socket);
        } catch (IOException e) {
            throw classify(e);
        }
        try {
            connection.write(request(method, target, headers, contentType, body, body == null ? -2 : body.length));
            InputStream in = new BufferedInputStream(connection.input(), 16 * 1024);
            return readResponse(connection, in, method);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Sends one request whose body is streamed from {@code body} (a tar for {@code POST /images/load}), then
     * reads the response head.
     *
     * @param length the body's length, or -1 to send it with chunked transfer coding (stdin)
     */
    public HttpResponse sendStream(String method, String target, String contentType, InputStream body, long length)
            throws IOException {
        return sendStream(method, target, Map.of(), contentType, body, length);
    }

    /** {@link #sendStream(String, String, String, InputStream, long)} with extra request headers. */
    public HttpResponse sendStream(String method, String target, Map<String, String> headers, String contentType, InputStream body,
                                   long length) throws IOException {
        SocketChannel channel = connect();
        try {
            writeRequest(channel, method, target, headers, contentType, null, length);
            try {
                writeBody(channel, body, length);
            } catch (BodyNotTaken writeFailed) {
                // The daemon may answer before it reads the body (a refused parameter) and close its end:
                // its answer is the one to show, as Docker's client shows it; else the write's error.
                try {
                    return readResponse(channel, new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024), method);
                } catch (IOException | RuntimeException noAnswer) {
                    throw (IOException) writeFailed.getCause();
                }
            }
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
            return readResponse(channel, in, method);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The daemon's end would not take more of the body (it answered and closed, or went away). */
    private static final class BodyNotTaken extends IOException {
        BodyNotTaken(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static void writeBody(SocketChannel channel, InputStream body, long length) throws IOException {
        java.io.OutputStream raw = Channels.newOutputStream(channel);
        byte[] buf = new byte[64 * 1024];
        int n;
        long sent = 0;
        while ((n = body.read(buf)) > 0) {
            if (length >= 0 && sent + n > length) {
                throw new IOException("the input grew while it was being sent");
            }
            try {
                if (length < 0) {
                    raw.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    raw.write(buf, 0, n);
                    raw.write(CRLF);
                } else {
                    raw.write(buf, 0, n);
                }
            } catch (IOException e) {
                throw new BodyNotTaken(e);
            }
            sent += n;
        }
        if (length >= 0 && sent != length) {
            throw new IOException("the input ended after " + sent + " of " + length + " bytes");
        }
        if (length < 0) {
            try {
                raw.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new BodyNotTaken(e);
            }
        }
    }

    /**
     * Opens a full-duplex exchange (the daemon's {@code attach}): sends the request head with
     * {@code Transfer-Encoding: chunked} and returns at once, so the caller can write the body as chunks
     * while it reads the response on the same connection.
     */
    public Duplex openDuplex(String method, String target, String contentType) throws IOException {
        SocketChannel channel = connect();
        try {
            writeRequest(channel, method, target, Map.of(), contentType, null, -1);
            return new Duplex(channel, method);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads the response head of a {@link Duplex} exchange from {@code in}. */
    static HttpResponse readDuplexResponse(SocketChannel channel, InputStream in, String method) throws IOException {
        return readResponse(channel, in, method);
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (IOException e) {
            channel.close();
            throw classify(e);
        }
    }

    /**
     * The JDK reports a missing file, a stale socket and a regular file all as plain socket errors;
     * look at the path to say which, because only the first two may start a daemon.
     */
    private IOException classify(IOException e) {
        if (!Files.exists(socket)) {
            return new NoDaemonException(socket, "no such file");
        }
        if (!isSocket(socket)) {
            return new SocketPathException(socket + ": not a socket");
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("Permission denied")) {
            return new SocketPathException("permission denied while trying to connect to the berth daemon socket at unix://"
                    + socket + " (run as root, or as a member of the socket's group)");
        }
        if (msg.contains("Connection refused")) {
            return new NoDaemonException(socket, "connection refused");
        }
        return e;
    }

    static boolean isSocket(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode");
            return mode instanceof Integer m && (m & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // Without the unix view, trust the JDK: a socket is "other" (not file, directory or link).
            try {
                return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).isOther();
            } catch (IOException ignored) {
                return false;
            }
        }
    }

    /** {@code length}: the body's length, -1 for chunked, -2 for no body. */
    private void writeRequest(SocketChannel channel, String method, String target, Map<String, String> headers,
                              String contentType, byte[] body, long length) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(request(method, target, headers, contentType, body, length));
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /** The request's head and, if given, its body, as bytes; {@code length} as for {@link #writeRequest}. */
    private byte[] request(String method, String target, Map<String, String> headers, String contentType, byte[] body,
                           long length) {
        StringBuilder head = new StringBuilder(256)
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\n")
                .append("User-Agent: ").append(userAgent).append("\r\n")
                .append("Connection: close\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String v = h.getValue();
            if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + h.getKey() + " holds a line break");
            }
            head.append(h.getKey()).append(": ").append(v).append("\r\n");
        }
        if (length >= -1 && contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (length >= 0) {
            head.append("Content-Length: ").append(length).append("\r\n");
        } else if (length == -1) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else if (method.equals("POST") || method.equals("PUT")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        if (body == null || body.length == 0) {
            return headBytes;
        }
        byte[] all = java.util.Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    private static HttpResponse readResponse(java.io.Closeable channel, InputStream in, String method) throws IOException {
        String statusLine;
        int status;
        String reason;
        Map<String, List<String>> headers;
        do { // skip interim 1xx answers (100 Continue)
            statusLine = HttpLines.readAsciiLine(in);
            if (statusLine == null) {
                throw new IOException("the daemon closed the connection without answering");
            }
            if (!statusLine.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x answer: \"" + abbreviate(statusLine) + "\"");
            }
            int sp1 = statusLine.indexOf(' ');
            int sp2 = statusLine.indexOf(' ', sp1 + 1);
            try {
                status = Integer.parseInt(sp2 < 0 ? statusLine.substring(sp1 + 1) : statusLine.substring(sp1 + 1, sp2));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new IOException("bad HTTP status line: \"" + abbreviate(statusLine) + "\"");
            }
            reason = sp2 < 0 ? "" : statusLine.substring(sp2 + 1);
            headers = readHeaders(in);
        } while (status >= 100 && status < 200);

        InputStream body;
        String transferEncoding = first(headers, "transfer-encoding");
        String contentLength = first(headers, "content-length");
        if (method.equals("HEAD") || status == 204 || status == 304) {
            body = InputStream.nullInputStream();
        } else if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = new ChunkedInputStream(in);
        } else if (contentLength != null) {
            long length;
            try {
                length = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: \"" + contentLength + "\"");
            }
            body = new BoundedInputStream(in, length);
        } else {
            body = in; // delimited by the end of the connection
        }
        return new HttpResponse(status, reason, headers, body, channel);
    }

    private static Map<String, List<String>> readHeaders(InputStream in) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        int count = 0;
        while ((line = HttpLines.readAsciiLine(in)) != null && !line.isEmpty()) {
            if (++count > 200) {
                throw new IOException("more than 200 header lines in the answer");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("bad HTTP header line: \"" + abbreviate(line) + "\"");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = HttpLines.latin1ToUtf8(line.substring(colon + 1).trim());
            List<String> values = headers.get(name); // no lambda: linked at run time on first use
            if (values == null) {
                values = new ArrayList<>(1);
                headers.put(name, values);
            }
            values.add(value);
        }
        if (line == null) {
            throw new IOException("the daemon closed the connection inside the response headers");
        }
        return headers;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
