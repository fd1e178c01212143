package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.TestImages;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the daemon while a container runs: the container keeps running under conmon; the
 * restarted daemon still lists it as running, and when it ends records ContainerExited with the
 * exit code conmon wrote.
 */
class ContainerRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private LocalRegistry registry;
    private Path root;
    private Process daemon;

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (daemon != null && daemon.isAlive() && root != null) {
                for (JsonNode c : JSON.readTree(UnixHttp.get(root.resolve("berth.sock"), "/containers/json?all=1").body())) {
                    UnixHttp.send(root.resolve("berth.sock"), "DELETE", "/containers/" + c.get("Id").asText() + "?force=1", null);
                }
                daemon.destroy();
                daemon.waitFor();
            }
        } finally {
            if (daemon != null && daemon.isAlive()) {
                daemon.destroyForcibly().waitFor();
            }
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** conmon writes a container's exit code into the daemon's exits directory, named by the container id. */
    private static boolean exitFileWritten(Path root) throws java.io.IOException {
        try (var files = Files.list(root.resolve("containers").resolve("exits"))) {
            return files.findAny().isPresent();
        }
    }

    @Test
    void givenARunningContainerWhenTheDaemonIsKilledThenItKeepsRunningAndItsExitIsRecordedAfterTheRestart() throws Exception {
        registry = LocalRegistry.start();
        registry.push(TestImages.busybox(TestImages.Format.OCI), "restart/busybox", "1");
        root = Files.createTempDirectory("berth-restart-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        Path log = root.resolve("daemon.log");
        Path socket = root.resolve("berth.sock");
        daemon = TestDaemons.startChildDaemon(root, plugins, log);
        TestDaemons.awaitPing(socket, daemon, log);
        String image = registry.host() + "/restart/busybox";
        UnixHttp.post(socket, "/images/create?fromImage=" + URLEncoder.encode(image, StandardCharsets.UTF_8) + "&tag=1", "");
        Path gate = root.resolve("gate");
        Files.createDirectories(gate);
        String body = "{\"Image\":\"" + image + ":1\",\"Cmd\":[\"sh\",\"-c\",\"while [ ! -e /gate/go ]; do sleep 0.1; done; exit 42\"],"
                + "\"HostConfig\":{\"Binds\":[\"" + gate + ":/gate\"]}}";
        UnixHttp.Response created = UnixHttp.post(socket, "/containers/create?name=survivor", body);
        assertEquals(201, created.status(), created.body());
        assertEquals(204, UnixHttp.post(socket, "/containers/survivor/start", "").status());

        String quitter = "{\"Image\":\"" + image + ":1\",\"Cmd\":[\"sh\",\"-c\",\"while [ ! -e /gate/quit ]; do sleep 0.1; done; exit 9\"],"
                + "\"HostConfig\":{\"Binds\":[\"" + gate + ":/gate\"]}}";
        assertEquals(201, UnixHttp.post(socket, "/containers/create?name=quitter", quitter).status());
        assertEquals(204, UnixHttp.post(socket, "/containers/quitter/start", "").status());

        daemon.destroyForcibly().waitFor(); // SIGKILL
        Files.writeString(gate.resolve("quit"), ""); // quitter ends while no daemon runs
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && !exitFileWritten(root)) {
            Thread.sleep(100);
        }
        daemon = TestDaemons.startChildDaemon(root, plugins, log);
        TestDaemons.awaitPing(socket, daemon, log);
        JsonNode state = JSON.readTree(UnixHttp.get(socket, "/containers/survivor/json").body()).get("State");
        assertEquals("running", state.get("Status").asText(), "the container outlived the daemon: " + state);

        JsonNode quitState = JSON.readTree(UnixHttp.get(socket, "/containers/quitter/json").body()).get("State");
        assertEquals("exited", quitState.get("Status").asText(), quitState.toString());
        assertEquals(9, quitState.get("ExitCode").asInt(), "the exit code conmon wrote while the daemon was down");
        String downEvents = UnixHttp.get(socket, "/berth/events?since=0&filters="
                + URLEncoder.encode("{\"event\":[\"ContainerExited\"]}", StandardCharsets.UTF_8)).body();
        assertTrue(downEvents.contains("\"exitCode\":9") && downEvents.contains("\"whileDown\":true"), downEvents);

        Files.writeString(gate.resolve("go"), "");
        JsonNode waited = JSON.readTree(UnixHttp.post(socket, "/containers/survivor/wait", "").body());
        assertEquals(42, waited.get("StatusCode").asInt());
        String events = UnixHttp.get(socket, "/berth/events?since=0&filters="
                + URLEncoder.encode("{\"event\":[\"ContainerExited\"]}", StandardCharsets.UTF_8)).body();
        assertTrue(events.contains("\"exitCode\":42"), events);
    }
}
