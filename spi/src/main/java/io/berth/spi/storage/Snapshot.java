package io.berth.spi.storage;

import io.berth.spi.Digests;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * An active snapshot: a writable layer over a parent chain, named by the engine's key.
 *
 * @param key           the engine's name for it (a container id, a build step id)
 * @param parentChainId the chain id it sits on; {@code null} for an empty root
 * @param rootfs        where its merged tree appears when mounted; the engine writes this path
 *                      into the container's {@code config.json}. Fixed for the snapshot's life.
 * @param mounted       whether it is mounted now
 * @param details       driver-specific facts for {@code inspect}, shaped like Docker's
 *                      {@code GraphDriver.Data} (for overlayfs: {@code LowerDir},
 *                      {@code UpperDir}, {@code WorkDir}, {@code MergedDir}); may be empty
 */
public record Snapshot(String key, String parentChainId, Path rootfs, boolean mounted, Map<String, String> details) {

    /** Validates the key and chain id, and copies the details. */
    public Snapshot {
        Keys.requireValid(key);
        if (parentChainId != null) {
            Digests.requireSha256(parentChainId, "parent chain id");
        }
        Objects.requireNonNull(rootfs, "rootfs");
        details = Map.copyOf(details);
    }
}
