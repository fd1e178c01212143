package io.berth.plugin.runc;

import org.pf4j.Extension;
import org.pf4j.Plugin;

/**
 * The {@code runtime-runc} plugin. This file is the plugin's only tie to PF4J: it declares the
 * plugin class named by {@code Plugin-Class} and registers the extensions. The implementation,
 * {@link RuncRuntime}, knows nothing of how it is registered.
 */
public class RuncPlugin extends Plugin {

    /** PF4J creates the plugin with this constructor. */
    public RuncPlugin() {
    }

    /** Registers {@link RuncRuntime} as a {@link io.berth.spi.ContainerRuntime} extension. */
    @Extension
    public static final class Runtime extends RuncRuntime {
        /** PF4J creates the extension with this constructor. */
        public Runtime() {
        }
    }
}
