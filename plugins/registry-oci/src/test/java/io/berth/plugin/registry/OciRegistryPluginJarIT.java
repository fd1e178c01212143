package io.berth.plugin.registry;

import io.berth.spi.ImageRegistry;
import io.berth.spi.tck.PluginJarContract;

/**
 * Loads the built {@code registry-oci.jar} from the dist plugins directory with a real PF4J plugin
 * manager. An integration test (failsafe) because the jar exists only after the package phase.
 */
class OciRegistryPluginJarIT extends PluginJarContract {
    OciRegistryPluginJarIT() {
        super(ImageRegistry.class);
    }
}
