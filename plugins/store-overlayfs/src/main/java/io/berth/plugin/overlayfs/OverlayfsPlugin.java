package io.berth.plugin.overlayfs;

import org.pf4j.Extension;
import org.pf4j.Plugin;

/**
 * The {@code store-overlayfs} plugin. This file is the plugin's only tie to PF4J: it declares the
 * plugin class named by {@code Plugin-Class} and registers the extensions. The implementation,
 * {@link OverlayfsDriver}, knows nothing of how it is registered.
 */
public class OverlayfsPlugin extends Plugin {

    /** PF4J creates the plugin with this constructor. */
    public OverlayfsPlugin() {
    }

    /** Registers {@link OverlayfsDriver} as a {@link io.berth.spi.StorageDriver} extension. */
    @Extension
    public static final class Driver extends OverlayfsDriver {
        /** PF4J creates the extension with this constructor. */
        public Driver() {
        }
    }
}
