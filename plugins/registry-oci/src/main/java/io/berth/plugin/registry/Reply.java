package io.berth.plugin.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A registry's answer: status, headers and a body stream the receiver must close.
 *
 * @param status  the HTTP status
 * @param headers the headers
 * @param uri     the URI that answered (after redirects)
 * @param body    the body; closing it releases the connection
 */
record Reply(int status, HttpHeaders headers, URI uri, InputStream body) implements AutoCloseable {

    /** How much of an error body is read, at most. */
    static final int ERROR_BODY_LIMIT = 64 * 1024;

    /**
     * @param name a header name
     * @return its first value
     */
    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /** @return the {@code Content-Length}, if the registry sent a well-formed one */
    OptionalLong contentLength() {
        return headers.firstValueAsLong("Content-Length");
    }

    /** @return the {@code Content-Type} without parameters, lower case, or an empty string */
    String contentType() {
        return header("Content-Type").map(v -> v.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT)).orElse("");
    }

    /** @return whether the status is 2xx */
    boolean ok() {
        return status >= 200 && status < 300;
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // The connection is dropped either way.
        }
    }
}
