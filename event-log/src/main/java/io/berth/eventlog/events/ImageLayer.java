package io.berth.eventlog.events;

/**
 * One layer of an image as events record it.
 *
 * @param digest    digest of the layer blob as stored and distributed (compressed)
 * @param mediaType the blob's media type (tells gzip, zstd or plain tar)
 * @param size      the blob's size in bytes
 * @param diffId    digest of the uncompressed tar (the image config's {@code rootfs.diff_ids} entry)
 * @param chainId   the OCI chain id of the layer stack up to and including this layer
 */
public record ImageLayer(String digest, String mediaType, long size, String diffId, String chainId) {}
