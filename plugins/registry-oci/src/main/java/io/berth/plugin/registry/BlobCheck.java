package io.berth.plugin.registry;

import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.RegistryException;

import java.net.http.HttpRequest;

/** HEAD {@code /v2/<name>/blobs/<digest>}: whether a repository holds a blob. */
final class BlobCheck {

    private final RegistryTransport transport;

    BlobCheck(RegistryTransport transport) {
        this.transport = transport;
    }

    /**
     * @param call       who asks
     * @param repository the repository
     * @param blob       the blob
     * @return {@code true} on 200, {@code false} on 404
     * @throws RegistryException for any other answer
     */
    boolean exists(Call call, String repository, Descriptor blob) throws RegistryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(call.endpoint().uri("/v2/" + repository + "/blobs/" + blob.digest()))
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        try (Reply reply = transport.send(call, request)) {
            if (reply.ok()) {
                return true;
            }
            if (reply.status() == 404) {
                return false;
            }
            throw RegistryErrors.from(reply, call.registry(), call.subject());
        }
    }
}
