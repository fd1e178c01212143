package io.berth.engine.container;

import io.berth.engine.domain.DomainException;

/**
 * A container or volume operation was refused or failed; the message is one line naming the container (or
 * volume, exec, path) and the problem, in the words Docker's clients expect. The API turns the {@link Kind}
 * into the HTTP status, so the slice never speaks HTTP.
 */
public final class ContainerException extends DomainException {
    private ContainerException(Kind kind, String message) {
        super(kind, message, null);
    }

    /** No such container, exec, image or volume by that name. */
    public static ContainerException notFound(String message) {
        return new ContainerException(Kind.NOT_FOUND, message);
    }

    /** The container's state forbids the request (e.g. it runs, or it is not running). */
    public static ContainerException conflict(String message) {
        return new ContainerException(Kind.CONFLICT, message);
    }

    /** The request is malformed: a bad option, name, signal, path or configuration. */
    public static ContainerException invalid(String message) {
        return new ContainerException(Kind.INVALID, message);
    }

    /** The runtime, the storage driver or berth itself failed. */
    public static ContainerException internal(String message) {
        return new ContainerException(Kind.INTERNAL, message);
    }

    /** The runtime plugin cannot do this at all on this host (e.g. statistics without cgroups). */
    public static ContainerException notSupported(String message) {
        return new ContainerException(Kind.NOT_SUPPORTED, message);
    }

    /** Of {@code kind}, for a refusal whose kind is decided at run time (e.g. from a runtime's reason). */
    public static ContainerException of(Kind kind, String message) {
        return new ContainerException(kind, message);
    }
}
