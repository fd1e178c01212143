package io.berth.plugin.netavark;

import io.berth.spi.NetworkDriver;
import io.berth.spi.tck.PluginJarContract;

/** Loads the built {@code network-netavark.jar} from the dist plugins directory with a real PF4J plugin manager. */
class NetavarkPluginJarIT extends PluginJarContract {
    NetavarkPluginJarIT() {
        super(NetworkDriver.class);
    }
}
