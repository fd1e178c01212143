package io.berth.spi.storage;

import io.berth.spi.Digests;

/**
 * A committed layer, as the storage driver holds it.
 *
 * @param chainId       the layer's chain id
 * @param parentChainId the chain id of the layer below; {@code null} for a bottom layer
 * @param size          bytes of file content the layer itself holds on disk (not its parents')
 */
public record LayerInfo(String chainId, String parentChainId, long size) {

    /** Validates the chain ids and the size. */
    public LayerInfo {
        Digests.requireSha256(chainId, "chain id");
        if (parentChainId != null) {
            Digests.requireSha256(parentChainId, "parent chain id");
        }
        if (size < 0) {
            throw new IllegalArgumentException("layer " + chainId + ": size " + size + " is negative");
        }
    }

    /** @return whether this is a bottom layer, with no parent */
    public boolean isBottom() {
        return parentChainId == null;
    }
}
