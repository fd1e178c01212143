package io.berth.plugin.registry;

import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.net.http.HttpRequest;

/** GET {@code /v2/} with the credentials, answering the challenge: what {@code berth login} checks. */
final class LoginCheck {

    private final RegistryTransport transport;

    LoginCheck(RegistryTransport transport) {
        this.transport = transport;
    }

    /**
     * @param call who logs in, with no scope
     * @throws RegistryException {@code UNAUTHORIZED} if the credentials are refused
     */
    void check(Call call) throws RegistryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(call.endpoint().uri("/v2/")).GET();
        try (Reply reply = transport.send(call, request)) {
            if (reply.ok()) {
                return;
            }
            if (reply.status() == 404) {
                reply.close();
                throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                        call.endpoint().base() + "/v2/ answered 404: it does not serve the registry API");
            }
            throw RegistryErrors.from(reply, call.registry(), call.subject());
        }
    }
}
