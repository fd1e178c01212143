package io.berth.spi;

import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.StorageException;

/**
 * Optional behaviour of a {@link StorageDriver}: turning an active snapshot into a committed layer
 * in place, without writing and unpacking a tar. The engine uses it between build steps when the
 * driver implements it ({@code driver instanceof CommittingStorageDriver}); otherwise it applies
 * the tar from {@link StorageDriver#diff}.
 */
public interface CommittingStorageDriver extends StorageDriver {

    /**
     * Makes a snapshot's contents a committed layer on the snapshot's parent chain and removes
     * the snapshot. The snapshot must not be mounted.
     *
     * @param key     the snapshot key
     * @param chainId the chain id of the new layer, computed by the engine from the parent chain
     *                id and the diff id of {@link StorageDriver#diff}'s tar
     * @return the committed layer
     * @throws StorageException {@link StorageException.Reason#NOT_FOUND} if there is no such
     *                          snapshot, {@link StorageException.Reason#IN_USE} if it is mounted,
     *                          {@link StorageException.Reason#ALREADY_EXISTS} if the chain id is
     *                          taken
     */
    LayerInfo commit(String key, String chainId) throws StorageException;
}
