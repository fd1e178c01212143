package io.berth.plugin.runc;

import io.berth.spi.ContainerRuntime;
import io.berth.spi.PluginContext;
import io.berth.spi.tck.ContainerRuntimeContract;

/** Runs the runtime conformance kit against {@link RuncRuntime}: real runc, conmon and cgroups. */
class RuncRuntimeContractTest extends ContainerRuntimeContract {
    @Override
    protected ContainerRuntime newExtension(PluginContext ctx) {
        return new RuncRuntime();
    }
}
