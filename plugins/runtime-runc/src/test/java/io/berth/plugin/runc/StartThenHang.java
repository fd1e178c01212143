package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerSpec;
import io.berth.spi.tck.TestPluginContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A stand-in for a daemon, run in its own JVM by {@link DaemonKilledTest}: creates and starts one
 * container with the runtime, says {@code started}, then waits to be killed.
 *
 * <p>Arguments: root, data directory, id, bundle, rootfs, config file, log path, exit directory.
 */
public final class StartThenHang {

    private StartThenHang() {
    }

    public static void main(String[] args) throws Exception {
        TestPluginContext context = new TestPluginContext(Path.of(args[0]), Path.of(args[1]), Map.of(),
                System.getLogger("berth.plugin.runtime-runc"), TestPluginContext.ENGINE_VERSION);
        RuncRuntime runtime = new RuncRuntime();
        runtime.initialize(context);
        ContainerSpec spec = new ContainerSpec(args[2], Path.of(args[3]), Path.of(args[4]), Files.readAllBytes(Path.of(args[5])),
                Path.of(args[6]), Path.of(args[7]), false, false);
        runtime.create(spec);
        runtime.start(spec.id());
        System.out.println("started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
