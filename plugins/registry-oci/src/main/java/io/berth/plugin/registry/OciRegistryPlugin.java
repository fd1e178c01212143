package io.berth.plugin.registry;

import org.pf4j.Extension;
import org.pf4j.Plugin;

/**
 * The {@code registry-oci} plugin. This file is the plugin's only tie to PF4J: it declares the
 * plugin class named by {@code Plugin-Class} and registers the extensions. The implementation,
 * {@link OciRegistry}, knows nothing of how it is registered.
 */
public class OciRegistryPlugin extends Plugin {

    /** PF4J creates the plugin with this constructor. */
    public OciRegistryPlugin() {
    }

    /** Registers {@link OciRegistry} as an {@link io.berth.spi.ImageRegistry} extension. */
    @Extension
    public static final class Registry extends OciRegistry {
        /** PF4J creates the extension with this constructor. */
        public Registry() {
        }
    }
}
