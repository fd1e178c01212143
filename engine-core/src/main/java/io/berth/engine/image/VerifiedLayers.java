package io.berth.engine.image;

import io.berth.spi.Digests;
import io.berth.spi.io.InspectingInputStream;
import io.berth.spi.StorageDriver;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.function.Function;

/**
 * Applies a layer so that it becomes visible under its chain id only once its uncompressed bytes
 * hash to the diff id the image's config names. The storage driver reads the tar to its end before
 * it commits the layer ({@link StorageDriver#applyLayer}); the stream it reads checks the digest at
 * that end and fails the read on a mismatch, so the driver gives up before anything is visible.
 * Used by pull and load.
 */
final class VerifiedLayers {
    private VerifiedLayers() {}

    /**
     * @param onMismatch the error for a mismatch, given the digest the bytes actually have
     * @throws ImageException from {@code onMismatch} when the bytes do not match {@code diffId}
     */
    static LayerInfo apply(StorageDriver storage, String chainId, String parentChainId, InputStream uncompressedTar,
                           String diffId, Function<String, ImageException> onMismatch) throws IOException {
        DiffIdCheck tar = new DiffIdCheck(uncompressedTar, diffId);
        LayerInfo info;
        try {
            info = storage.applyLayer(chainId, parentChainId, tar);
        } catch (StorageException e) {
            if (tar.mismatch != null) {
                throw onMismatch.apply(tar.mismatch); // the driver stopped at the failed read: nothing was committed
            }
            throw e;
        }
        try {
            tar.transferTo(OutputStream.nullOutputStream());
        } catch (DiffIdMismatch e) {
            // a driver that committed before reading to the end breaks its contract; take the layer back
            storage.removeLayer(chainId);
            throw onMismatch.apply(e.actual);
        }
        return info;
    }

    /** The read that reaches the end of a layer whose bytes do not hash to its diff id. */
    static final class DiffIdMismatch extends IOException {
        final String actual;

        DiffIdMismatch(String expected, String actual) {
            super("the layer's uncompressed bytes hash to " + actual + ", its config says " + expected);
            this.actual = actual;
        }
    }

    /** Hashes what passes through; at the end of the stream, fails the read unless the digest is the expected one. */
    static final class DiffIdCheck extends InspectingInputStream {
        private final MessageDigest sha256 = Digests.newSha256();
        private final String expected;
        private String actual;
        String mismatch;

        DiffIdCheck(InputStream in, String expected) {
            super(in);
            this.expected = expected;
        }

        @Override
        protected int inspect(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                sha256.update(b, off, n);
                return n;
            }
            if (n < 0) {
                if (actual == null) {
                    actual = Digests.sha256(sha256);
                }
                if (!actual.equals(expected)) {
                    mismatch = actual;
                    throw new DiffIdMismatch(expected, actual);
                }
            }
            return n;
        }
    }
}
