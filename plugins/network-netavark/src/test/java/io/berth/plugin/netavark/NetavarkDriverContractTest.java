package io.berth.plugin.netavark;

import io.berth.spi.NetworkDriver;
import io.berth.spi.PluginContext;
import io.berth.spi.tck.NetworkDriverContract;

/** Runs the network conformance kit against {@link NetavarkDriver}: real netavark, aardvark-dns and iptables. */
class NetavarkDriverContractTest extends NetworkDriverContract {
    @Override
    protected NetworkDriver newExtension(PluginContext ctx) {
        return new NetavarkDriver();
    }

    @Override
    protected String pluginId() {
        return "network-netavark";
    }
}
