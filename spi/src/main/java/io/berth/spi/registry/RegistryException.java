package io.berth.spi.registry;

import java.io.IOException;
import java.util.Objects;

/**
 * A registry operation failed. The message is one line:
 * {@code <registry>: <reference>: <problem>}, for example
 * {@code localhost:5000: localhost:5000/team/app:1.0: manifest unknown}.
 */
public class RegistryException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed, so the engine can answer with the right status. */
    public enum Reason {
        /** The registry wants credentials, or refused the ones given (HTTP 401). */
        UNAUTHORIZED,
        /** The credentials are valid but not allowed to do this (HTTP 403). */
        DENIED,
        /** No such repository, tag, manifest or blob (HTTP 404), or no manifest for the platform. */
        NOT_FOUND,
        /** Content did not match its digest or size. */
        DIGEST_MISMATCH,
        /** A document exceeded berth's limit (4 MiB for manifests and indexes). */
        TOO_LARGE,
        /** The registry served a media type or feature berth does not handle. */
        UNSUPPORTED,
        /** The registry answered with something malformed or unexpected. */
        PROTOCOL,
        /** The registry asked berth to slow down (HTTP 429). */
        RATE_LIMITED,
        /** The registry could not be reached, timed out, or failed (HTTP 5xx). */
        UNAVAILABLE
    }

    private final Reason reason;
    private final String reference;

    /**
     * @param reason    why it failed
     * @param registry  the registry host, for example {@code docker.io}
     * @param reference what was asked for: a reference, a repository and digest
     * @param problem   what went wrong, one line
     */
    public RegistryException(Reason reason, String registry, String reference, String problem) {
        this(reason, registry, reference, problem, null);
    }

    /**
     * @param reason    why it failed
     * @param registry  the registry host, for example {@code docker.io}
     * @param reference what was asked for: a reference, a repository and digest
     * @param problem   what went wrong, one line
     * @param cause     the underlying error, or {@code null}
     */
    public RegistryException(Reason reason, String registry, String reference, String problem, Throwable cause) {
        super(oneLine(registry + ": " + reference + ": " + problem), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.reference = reference;
    }

    /** @return why the operation failed */
    public Reason reason() {
        return reason;
    }

    /** @return what was asked for */
    public String reference() {
        return reference;
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
