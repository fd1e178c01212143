package io.berth.plugin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers registries' {@code WWW-Authenticate} challenges: basic credentials for {@code Basic},
 * the distribution token flow for {@code Bearer} (GET the realm with {@code service} and
 * {@code scope}, basic-authenticated when there are credentials; an identity token is exchanged
 * with an OAuth2 refresh-token POST). Remembers each registry's challenge, so later requests
 * authenticate up front, and caches tokens in memory per registry, scope and credentials until
 * shortly before they expire.
 */
final class TokenAuthenticator {

    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);
    private static final int TOKEN_BODY_LIMIT = 1024 * 1024;

    private record TokenKey(String registry, Scope scope, Credentials credentials) {
    }

    private record Token(String value, Instant expires) {
    }

    private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
    private final Map<TokenKey, Token> tokens = new ConcurrentHashMap<>();
    private final HttpExchange http;
    private final Clock clock;

    TokenAuthenticator(HttpExchange http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /**
     * The {@code Authorization} header to send up front, from what the registry asked before.
     *
     * @param call the request's context
     * @return the header value, or {@code null} to send none
     * @throws RegistryException if fetching a token fails
     */
    String authorization(Call call) throws RegistryException {
        if (call.credentials() instanceof Credentials.RegistryToken token) {
            return "Bearer " + token.token();
        }
        Challenge challenge = challenges.get(call.registry());
        if (challenge == null) {
            return null;
        }
        if (challenge.basic()) {
            return basicHeader(call.credentials());
        }
        Token token = tokens.get(new TokenKey(call.registry(), call.scope(), call.credentials()));
        if (token != null && clock.instant().isBefore(token.expires())) {
            return "Bearer " + token.value();
        }
        return "Bearer " + fetchToken(call, challenge);
    }

    /**
     * Answers a 401's challenges.
     *
     * @param call    the request's context
     * @param headers the {@code WWW-Authenticate} values
     * @return the header to retry with, or {@code null} if berth has nothing to answer with
     * @throws RegistryException if fetching a token fails
     */
    String answer(Call call, List<String> headers) throws RegistryException {
        Challenge challenge = Challenge.choose(headers).orElse(null);
        if (challenge == null) {
            return null;
        }
        challenges.put(call.registry(), challenge);
        if (challenge.basic()) {
            return basicHeader(call.credentials());
        }
        tokens.remove(new TokenKey(call.registry(), call.scope(), call.credentials()));
        return "Bearer " + fetchToken(call, challenge);
    }

    private static String basicHeader(Credentials credentials) {
        if (credentials instanceof Credentials.Basic basic) {
            String pair = basic.username() + ":" + basic.password();
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    private String fetchToken(Call call, Challenge challenge) throws RegistryException {
        String realm = challenge.param("realm").orElseThrow(() -> new RegistryException(Reason.PROTOCOL, call.registry(),
                call.subject(), "the registry asked for a bearer token without naming a realm to get it from"));
        URI realmUri;
        try {
            realmUri = URI.create(realm);
            if (realmUri.getScheme() == null || !realmUri.getScheme().matches("(?i)https?")) {
                throw new IllegalArgumentException("not http(s)");
            }
        } catch (IllegalArgumentException e) {
            throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                    "the registry's token realm \"" + realm + "\" is not an http(s) URL");
        }
        boolean sendsSecret = call.credentials() instanceof Credentials.IdentityToken || basicHeader(call.credentials()) != null;
        if (sendsSecret && "https".equalsIgnoreCase(call.endpoint().scheme()) && !"https".equalsIgnoreCase(realmUri.getScheme())) {
            // a registry served over TLS that points its token service at plain HTTP would expose the password on the wire
            throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                    "the registry's token realm \"" + realm + "\" is plain HTTP while the registry is served over HTTPS;"
                            + " berth does not send credentials there");
        }
        List<String> scopes = new ArrayList<>(call.scope().values());
        if (scopes.isEmpty()) {
            challenge.param("scope").ifPresent(scopes::add);
        }
        HttpRequest.Builder request;
        if (call.credentials() instanceof Credentials.IdentityToken identity) {
            StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=berth&refresh_token=")
                    .append(encode(identity.token()));
            challenge.param("service").ifPresent(s -> form.append("&service=").append(encode(s)));
            scopes.forEach(s -> form.append("&scope=").append(encode(s)));
            request = HttpRequest.newBuilder(realmUri).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
        } else {
            StringBuilder query = new StringBuilder();
            challenge.param("service").ifPresent(s -> query.append("&service=").append(encode(s)));
            scopes.forEach(s -> query.append("&scope=").append(encode(s)));
            String sep = realm.contains("?") ? "&" : "?";
            request = HttpRequest.newBuilder(URI.create(query.isEmpty() ? realm : realm + sep + query.substring(1))).GET();
            String basic = basicHeader(call.credentials());
            if (basic != null) {
                request.header("Authorization", basic);
            }
        }
        Instant asked = clock.instant();
        try (Reply reply = http.send(call, request)) {
            if (reply.status() == 401 || reply.status() == 403) {
                reply.close();
                throw unauthorized(call, "the token service refused them");
            }
            if (!reply.ok()) {
                throw RegistryErrors.from(reply, call.registry(), call.subject() + " (token service " + realmUri.getHost() + ")");
            }
            return parseToken(call, reply, asked);
        } catch (IOException e) {
            if (e instanceof RegistryException re) {
                throw re;
            }
            throw new RegistryException(Reason.UNAVAILABLE, call.registry(), call.subject(),
                    "reading the token from " + realmUri.getHost() + " failed: " + e.getMessage(), e);
        }
    }

    private String parseToken(Call call, Reply reply, Instant asked) throws IOException {
        byte[] body;
        try (InputStream in = reply.body()) {
            body = Limits.readAtMost(in, TOKEN_BODY_LIMIT);
        }
        JsonNode root = body == null ? null : Json.object(body).orElse(null);
        String token = root == null ? null : Json.text(root, "token").or(() -> Json.text(root, "access_token")).orElse(null);
        if (token == null || token.isBlank()) {
            throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                    "the token service answered without a token (expected JSON with \"token\" or \"access_token\")");
        }
        Duration lifetime = DEFAULT_TOKEN_LIFETIME;
        JsonNode expiresIn = root.get("expires_in");
        if (expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0) {
            lifetime = Duration.ofSeconds(expiresIn.asLong());
        }
        Instant expires = asked.plus(lifetime).minus(EXPIRY_MARGIN);
        if (tokens.size() > 1000) {
            Instant now = clock.instant();
            tokens.values().removeIf(t -> !now.isBefore(t.expires()));
        }
        tokens.put(new TokenKey(call.registry(), call.scope(), call.credentials()), new Token(token, expires));
        return token;
    }

    /**
     * The exception for refused credentials, worded for who asked.
     *
     * @param call   the request's context
     * @param detail what refused them
     * @return the exception
     */
    static RegistryException unauthorized(Call call, String detail) {
        String problem = switch (call.credentials()) {
            case Credentials.Basic b -> "wrong user name or password for " + b.username() + " (" + detail + ")";
            case Credentials.Anonymous a -> "authentication required: log in to " + call.registry() + " first (" + detail + ")";
            default -> "the registry refused the credentials (" + detail + ")";
        };
        return new RegistryException(Reason.UNAUTHORIZED, call.registry(), call.subject(), problem);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
