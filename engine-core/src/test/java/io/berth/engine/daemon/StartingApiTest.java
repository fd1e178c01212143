package io.berth.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiHandler;
import io.berth.engine.api.ApiServer;
import io.berth.engine.daemon.SystemEndpoints;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A starting daemon's API ({@link ApiHandler#startingUp}) on a real socket: {@code /_ping} and {@code /version}
 * answer at once, any other request waits for the start and is then served, or gets 503 with the reason when the
 * start fails.
 */
class StartingApiTest {
    @TempDir
    Path dir;

    @Test
    void givenAStartingDaemon_whenARequestNeedsALaterRoute_thenItWaitsAndIsServedOnceReady() throws Exception {
        Path socket = dir.resolve("api.sock");
        ApiHandler handler = new ApiHandler(new ObjectMapper(), "berth/test").startingUp()
                .route("GET", "/_ping", SystemEndpoints::ping)
                .route("GET", "/version", SystemEndpoints::version);
        try (ApiServer server = new ApiServer(socket, handler)) {
            server.start();
            assertEquals(200, UnixHttp.get(socket, "/_ping").status());
            assertEquals(200, UnixHttp.get(socket, "/v1.43/version").status());

            CompletableFuture<UnixHttp.Response> images = CompletableFuture.supplyAsync(() -> get(socket, "/images/json"));
            Thread.sleep(300);
            assertFalse(images.isDone(), "a request for a route not yet in place must wait, not fail");

            handler.route("GET", "/images/json", exchange -> exchange.text(200, "[]"));
            handler.ready();
            UnixHttp.Response answered = images.get(10, TimeUnit.SECONDS);
            assertEquals(200, answered.status());
            assertEquals("[]", answered.body());
            assertEquals(404, UnixHttp.get(socket, "/nothing").status(), "once started, an unknown path is 404 at once");
        }
    }

    @Test
    void givenAStartThatFails_whenRequestsWait_thenTheyGet503WithTheReason() throws Exception {
        Path socket = dir.resolve("api.sock");
        ApiHandler handler = new ApiHandler(new ObjectMapper(), "berth/test").startingUp()
                .route("GET", "/_ping", SystemEndpoints::ping);
        try (ApiServer server = new ApiServer(socket, handler)) {
            server.start();
            CompletableFuture<UnixHttp.Response> info = CompletableFuture.supplyAsync(() -> get(socket, "/info"));
            Thread.sleep(200);
            handler.failedToStart("event log /x was written by a newer berth");
            UnixHttp.Response refused = info.get(10, TimeUnit.SECONDS);
            assertEquals(503, refused.status());
            assertTrue(refused.body().contains("the daemon did not start: event log /x was written by a newer berth"), refused.body());
        }
    }

    private static UnixHttp.Response get(Path socket, String path) {
        try {
            return UnixHttp.get(socket, path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
