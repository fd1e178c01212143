package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerSpec;
import io.berth.spi.runtime.ContainerState;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.tck.ContainerLeaks;
import io.berth.spi.tck.TestBundles;
import io.berth.spi.tck.TestPluginContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The daemon is killed with SIGKILL while its container runs: another JVM creates and starts the
 * container and is then killed; this JVM, a "restarted daemon" with the same data directory, must
 * find the container running, and later read its true exit code from conmon's exit file.
 */
class DaemonKilledTest {

    @TempDir
    Path dir;

    @Test
    void givenADaemonKilledWithSigkillWhileItsContainerRuns_whenANewDaemonStarts_thenTheContainerStillRunsAndItsExitCodeIsRead()
            throws Exception {
        TestPluginContext context = TestPluginContext.in(dir, RuncRuntime.PLUGIN_ID, Map.of());
        String id = "tck-killed-" + ProcessHandle.current().pid();
        ContainerSpec spec = TestBundles.busybox(dir.resolve("containers"), id)
                .args("sh", "-c", "while [ ! -e /go ]; do sleep 0.05; done; exit 42").build();
        Path config = Files.write(dir.resolve("config.json"), spec.configJson());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process daemon = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                StartThenHang.class.getName(), context.rootDirectory().toString(), context.dataDirectory().toString(), id,
                spec.bundle().toString(), spec.rootfs().toString(), config.toString(), spec.logPath().toString(),
                spec.exitDirectory().toString()).redirectErrorStream(true).start();
        RuncRuntime restarted = new RuncRuntime();
        restarted.initialize(context);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder said = new StringBuilder();
            for (String line = out.readLine(); line != null && !line.equals("started"); line = out.readLine()) {
                said.append(line).append('\n');
            }
            assertTrue(daemon.isAlive(), "the first daemon did not start the container:\n" + said);
            daemon.destroyForcibly();
            assertTrue(daemon.waitFor(10, TimeUnit.SECONDS), "the first daemon did not die");
            assertEquals(137, daemon.exitValue(), "killed with SIGKILL");

            assertTrue(restarted.list().contains(id), "the new daemon lists the container");
            assertEquals(ContainerState.Status.RUNNING, restarted.state(id).orElseThrow().status(), "still running after the kill");
            assertEquals(Optional.empty(), restarted.exitStatus(id));
            assertFalse(ContainerLeaks.processes(id).isEmpty(), "conmon survived the daemon");

            Files.writeString(spec.rootfs().resolve("go"), "");
            ExitStatus exit = awaitExit(restarted, id);
            assertEquals(42, exit.code(), exit.toString());
            assertEquals(0, exit.signal(), exit.toString());
            assertEquals("42", Files.readString(spec.exitFile()).strip(), "the exit file the engine asked for");

            restarted.delete(id, false);
            assertEquals(List.of(), ContainerLeaks.cgroups(id), "cgroups after delete");
            assertEquals(List.of(), ContainerLeaks.files(context.dataDirectory(), id), "files after delete");
        } finally {
            daemon.destroyForcibly();
            try {
                restarted.delete(id, true);
            } finally {
                ContainerLeaks.removeForcibly(id);
                ContainerLeaks.removeEmptyParents();
            }
        }
    }

    private static ExitStatus awaitExit(RuncRuntime runtime, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ExitStatus> exit = runtime.exitStatus(id);
            if (exit.isPresent()) {
                return exit.get();
            }
            Thread.sleep(10);
        }
        return fail("no exit status within 20 s");
    }
}
