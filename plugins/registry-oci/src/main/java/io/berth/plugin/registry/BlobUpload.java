package io.berth.plugin.registry;

import io.berth.spi.registry.BlobSource;
import io.berth.spi.io.InspectingInputStream;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/**
 * Uploads a blob as the distribution spec describes: POST {@code /v2/<name>/blobs/uploads/} opens
 * a session at a {@code Location}; then either one PUT {@code ?digest=} with the whole body
 * (monolithic, up to the chunk size) or PATCHes of one chunk each with {@code Content-Range},
 * each answering the next location, closed by an empty PUT {@code ?digest=} (chunked).
 *
 * @param transport the registry connection with its authentication
 * @param chunkSize the largest body sent in one request; a larger blob goes in PATCHes of this size
 */
record BlobUpload(RegistryTransport transport, long chunkSize) {
    /**
     * Opens an upload session.
     *
     * @param call       who pushes
     * @param repository the repository
     * @return the session's location
     * @throws RegistryException if the registry refuses
     */
    URI start(Call call, String repository) throws RegistryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(call.endpoint().uri("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody());
        try (Reply reply = transport.send(call, request)) {
            if (reply.status() != 202) {
                throw reply.ok() ? unexpected(call, reply, "opening an upload") : RegistryErrors.from(reply, call.registry(), call.subject());
            }
            return location(call, reply);
        }
    }

    /**
     * Uploads the blob into an open session and completes it.
     *
     * @param call     who pushes
     * @param location the session
     * @param blob     what the content must match
     * @param content  the bytes
     * @throws RegistryException if the upload fails or the registry rejects the digest
     */
    void upload(Call call, URI location, Descriptor blob, BlobSource content) throws RegistryException {
        if (blob.size() > chunkSize) {
            location = patchChunks(call, location, blob, content);
            complete(call, location, blob, HttpRequest.BodyPublishers.noBody());
        } else {
            HttpRequest.BodyPublisher body = blob.size() == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
                        try {
                            return new Exact(content.open(), blob);
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot open the content of " + blob.digest(), e);
                        }
                    }), blob.size());
            complete(call, location, blob, body);
        }
    }

    private URI patchChunks(Call call, URI location, Descriptor blob, BlobSource content) throws RegistryException {
        byte[] buffer = new byte[(int) Math.min(chunkSize, blob.size())];
        long offset = 0;
        try (InputStream in = new Exact(content.open(), blob)) {
            while (offset < blob.size()) {
                int n = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, blob.size() - offset));
                long last = offset + n - 1;
                HttpRequest.Builder request = HttpRequest.newBuilder(location)
                        .header("Content-Type", "application/octet-stream")
                        .header("Content-Range", offset + "-" + last)
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(buffer.clone(), 0, n));
                try (Reply reply = transport.send(call, request)) {
                    if (reply.status() != 202) {
                        throw reply.ok() ? unexpected(call, reply, "uploading a chunk") : RegistryErrors.from(reply, call.registry(), call.subject());
                    }
                    String range = reply.header("Range").orElse(null);
                    if (range != null && !range.strip().equals("0-" + last) && !range.strip().equals("bytes=0-" + last)) {
                        throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                                "after uploading bytes up to " + last + " the registry reports having " + range);
                    }
                    location = location(call, reply);
                }
                offset += n;
            }
            if (in.read() >= 0) {
                throw new IOException("unreachable: Exact refuses extra bytes");
            }
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(), e.getMessage(), e);
        }
        return location;
    }

    private void complete(Call call, URI location, Descriptor blob, HttpRequest.BodyPublisher body) throws RegistryException {
        String sep = location.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(location + sep + "digest=" + URLEncoder.encode(blob.digest(), StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream").PUT(body);
        try (Reply reply = transport.send(call, request)) {
            if (reply.status() != 201 && reply.status() != 204) {
                throw reply.ok() ? unexpected(call, reply, "completing the upload") : RegistryErrors.from(reply, call.registry(), call.subject());
            }
            String digest = reply.header("Docker-Content-Digest").map(String::strip).orElse(blob.digest());
            if (!digest.equals(blob.digest())) {
                throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                        "the registry stored the upload as " + digest);
            }
        }
    }

    /**
     * @param call  for messages
     * @param reply an answer with a {@code Location}
     * @return the location, resolved against the answering URI
     * @throws RegistryException {@code PROTOCOL} without one
     */
    static URI location(Call call, Reply reply) throws RegistryException {
        String location = reply.header("Location").orElse(null);
        if (location == null || location.isBlank()) {
            throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                    "the registry answered HTTP " + reply.status() + " without the upload's Location");
        }
        try {
            return reply.uri().resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                    "the registry's upload Location \"" + location + "\" is not a URI");
        }
    }

    private static RegistryException unexpected(Call call, Reply reply, String step) {
        reply.close();
        return new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                step + ": unexpected HTTP " + reply.status());
    }

    /** The content, refusing to be longer or shorter than the descriptor's size. */
    private static final class Exact extends InspectingInputStream {
        private final Descriptor blob;
        private long count;

        Exact(InputStream in, Descriptor blob) {
            super(in);
            this.blob = blob;
        }

        @Override
        protected int inspect(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                if (count < blob.size()) {
                    throw new IOException("the content of " + blob.digest() + " has " + count + " bytes, not the descriptor's " + blob.size());
                }
                return -1;
            }
            count += n;
            if (count > blob.size()) {
                throw new IOException("the content of " + blob.digest() + " is longer than the descriptor's " + blob.size() + " bytes");
            }
            return n;
        }
    }
}
