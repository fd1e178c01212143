package io.berth.plugin.registry;

import io.berth.spi.ImageRegistry;
import io.berth.spi.PluginContext;
import io.berth.spi.tck.ImageRegistryContract;

/** Runs the registry conformance kit against {@link OciRegistry}. */
class OciRegistryContractTest extends ImageRegistryContract {
    @Override
    protected ImageRegistry newExtension(PluginContext ctx) {
        return new OciRegistry();
    }
}
