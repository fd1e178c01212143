package io.berth.plugin.overlayfs;

import io.berth.spi.PluginContext;
import io.berth.spi.StorageDriver;
import io.berth.spi.tck.StorageDriverContract;

/** Runs the storage driver conformance kit against {@link OverlayfsDriver}. */
class OverlayfsDriverContractTest extends StorageDriverContract {
    @Override
    protected StorageDriver newExtension(PluginContext ctx) {
        return new OverlayfsDriver();
    }
}
