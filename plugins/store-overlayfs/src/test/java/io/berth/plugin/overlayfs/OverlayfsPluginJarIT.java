package io.berth.plugin.overlayfs;

import io.berth.spi.StorageDriver;
import io.berth.spi.tck.PluginJarContract;

/**
 * Loads the built {@code store-overlayfs.jar} from the dist plugins directory with a real PF4J
 * plugin manager. An integration test (failsafe) because the jar exists only after the package
 * phase.
 */
class OverlayfsPluginJarIT extends PluginJarContract {
    OverlayfsPluginJarIT() {
        super(StorageDriver.class);
    }
}
