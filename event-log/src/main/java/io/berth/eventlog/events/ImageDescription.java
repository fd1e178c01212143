package io.berth.eventlog.events;

import java.util.List;

/**
 * What berth knows of an image's content, recorded when the image arrives (pull, load, build):
 * enough to list, inspect, push and save it; the blobs themselves are in the content store.
 *
 * @param imageId           the image id: digest of its config blob
 * @param manifestDigest    digest of its manifest blob
 * @param manifestMediaType media type of the manifest (OCI or Docker schema 2)
 * @param configMediaType   media type of the config blob
 * @param layers            its layers, bottom first
 * @param os                the config's {@code os}
 * @param architecture      the config's {@code architecture}
 * @param variant           the config's {@code variant}, empty when none
 * @param created           the config's {@code created}, as written there (RFC 3339), empty when absent
 * @param size              total size of the uncompressed layers, bytes
 */
public record ImageDescription(String imageId, String manifestDigest, String manifestMediaType, String configMediaType,
                               List<ImageLayer> layers, String os, String architecture, String variant, String created,
                               long size) {
    public ImageDescription {
        layers = List.copyOf(layers);
    }
}
