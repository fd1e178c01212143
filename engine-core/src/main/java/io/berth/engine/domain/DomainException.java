package io.berth.engine.domain;

/**
 * A refusal or failure of a slice's own rules (a container, an image, a build, a network, a volume), said in the
 * domain's words; the API turns its {@link Kind} into an HTTP status in one place ({@code ApiHandler}), so no
 * slice needs to know HTTP. Each slice has its own subclass.
 */
public abstract class DomainException extends RuntimeException {
    /** What kind of refusal, which is all the API needs to choose a status. */
    public enum Kind {
        /** The object named does not exist (404). */
        NOT_FOUND,
        /** The object exists but its state forbids the request (409), e.g. removing a running container. */
        CONFLICT,
        /** The request is never allowed on this object (403), e.g. removing the pre-defined network {@code bridge}. */
        FORBIDDEN,
        /** The request itself is malformed or names something invalid (400). */
        INVALID,
        /** Another system berth relies on failed (500), e.g. a registry or the runtime. */
        UPSTREAM,
        /** berth itself failed (500). */
        INTERNAL,
        /** What is asked is not implemented on this host or by this plugin (501), e.g. statistics without cgroups. */
        NOT_SUPPORTED
    }

    private final Kind kind;

    /**
     * @param kind    what kind of refusal
     * @param message one line in the domain's words
     * @param cause   the failure underneath, or {@code null} for a refusal of the slice's own
     */
    protected DomainException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
