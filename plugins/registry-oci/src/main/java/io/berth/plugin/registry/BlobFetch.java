package io.berth.plugin.registry;

import io.berth.spi.Digests;
import io.berth.spi.io.InspectingInputStream;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GET {@code /v2/<name>/blobs/<digest>}, from a byte offset: with {@code Range: bytes=offset-};
 * a 206 must start at that offset; a registry that ignores the range (200) has the first bytes
 * skipped here. The stream never yields more than the descriptor's size and fails if the blob
 * ends early. Redirects to a storage backend are followed without the registry's credentials.
 */
final class BlobFetch {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final RegistryTransport transport;

    BlobFetch(RegistryTransport transport) {
        this.transport = transport;
    }

    /**
     * @param call       who asks
     * @param repository the repository
     * @param blob       the blob
     * @param offset     the first byte wanted
     * @return the blob's bytes from {@code offset}, bounded by its size
     * @throws RegistryException if it cannot be fetched
     */
    InputStream open(Call call, String repository, Descriptor blob, long offset) throws RegistryException {
        if (offset < 0 || offset > blob.size()) {
            throw new IllegalArgumentException("offset " + offset + " is outside blob " + blob.digest() + " of " + blob.size() + " bytes");
        }
        if (offset == blob.size() && offset > 0) {
            return InputStream.nullInputStream();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(call.endpoint().uri("/v2/" + repository + "/blobs/" + blob.digest())).GET();
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
        }
        Reply reply = transport.send(call, request);
        if (!reply.ok()) {
            throw RegistryErrors.from(reply, call.registry(), call.subject());
        }
        InputStream body = reply.body();
        try {
            if (offset > 0 && reply.status() == 206) {
                String range = reply.header("Content-Range").orElse("");
                Matcher m = CONTENT_RANGE.matcher(range);
                if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                    reply.close();
                    throw new RegistryException(Reason.PROTOCOL, call.registry(), call.subject(),
                            "asked for bytes from " + offset + " but the registry sent the range \"" + range + "\"");
                }
            } else if (offset > 0) {
                body.skipNBytes(offset);
            }
        } catch (IOException e) {
            reply.close();
            throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                    "the blob ended before byte " + offset + " (" + e.getMessage() + ")", e);
        }
        return new Bounded(body, blob.size() - offset, call, blob.size());
    }

    /**
     * Reads a small blob (an image config) whole, under a limit, and checks its size and digest.
     *
     * @param call       who asks
     * @param repository the repository
     * @param blob       the blob
     * @param limit      the most bytes accepted
     * @param what       what the blob is, for messages (for example {@code config})
     * @return the verified bytes
     * @throws RegistryException if it is too large, cannot be fetched or does not match
     */
    byte[] readVerified(Call call, String repository, Descriptor blob, int limit, String what) throws RegistryException {
        if (blob.size() > limit) {
            throw new RegistryException(Reason.TOO_LARGE, call.registry(), call.subject(),
                    "the " + what + " " + blob.digest() + " has " + blob.size() + " bytes, more than berth's limit of " + Limits.human(limit));
        }
        byte[] bytes;
        try (InputStream in = open(call, repository, blob, 0)) {
            bytes = Limits.readAtMost(in, limit);
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException(Reason.UNAVAILABLE, call.registry(), call.subject(),
                    "reading the " + what + " " + blob.digest() + " failed: " + e.getMessage(), e);
        }
        String digest = Digests.sha256(bytes);
        if (!digest.equals(blob.digest())) {
            throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                    "the " + what + " served for " + blob.digest() + " has the digest " + digest);
        }
        return bytes;
    }

    /** A blob's stream that yields exactly the expected number of bytes, or fails. */
    private static final class Bounded extends InspectingInputStream {
        private long remaining;
        private final Call call;
        private final long size;

        Bounded(InputStream in, long remaining, Call call, long size) {
            super(in);
            this.remaining = remaining;
            this.call = call;
            this.size = size;
        }

        @Override
        protected int inspect(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                if (in.read() >= 0) {
                    throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                            "the registry sent more than the blob's " + size + " bytes");
                }
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new RegistryException(Reason.DIGEST_MISMATCH, call.registry(), call.subject(),
                        "the blob ended " + remaining + " bytes short of its size " + size);
            }
            remaining -= n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(super.available(), remaining);
        }
    }
}
