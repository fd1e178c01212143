package io.berth.plugin.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.RegistryException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, defect 10: the token flow never sends a password to a plain-HTTP token realm named by a
 * registry served over HTTPS. The realm is a real HTTP server on loopback that records what reaches it.
 */
class TokenRealmTest {
    private HttpServer realm;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpExchange http;

    @BeforeEach
    void start() throws Exception {
        realm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        realm.createContext("/token", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "(none)" : auth);
            byte[] body = "{\"token\":\"anonymous-token\",\"expires_in\":300}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        realm.start();
        http = new HttpExchange("berth-test", Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        realm.stop(0);
        http.close();
    }

    private String challenge() {
        return "Bearer realm=\"http://127.0.0.1:" + realm.getAddress().getPort() + "/token\",service=\"registry.example.com\"";
    }

    @Test
    void defect10_givenAnHttpsRegistryWithAPlainHttpRealmThenBasicCredentialsAreRefusedAndNeverSent() {
        RegistryEndpoint tls = RegistryEndpoint.of("registry.example.com", java.util.Set.of());
        assertEquals("https", tls.scheme());
        TokenAuthenticator auth = new TokenAuthenticator(http, Clock.systemUTC());
        Call call = new Call(tls, Scope.pull("team/app"), Credentials.basic("alice", "s3cret"), "registry.example.com/team/app:1");
        RegistryException e = assertThrows(RegistryException.class, () -> auth.answer(call, List.of(challenge())));
        assertTrue(e.getMessage().contains("is plain HTTP while the registry is served over HTTPS; berth does not send credentials there"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertEquals(List.of(), authorizations, "nothing reached the realm");
    }

    @Test
    void givenAnHttpsRegistryWithAPlainHttpRealmThenAnAnonymousTokenIsStillFetchedWithoutCredentials() throws Exception {
        TokenAuthenticator auth = new TokenAuthenticator(http, Clock.systemUTC());
        Call call = new Call(RegistryEndpoint.of("registry.example.com", java.util.Set.of()), Scope.pull("team/app"),
                Credentials.anonymous(), "registry.example.com/team/app:1");
        assertEquals("Bearer anonymous-token", auth.answer(call, List.of(challenge())));
        assertEquals(List.of("(none)"), authorizations);
    }

    @Test
    void givenAPlainHttpRegistryThenItsPlainHttpRealmGetsTheCredentialsAsBefore() throws Exception {
        TokenAuthenticator auth = new TokenAuthenticator(http, Clock.systemUTC());
        Call call = new Call(RegistryEndpoint.of("127.0.0.1:5000", java.util.Set.of()), Scope.pull("team/app"),
                Credentials.basic("alice", "s3cret"), "127.0.0.1:5000/team/app:1");
        assertEquals("Bearer anonymous-token", auth.answer(call, List.of(challenge())));
        assertEquals(1, authorizations.size());
        assertTrue(authorizations.getFirst().startsWith("Basic "));
    }
}
