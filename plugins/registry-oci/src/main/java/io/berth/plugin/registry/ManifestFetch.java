package io.berth.plugin.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.berth.spi.Digests;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;

/**
 * GET {@code /v2/<name>/manifests/<reference>}: one manifest or index, read under the 4 MiB limit
 * whatever {@code Content-Length} says, and checked against its digest — the one asked for when
 * fetched by digest, else the registry's {@code Docker-Content-Digest} — which berth always
 * computes itself.
 */
final class ManifestFetch {

    static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    /**
     * A fetched, verified document.
     *
     * @param descriptor its media type, digest and size
     * @param bytes      its exact bytes
     * @param root       its parsed JSON
     */
    record Fetched(Descriptor descriptor, byte[] bytes, JsonNode root) {
        boolean isIndex() {
            return MediaTypes.isIndex(descriptor.mediaType());
        }
    }

    private final RegistryTransport transport;

    ManifestFetch(RegistryTransport transport) {
        this.transport = transport;
    }

    /**
     * @param call           who asks; {@link Call#subject()} names the reference
     * @param repository     the repository
     * @param reference      a tag or a digest
     * @param expectedDigest the digest the bytes must have, or {@code null} when fetched by tag
     * @return the verified document
     * @throws RegistryException if it is missing, too large, not matching its digest, malformed
     *                           or of a media type berth does not read
     */
    Fetched fetch(Call call, String repository, String reference, String expectedDigest) throws RegistryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(call.endpoint().uri("/v2/" + repository + "/manifests/" + reference))
                .header("Accept", ACCEPT).GET();
        byte[] bytes;
        String contentType;
        String headerDigest;
        try (Reply reply = transport.send(call, request)) {
            if (!reply.ok()) {
                throw RegistryErrors.from(reply, call.registry(), call.subject());
            }
            contentType = reply.contentType();
            headerDigest = reply.header("Docker-Content-Digest").orElse(null);
            if (contentType.contains("html")) {
                throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                        "the registry answered with an HTML page (" + contentType + ") instead of a manifest: is this a registry?");
            }
            if (reply.contentLength().orElse(0) > Limits.DOCUMENT_LIMIT) {
                throw tooLarge(call, "announced " + reply.contentLength().getAsLong() + " bytes");
            }
            try (InputStream in = reply.body()) {
                bytes = Limits.readAtMost(in, Limits.DOCUMENT_LIMIT);
            } catch (IOException e) {
                throw new RegistryException(Reason.UNAVAILABLE, call.registry(), call.subject(),
                        "reading the manifest failed: " + e.getMessage(), e);
            }
            if (bytes == null) {
                throw tooLarge(call, "sent more");
            }
        }
        String digest = Digests.sha256(bytes);
        if (expectedDigest != null && !expectedDigest.equals(digest)) {
            throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                    "the manifest served for " + expectedDigest + " has the digest " + digest);
        }
        if (headerDigest != null && !headerDigest.isBlank() && !headerDigest.strip().equals(digest)) {
            throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                    "the registry says the manifest's digest is " + headerDigest.strip() + " but its bytes have the digest " + digest);
        }
        JsonNode root;
        try {
            root = Json.parseObject(bytes);
        } catch (JsonProcessingException e) {
            throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                    "the manifest is not valid JSON (" + Json.problem(e) + ")");
        }
        String mediaType = Documents.mediaType(root, contentType, call);
        return new Fetched(Descriptor.of(mediaType, digest, bytes.length), bytes, root);
    }

    private static RegistryException tooLarge(Call call, String detail) {
        return new RegistryException(Reason.TOO_LARGE, call.registry(), call.subject(),
                "the manifest is larger than berth's limit of " + Limits.human(Limits.DOCUMENT_LIMIT) + " (" + detail + ")");
    }
}
