package io.berth.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Which requests the early responder answers itself, and its Date header's form. */
class EarlyResponderTest {
    private static EarlyResponder.Request parse(String head) {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer in = ByteBuffer.allocate(1024);
        in.put(bytes);
        return EarlyResponder.Request.parse(in, bytes.length);
    }

    @Test
    void pingAndVersionOfHttp11AreAnsweredBareOrWithAServedVersionPrefix() {
        assertTrue(parse("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n").answerable());
        assertTrue(parse("HEAD /v1.43/_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").answerable());
        assertTrue(parse("GET /v1.24/version HTTP/1.1\r\nHost: x\r\n\r\n").answerable());
        assertEquals("/version", parse("GET /v1.24/version HTTP/1.1\r\nHost: x\r\n\r\n").path());
        assertTrue(parse("HEAD /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").close());
    }

    @Test
    void everythingElseIsHeldForTheDaemon() {
        assertFalse(parse("GET /containers/json HTTP/1.1\r\nHost: x\r\n\r\n").answerable());
        assertFalse(parse("GET /v1.99/_ping HTTP/1.1\r\nHost: x\r\n\r\n").answerable(), "a version not served: Jetty refuses it");
        assertFalse(parse("GET /v1.12/version HTTP/1.1\r\nHost: x\r\n\r\n").answerable());
        assertFalse(parse("GET /_ping HTTP/1.0\r\n\r\n").answerable(), "HTTP/1.0 without Host: Jetty's 400");
        assertFalse(parse("GET /_ping HTTP/1.1\r\n\r\n").answerable(), "no Host: Jetty's 400");
        assertFalse(parse("POST /_ping HTTP/1.1\r\nHost: x\r\n\r\n").answerable());
        assertFalse(parse("GET /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n").answerable());
        assertFalse(parse("GET /_ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").answerable());
        assertFalse(parse("GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n").answerable());
        assertFalse(parse("GET /_ping?x=1 HTTP/1.1\r\nHost: x\r\n\r\n").answerable());
        assertFalse(parse("nonsense\r\n\r\n").answerable());
        assertFalse(parse("\r\n\r\n").answerable());
    }

    @Test
    void theDateIsHttpsFixedForm() {
        String date = EarlyResponder.httpDate();
        assertTrue(date.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), date);
        ZonedDateTime parsed = ZonedDateTime.parse(date, DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                .withZone(ZoneOffset.UTC));
        assertTrue(Math.abs(parsed.toEpochSecond() - System.currentTimeMillis() / 1000) < 5, date);
    }
}
