package io.berth.plugin.registry;

import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.RegistryException;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * POST {@code /v2/<name>/blobs/uploads/?mount=<digest>&from=<repository>}: a cross-repository
 * mount. 201 means mounted; 202 means the registry declined and opened an upload session instead,
 * whose location is handed back so the upload can use it.
 */
final class BlobMount {

    /**
     * What the registry did.
     *
     * @param mounted whether the blob is now in the repository
     * @param session the upload session opened instead, when not mounted
     */
    record Result(boolean mounted, Optional<URI> session) {
    }

    private final RegistryTransport transport;

    BlobMount(RegistryTransport transport) {
        this.transport = transport;
    }

    /**
     * @param call       who pushes; its scope covers both repositories
     * @param repository where the blob is wanted
     * @param blob       the blob
     * @param from       where it is
     * @return what happened
     * @throws RegistryException on any other answer
     */
    Result mount(Call call, String repository, Descriptor blob, String from) throws RegistryException {
        URI uri = call.endpoint().uri("/v2/" + repository + "/blobs/uploads/?mount="
                + URLEncoder.encode(blob.digest(), StandardCharsets.UTF_8) + "&from=" + URLEncoder.encode(from, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody());
        try (Reply reply = transport.send(call, request)) {
            if (reply.status() == 201) {
                return new Result(true, Optional.empty());
            }
            if (reply.status() == 202) {
                return new Result(false, Optional.of(BlobUpload.location(call, reply)));
            }
            throw RegistryErrors.from(reply, call.registry(), call.subject());
        }
    }
}
