package io.berth.engine.network;

import io.berth.engine.domain.DomainException;
import io.berth.spi.network.NetworkException;

/**
 * A network operation was refused or failed (a name taken, a pre-defined network, a malformed port, the network
 * driver's refusal); the message is one line naming the network, container or port and the problem. Not the
 * driver SPI's {@link io.berth.spi.network.NetworkException}, which it translates.
 */
public class NetworkDomainException extends DomainException {
    public NetworkDomainException(Kind kind, String message) {
        super(kind, message, null);
    }

    /** A malformed request (400). */
    static NetworkDomainException invalid(String message) {
        return new NetworkDomainException(Kind.INVALID, message);
    }

    /** A network, container or plugin that does not exist (404). */
    static NetworkDomainException notFound(String message) {
        return new NetworkDomainException(Kind.NOT_FOUND, message);
    }

    /** The driver's refusal, in the slice's kinds. */
    static NetworkDomainException of(NetworkException e) {
        Kind kind = switch (e.reason()) {
            case INVALID -> Kind.INVALID;
            case NOT_FOUND -> Kind.NOT_FOUND;
            case CONFLICT, IN_USE -> Kind.CONFLICT;
            case PORT_IN_USE, NOT_USABLE, FAILED -> Kind.UPSTREAM;
        };
        return new NetworkDomainException(kind, e.getMessage());
    }
}
