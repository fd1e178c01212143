package io.berth.cli.http;

import io.berth.cli.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnixHttpClientTest {
    @TempDir
    Path dir;

    private UnixHttpClient client(Path socket) {
        return new UnixHttpClient(socket, "berth-cli/test");
    }

    @Test
    void givenContentLengthBody_whenGet_thenBodyAndHeadersAreRead() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.43\r\nContent-Length: 11\r\n\r\n{\"a\":\"b\"}\r\nGARBAGE"
                        .getBytes(StandardCharsets.US_ASCII)));
             HttpResponse r = client(s.socket()).send("GET", "/version")) {
            assertEquals(200, r.status());
            assertEquals("OK", r.reason());
            assertEquals("1.43", r.header("API-VERSION"));
            assertEquals("{\"a\":\"b\"}\r\n", r.bodyText()); // exactly Content-Length bytes, nothing after
        }
    }

    @Test
    void givenChunkedLinesAcrossChunkAndBufferBoundaries_whenReadLineByLine_thenEveryLineComesBackWhole() throws Exception {
        String big = "x".repeat(150_000); // longer than readLine's 64 KiB block
        String body = "one\r\n" + big + "\n\u00e9t\u00e9\n" + "last-without-newline";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder chunked = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        wire.write(chunked.toString().getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < bytes.length; i += 7001) { // chunks that split lines and characters
            int n = Math.min(7001, bytes.length - i);
            wire.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            wire.write(bytes, i, n);
            wire.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        wire.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(wire.toByteArray()));
             HttpResponse r = client(s.socket()).send("GET", "/berth/events")) {
            BodyLines lines = r.lines();
            assertEquals("one", lines.readLine());
            assertEquals(big, lines.readLine());
            assertEquals("\u00e9t\u00e9", lines.readLine());
            assertEquals("last-without-newline", lines.readLine());
            assertNull(lines.readLine());
        }
    }

    @Test
    void givenRequest_whenSent_thenRequestLineHeadersAndBodyAreHttp11() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "{}")) {
            byte[] body = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
            try (HttpResponse r = client(s.socket()).send("POST", "/berth/system/replay?x=1", "application/json", body)) {
                r.bodyBytes();
            }
            TestServer.Request req = s.requests().getFirst();
            assertEquals("POST", req.method());
            assertEquals("/berth/system/replay?x=1", req.target());
            assertEquals("berth-cli/test", req.header("User-Agent"));
            assertEquals("7", req.header("Content-Length"));
            assertEquals("application/json", req.header("Content-Type"));
            assertTrue(req.header("Host") != null, "HTTP/1.1 requires Host");
            assertArrayEquals(body, req.body());
        }
    }

    @Test
    void givenPostWithoutBody_whenSent_thenContentLengthIsZero() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "{}")) {
            try (HttpResponse r = client(s.socket()).send("POST", "/berth/system/replay")) {
                r.bodyBytes();
            }
            assertEquals("0", s.requests().getFirst().header("Content-Length"));
        }
    }

    @Test
    void givenChunkedBody_whenRead_thenChunksAreJoinedAndExtensionsAndTrailersIgnored() throws Exception {
        String wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6;ext=1\r\nhello \r\n" + "A\r\nchunked wo\r\n" + "3\r\nrld\r\n" + "0\r\nX-Trailer: t\r\n\r\n";
        try (TestServer s = new TestServer(dir.resolve("s.sock"),
                (req, out) -> out.write(wire.getBytes(StandardCharsets.US_ASCII)));
             HttpResponse r = client(s.socket()).send("GET", "/x")) {
            assertEquals("hello chunked world", r.bodyText());
        }
    }

    @Test
    void givenBodyUntilClose_whenRead_thenEverythingUntilEofIsTheBody() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(
                "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nline1\nline2".getBytes(StandardCharsets.US_ASCII)));
             HttpResponse r = client(s.socket()).send("GET", "/x")) {
            BodyLines lines = r.lines();
            assertEquals("line1", lines.readLine());
            assertEquals("line2", lines.readLine());
            assertNull(lines.readLine());
        }
    }

    @Test
    void givenHeadRequest_whenAnswered_thenThereIsNoBodyDespiteContentLength() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
             HttpResponse r = client(s.socket()).send("HEAD", "/_ping")) {
            assertEquals(0, r.bodyBytes().length);
        }
    }

    @Test
    void givenChunkedStream_whenFirstLineArrives_thenItIsReadableBeforeTheNextIsSent() throws Exception {
        CountDownLatch firstLineRead = new CountDownLatch(1);
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> {
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write("8\r\n{\"n\":1}\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The second event is only written once the client has shown it read the first: a client that
            // waited for a full buffer would hang here, and the test would time out.
            if (!firstLineRead.await(10, TimeUnit.SECONDS)) {
                return;
            }
            out.write("8\r\n{\"n\":2}\n\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        });
             HttpResponse r = client(s.socket()).send("GET", "/berth/events?follow=1")) {
            BodyLines lines = r.lines();
            assertEquals("{\"n\":1}", lines.readLine());
            firstLineRead.countDown();
            assertEquals("{\"n\":2}", lines.readLine());
            assertNull(lines.readLine());
        }
    }

    @Test
    void givenInterimContinue_whenAnswered_thenTheFinalStatusIsReturned() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII)));
             HttpResponse r = client(s.socket()).send("GET", "/nope")) {
            assertEquals(404, r.status());
            assertTrue(!r.isSuccess());
            assertEquals("{}", r.bodyText());
        }
    }

    @Test
    void givenNoFile_whenConnecting_thenNoDaemon() {
        Path missing = dir.resolve("missing.sock");
        NoDaemonException e = assertThrows(NoDaemonException.class, () -> client(missing).send("GET", "/_ping"));
        assertEquals(missing, e.socket());
    }

    @Test
    void givenStaleSocketFile_whenConnecting_thenNoDaemon() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ss.bind(UnixDomainSocketAddress.of(stale)); // closing leaves the file behind, as a crashed daemon does
        }
        assertTrue(Files.exists(stale));
        assertThrows(NoDaemonException.class, () -> client(stale).send("GET", "/_ping"));
    }

    @Test
    void givenRegularFile_whenConnecting_thenNotASocket() throws Exception {
        Path file = Files.writeString(dir.resolve("file.sock"), "x");
        SocketPathException e = assertThrows(SocketPathException.class, () -> client(file).send("GET", "/_ping"));
        assertEquals(file + ": not a socket", e.getMessage());
    }

    @Test
    void givenDirectory_whenConnecting_thenNotASocket() {
        SocketPathException e = assertThrows(SocketPathException.class, () -> client(dir).send("GET", "/_ping"));
        assertTrue(e.getMessage().endsWith(": not a socket"), e.getMessage());
    }

    @Test
    void givenNonHttpAnswer_whenRead_thenClearError() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"),
                (req, out) -> out.write("SSH-2.0-OpenSSH\r\n".getBytes(StandardCharsets.US_ASCII)))) {
            IOException e = assertThrows(IOException.class, () -> client(s.socket()).send("GET", "/_ping"));
            assertTrue(e.getMessage().startsWith("not an HTTP/1.x answer"), e.getMessage());
        }
    }

    @Test
    void givenTruncatedContentLengthBody_whenRead_thenError() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(
                "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII)));
             HttpResponse r = client(s.socket()).send("GET", "/x")) {
            IOException e = assertThrows(IOException.class, r::bodyBytes);
            assertTrue(e.getMessage().contains("7 bytes of the body missing"), e.getMessage());
        }
    }

    @Test
    void givenBadChunkSize_whenRead_thenError() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".getBytes(StandardCharsets.US_ASCII)));
             HttpResponse r = client(s.socket()).send("GET", "/x")) {
            IOException e = assertThrows(IOException.class, r::bodyBytes);
            assertTrue(e.getMessage().startsWith("bad chunk size"), e.getMessage());
        }
    }

    @Test
    void givenADaemonThatAnswersBeforeReadingTheBody_whenStreaming_thenItsAnswerIsReturnedNotTheBrokenPipe() throws Exception {
        Path socket = dir.resolve("early.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread answerer = Thread.ofPlatform().daemon().start(() -> {
                try (var c = server.accept()) {
                    java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(4096);
                    StringBuilder seen = new StringBuilder();
                    while (!seen.toString().contains("\r\n\r\n") && c.read(head) > 0) {
                        seen.setLength(0);
                        seen.append(new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1));
                    }
                    byte[] body = "{\"message\":\"refused early\"}".getBytes(StandardCharsets.US_ASCII);
                    c.write(java.nio.ByteBuffer.wrap(("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                    c.write(java.nio.ByteBuffer.wrap(body));
                } catch (IOException e) {
                    // the client's side of the test reports what it got
                }
            });
            byte[] context = new byte[32 * 1024 * 1024]; // far more than the socket buffers hold
            try (HttpResponse r = client(socket).sendStream("POST", "/build", "application/x-tar",
                    new java.io.ByteArrayInputStream(context), context.length)) {
                assertEquals(400, r.status());
                assertTrue(r.bodyText().contains("refused early"), r.bodyText());
            }
            answerer.join(5000);
        }
    }
}
