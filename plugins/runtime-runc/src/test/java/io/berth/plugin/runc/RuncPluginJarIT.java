package io.berth.plugin.runc;

import io.berth.spi.ContainerRuntime;
import io.berth.spi.tck.PluginJarContract;

/**
 * Loads the built {@code runtime-runc.jar} from the dist plugins directory with a real PF4J plugin
 * manager. An integration test (failsafe) because the jar exists only after the package phase;
 * loading {@code target/classes} in PF4J's development mode would not check the manifest, the
 * extension index in the jar, or what the jar leaves out.
 */
class RuncPluginJarIT extends PluginJarContract {
    RuncPluginJarIT() {
        super(ContainerRuntime.class);
    }
}
