package io.berth.plugin.registry;

import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * One HTTP exchange on the JDK client, with nothing added but the user agent and a timeout for
 * the answer's headers. HTTP/2 over TLS (negotiated), HTTP/1.1 over plain HTTP. Redirects are
 * never followed here: {@link RegistryTransport} follows them itself so that credentials stay on
 * the registry's host. Failures to connect become {@link Reason#UNAVAILABLE}; a peer that does not
 * speak HTTP becomes {@link Reason#PROTOCOL}.
 */
final class HttpExchange implements AutoCloseable {

    private final HttpClient client;
    private final String userAgent;
    private final Duration timeout;

    HttpExchange(String userAgent, Duration connectTimeout, Duration timeout) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
        this.userAgent = userAgent;
        this.timeout = timeout;
    }

    /**
     * Sends a request.
     *
     * @param call    the request's context, for error messages
     * @param request the request; not changed
     * @return the answer, whatever its status; the caller closes it
     * @throws RegistryException if there is no answer
     */
    Reply send(Call call, HttpRequest.Builder request) throws RegistryException {
        HttpRequest.Builder b = request.copy().timeout(timeout).setHeader("User-Agent", userAgent);
        HttpRequest built = b.build();
        if ("http".equalsIgnoreCase(built.uri().getScheme())) {
            built = b.version(HttpClient.Version.HTTP_1_1).build();
        }
        String where = built.method() + " " + built.uri().getScheme() + "://" + built.uri().getRawAuthority() + built.uri().getRawPath();
        try {
            HttpResponse<InputStream> r = client.send(built, HttpResponse.BodyHandlers.ofInputStream());
            return new Reply(r.statusCode(), r.headers(), r.uri(), r.body());
        } catch (HttpConnectTimeoutException e) {
            throw unavailable(call, where + ": connecting timed out", e);
        } catch (HttpTimeoutException e) {
            throw unavailable(call, where + ": no answer within " + timeout.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw unavailable(call, where + ": cannot connect (" + (e.getMessage() == null ? "connection refused" : e.getMessage())
                    + "): is the registry running?", e);
        } catch (UnresolvedAddressException e) {
            throw unavailable(call, where + ": unknown host " + built.uri().getHost(), e);
        } catch (UnknownHostException e) {
            throw unavailable(call, where + ": unknown host " + built.uri().getHost(), e);
        } catch (SSLException e) {
            throw unavailable(call, where + ": TLS failed (" + e.getMessage() + "); if the registry serves plain HTTP, "
                    + "list it in the registry-oci option insecure-registries", e);
        } catch (ProtocolException e) {
            throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                    where + ": the answer is not HTTP (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw unavailable(call, where + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(call, where + ": interrupted", e);
        }
    }

    private static RegistryException unavailable(Call call, String problem, Throwable cause) {
        return new RegistryException(Reason.UNAVAILABLE, call.registry(), call.subject(), problem, cause);
    }

    @Override
    public void close() {
        client.close();
    }
}
