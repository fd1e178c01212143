package io.berth.engine.build;

import io.berth.engine.content.ContentStore;
import io.berth.spi.Digests;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * A build's output as it is kept for {@code berth build logs}: appended to a file in the build's
 * directory while the build runs (never held in memory), at most {@link #MAX_KEPT} bytes of it, then
 * stored as one blob. Output beyond the cap still reaches the client; the kept log says where it was cut.
 */
final class BuildLog {
    /** The most output kept per build. */
    static final long MAX_KEPT = 64L << 20;

    private final Path file;
    private final long maxKept;
    private final MessageDigest sha256 = Digests.newSha256();
    private OutputStream out;
    private long size;
    private boolean cut;

    BuildLog(Path file) {
        this(file, MAX_KEPT);
    }

    BuildLog(Path file, long maxKept) {
        this.file = file;
        this.maxKept = maxKept;
    }

    /** Appends text; past the cap only a one-time note is kept. */
    synchronized void append(String text) throws IOException {
        if (cut) {
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (size + bytes.length > maxKept) {
            write(("\n[berth: the build's output beyond " + maxKept + " bytes was not kept]\n").getBytes(StandardCharsets.UTF_8));
            cut = true;
            return;
        }
        write(bytes);
    }

    private void write(byte[] bytes) throws IOException {
        if (out == null) {
            Files.createDirectories(file.getParent());
            out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), sha256);
        }
        out.write(bytes);
        size += bytes.length;
    }

    /** Closes the file and stores it as a blob; returns its digest. */
    synchronized String store(ContentStore content) throws IOException {
        if (out == null) {
            write(new byte[0]);
        }
        out.close();
        String digest = Digests.sha256(sha256);
        try (ContentStore.Ingest ingest = content.ingest(digest, size); InputStream in = Files.newInputStream(file)) {
            if (!ingest.alreadyStored()) {
                if (ingest.offset() > 0) {
                    ingest.restart();
                }
                ingest.writeAll(in);
                ingest.commit();
            }
        }
        return digest;
    }
}
