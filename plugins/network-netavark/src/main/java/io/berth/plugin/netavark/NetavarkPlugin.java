package io.berth.plugin.netavark;

import org.pf4j.Extension;
import org.pf4j.Plugin;

/**
 * The {@code network-netavark} plugin. This file is the plugin's only tie to PF4J: it declares the
 * plugin class named by {@code Plugin-Class} and registers the extension. The implementation,
 * {@link NetavarkDriver}, knows nothing of how it is registered.
 */
public class NetavarkPlugin extends Plugin {

    /** PF4J creates the plugin with this constructor. */
    public NetavarkPlugin() {
    }

    /** Registers {@link NetavarkDriver} as a {@link io.berth.spi.NetworkDriver} extension. */
    @Extension
    public static final class Driver extends NetavarkDriver {
        /** PF4J creates the extension with this constructor. */
        public Driver() {
        }
    }
}
