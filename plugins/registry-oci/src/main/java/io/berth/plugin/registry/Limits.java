package io.berth.plugin.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** The size limits berth puts on documents, and reading a stream under a limit. */
final class Limits {

    /** Manifests, indexes and image configs larger than this are refused: 4 MiB, as containerd. */
    static final int DOCUMENT_LIMIT = 4 * 1024 * 1024;

    private Limits() {
    }

    /**
     * Reads a whole stream unless it is longer than a limit. Never reads more than
     * {@code limit + 1} bytes, whatever the sender announced.
     *
     * @param in    the stream; not closed
     * @param limit the most bytes accepted
     * @return the bytes, or {@code null} if the stream holds more than {@code limit} bytes
     * @throws IOException if reading fails
     */
    static byte[] readAtMost(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 64 * 1024));
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > limit) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * @param bytes a size
     * @return the size for people, for example {@code 4 MiB} or {@code 1234 bytes}
     */
    static String human(long bytes) {
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MiB";
        }
        return bytes + " bytes";
    }
}
