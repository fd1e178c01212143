package io.berth.spi.storage;

import io.berth.spi.Digests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes chain ids from diff ids, as the OCI image spec (config.md, "Layer ChainID") defines
 * them: {@code ChainID(L0) = DiffID(L0)} and
 * {@code ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))}.
 */
public final class ChainIds {

    private ChainIds() {
    }

    /**
     * The chain id of a layer on top of a parent chain.
     *
     * @param parentChainId the chain id below, or {@code null} for a bottom layer
     * @param diffId        the layer's diff id
     * @return the layer's chain id
     */
    public static String next(String parentChainId, String diffId) {
        Digests.requireSha256(diffId, "diff id");
        if (parentChainId == null) {
            return diffId;
        }
        Digests.requireSha256(parentChainId, "parent chain id");
        return Digests.sha256((parentChainId + " " + diffId).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The chain ids of an image's layers, bottom first.
     *
     * @param diffIds the image config's {@code rootfs.diff_ids}, bottom first
     * @return one chain id per diff id, bottom first
     */
    public static List<String> of(List<String> diffIds) {
        List<String> chain = new ArrayList<>(diffIds.size());
        String parent = null;
        for (String diffId : diffIds) {
            parent = next(parent, diffId);
            chain.add(parent);
        }
        return List.copyOf(chain);
    }
}
