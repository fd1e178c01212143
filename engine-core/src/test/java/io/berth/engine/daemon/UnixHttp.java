package io.berth.engine.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A minimal HTTP/1.1 client over a Unix socket for tests (one request per connection). */
public final class UnixHttp {
    public record Response(int status, Map<String, String> headers, byte[] bytes) {
        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private UnixHttp() {}

    public static Response get(Path socket, String path) throws IOException {
        return send(socket, "GET", path, null);
    }

    public static Response post(Path socket, String path, String json) throws IOException {
        return send(socket, "POST", path, json);
    }

    public static Response send(Path socket, String method, String path, String body) throws IOException {
        return send(socket, method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
    }

    public static Response send(Path socket, String method, String path, byte[] body, String contentType,
                                Map<String, String> extraHeaders) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] payload = body == null ? new byte[0] : body;
            StringBuilder extra = new StringBuilder();
            extraHeaders.forEach((k, v) -> extra.append(k).append(": ").append(v).append("\r\n"));
            String head = method + " " + path + " HTTP/1.1\r\nHost: berth\r\nUser-Agent: berth-test/1\r\nConnection: close\r\n"
                    + extra + (body == null ? "" : "Content-Type: " + contentType + "\r\nContent-Length: " + payload.length + "\r\n") + "\r\n";
            // the body is sent while the answer is read, as curl and Go's client do: a server that
            // refuses early (an error line, then close) is heard instead of a reset of the upload
            IOException[] writeFailed = new IOException[1];
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    channel.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                    // in slices: one write of a large heap buffer needs a direct copy of it all
                    for (int from = 0; from < payload.length; from += 1 << 20) {
                        ByteBuffer slice = ByteBuffer.wrap(payload, from, Math.min(1 << 20, payload.length - from));
                        while (slice.hasRemaining()) {
                            channel.write(slice);
                        }
                    }
                } catch (IOException e) {
                    writeFailed[0] = e;
                }
            });
            InputStream in = Channels.newInputStream(channel);
            String statusLine;
            try {
                statusLine = readLine(in);
            } catch (IOException e) {
                joinQuietly(writer);
                if (writeFailed[0] != null) {
                    e.addSuppressed(writeFailed[0]);
                }
                throw e;
            }
            if (statusLine.isEmpty()) {
                joinQuietly(writer);
                throw writeFailed[0] != null ? writeFailed[0] : new IOException("connection closed before an answer");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(), line.substring(colon + 1).strip());
            }
            byte[] content;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int size;
                while ((size = Integer.parseInt(readLine(in).split(";")[0].strip(), 16)) > 0) {
                    out.write(in.readNBytes(size));
                    readLine(in);
                }
                content = out.toByteArray();
            } else if (headers.containsKey("content-length")) {
                content = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else {
                content = in.readAllBytes();
            }
            return new Response(status, headers, content);
        }
    }

    private static void joinQuietly(Thread writer) {
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
