package io.berth.engine.image;

import com.github.luben.zstd.ZstdInputStream;
import io.berth.spi.registry.MediaTypes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Opens a layer blob as an uncompressed tar stream, by its media type (gzip, zstd or plain). */
public final class LayerCompression {
    private static final int BUFFER = 1 << 16;

    private LayerCompression() {}

    /**
     * @throws IOException for a media type berth cannot unpack (named in the message)
     */
    public static InputStream uncompressed(String mediaType, InputStream blob) throws IOException {
        String type = mediaType == null ? "" : mediaType;
        if (type.endsWith("+zstd") || type.endsWith(".zstd")) {
            return new BufferedInputStream(new ZstdInputStream(new BufferedInputStream(blob, BUFFER)), BUFFER);
        }
        if (type.endsWith("+gzip") || type.endsWith(".gzip") || type.equals(MediaTypes.DOCKER_LAYER_GZIP)
                || type.equals(MediaTypes.DOCKER_FOREIGN_LAYER_GZIP)) {
            return new BufferedInputStream(new GZIPInputStream(blob, BUFFER), BUFFER);
        }
        if (type.equals(MediaTypes.OCI_LAYER_TAR) || type.equals("application/vnd.docker.image.rootfs.diff.tar")) {
            return new BufferedInputStream(blob, BUFFER);
        }
        if (type.isEmpty()) {
            return sniff(blob);
        }
        throw new IOException("unsupported layer media type " + mediaType);
    }

    /** Docker archives name no media type: tell gzip and zstd by their magic bytes. */
    private static InputStream sniff(InputStream blob) throws IOException {
        BufferedInputStream in = new BufferedInputStream(blob, BUFFER);
        in.mark(4);
        int b0 = in.read();
        int b1 = in.read();
        int b2 = in.read();
        int b3 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
        }
        if (b0 == 0x28 && b1 == 0xb5 && b2 == 0x2f && b3 == 0xfd) {
            return new BufferedInputStream(new ZstdInputStream(in), BUFFER);
        }
        return in;
    }
}
