package io.berth.plugin.registry;

import io.berth.spi.registry.RegistryException;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

/**
 * Sends a request to a registry as a client must: with the credentials the registry asked for
 * (answering a 401's challenge once), following redirects for GET and HEAD, and sending the
 * {@code Authorization} header only to the registry's own scheme, host and port — never to a
 * storage backend a redirect or an upload location points at.
 */
final class RegistryTransport {

    private static final int MAX_REDIRECTS = 5;

    private final HttpExchange http;
    private final TokenAuthenticator auth;

    RegistryTransport(HttpExchange http, TokenAuthenticator auth) {
        this.http = http;
        this.auth = auth;
    }

    /**
     * @param call    who asks, where, with which access
     * @param request the request, without {@code Authorization}
     * @return the final answer (2xx or an error status other than 401); the caller closes it
     * @throws RegistryException {@code UNAUTHORIZED} if the registry refuses the credentials, or
     *                           if it cannot be reached
     */
    Reply send(Call call, HttpRequest.Builder request) throws RegistryException {
        String authorization = auth.authorization(call);
        Reply reply = exchange(call, request, authorization);
        if (reply.status() == 401) {
            List<String> challenges = reply.headers().allValues("WWW-Authenticate");
            reply.close();
            String answer = auth.answer(call, challenges);
            if (answer == null || answer.equals(authorization)) {
                throw TokenAuthenticator.unauthorized(call, challenges.isEmpty() ? "HTTP 401" : "HTTP 401, asked for "
                        + challenges.getFirst().split(" ", 2)[0]);
            }
            authorization = answer;
            reply = exchange(call, request, authorization);
            if (reply.status() == 401) {
                reply.close();
                throw TokenAuthenticator.unauthorized(call, "HTTP 401");
            }
        }
        String method = request.copy().build().method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return reply;
        }
        for (int hops = 0; isRedirect(reply.status()) && hops < MAX_REDIRECTS; hops++) {
            String location = reply.header("Location").orElse(null);
            if (location == null) {
                break;
            }
            URI next = reply.uri().resolve(location);
            reply.close();
            reply = exchange(call, request.copy().uri(next), authorization);
        }
        return reply;
    }

    private Reply exchange(Call call, HttpRequest.Builder request, String authorization) throws RegistryException {
        HttpRequest.Builder b = request.copy();
        URI target = b.build().uri();
        if (authorization != null && call.endpoint().sameOrigin(target)) {
            b.setHeader("Authorization", authorization);
        }
        return http.send(call, b);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
