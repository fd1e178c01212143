package io.berth.plugin.registry;

import io.berth.spi.Digests;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.net.http.HttpRequest;

/**
 * PUT {@code /v2/<name>/manifests/<tag or digest>}: uploads a manifest or index and checks that
 * the registry stored it under the digest of its bytes.
 */
final class ManifestPush {

    private final RegistryTransport transport;

    ManifestPush(RegistryTransport transport) {
        this.transport = transport;
    }

    /**
     * @param call      who pushes
     * @param target    by tag if it has one, else by digest
     * @param mediaType sent as {@code Content-Type}
     * @param manifest  the exact bytes
     * @return the pushed document's descriptor
     * @throws RegistryException if refused, too large, or stored under another digest
     */
    Descriptor push(Call call, ImageReference target, String mediaType, byte[] manifest) throws RegistryException {
        if (manifest.length > Limits.DOCUMENT_LIMIT) {
            throw new RegistryException(Reason.TOO_LARGE, call.registry(), call.subject(),
                    "the manifest has " + manifest.length + " bytes, more than the limit of " + Limits.human(Limits.DOCUMENT_LIMIT));
        }
        String digest = Digests.sha256(manifest);
        if (target.digest() != null && !target.digest().equals(digest)) {
            throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                    "the manifest's bytes have the digest " + digest + ", not " + target.digest());
        }
        String reference = target.tag() != null ? target.tag() : digest;
        HttpRequest.Builder request = HttpRequest.newBuilder(call.endpoint().uri("/v2/" + target.repository() + "/manifests/" + reference))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest));
        try (Reply reply = transport.send(call, request)) {
            if (!reply.ok()) {
                throw RegistryErrors.from(reply, call.registry(), call.subject());
            }
            String stored = reply.header("Docker-Content-Digest").map(String::strip).orElse(digest);
            if (!stored.equals(digest)) {
                throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                        "the registry stored the manifest as " + stored + " but its bytes have the digest " + digest);
            }
        }
        return Descriptor.of(mediaType, digest, manifest.length);
    }
}
