package io.berth.cli.it;

import io.berth.text.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI against the real daemon, both run from the installation ({@code target/dist}) with a private root
 * and socket: once auto-started by the CLI, once started explicitly with {@code berth daemon}.
 */
class DaemonLifecycleIT {
    @TempDir
    Path tmp;

    private Path pidFile;

    @AfterEach
    void stopDaemon() throws Exception {
        if (pidFile != null) {
            BerthDist.stopDaemon(pidFile);
        }
    }

    @Test
    void givenNoDaemon_whenVersionRuns_thenItStartsOneAndEventsPluginsAndReplayWork() throws Exception {
        BerthDist berth = BerthDist.get();
        Path root = tmp.resolve("root");
        String host = "unix://" + tmp.resolve("berth.sock");
        // The CLI passes --pidfile ROOT/berth.pid to a daemon it starts on a non-default socket.
        pidFile = root.resolve("berth.pid");

        BerthDist.Result version = berth.run(60, "-H", host, "--root", root.toString(), "version");
        assertEquals(0, version.exitCode(), version.err());
        assertTrue(version.out().contains("Server: berth"), version.out());
        assertTrue(Files.exists(root.resolve("daemon.log")), "the auto-started daemon logs to ROOT/daemon.log");
        assertTrue(Files.exists(pidFile), "the auto-started daemon writes ROOT/berth.pid");

        BerthDist.Result events = berth.run(30, "-H", host, "events", "--since", "0", "--format", "json");
        assertEquals(0, events.exitCode(), events.err());
        Set<String> types = new TreeSet<>();
        for (String line : events.lines()) {
            Object envelope = Json.parse(line);
            types.add(Json.text(envelope, "type"));
            Map<String, Object> actor = Json.object(envelope, "actor");
            assertFalse(actor.isEmpty(), "every event names its actor: " + line);
            assertTrue(actor.containsKey("uid") && actor.containsKey("pid"), "actor has uid and pid: " + line);
        }
        assertTrue(types.contains("DaemonStarted"), "types seen: " + types);
        assertTrue(types.contains("PluginLoaded"), "types seen: " + types);

        BerthDist.Result plugins = berth.run(30, "-H", host, "plugin", "ls");
        assertEquals(0, plugins.exitCode(), plugins.err());
        assertEquals(List.of("ID", "VERSION", "STATE", "EXTENSIONS/ERROR"),
                List.of(plugins.lines().getFirst().split("\\s{2,}")));
        for (String id : List.of("runtime-runc", "registry-oci", "store-overlayfs")) {
            assertTrue(plugins.lines().stream().anyMatch(l -> l.startsWith(id + " ")), id + " in\n" + plugins.out());
        }

        BerthDist.Result replay = berth.run(60, "-H", host, "system", "replay");
        assertEquals(0, replay.exitCode(), replay.out() + replay.err());
        assertTrue(replay.out().strip().matches("replayed \\d+ events: live state equals replayed state"), replay.out());
    }

    @Test
    void givenNoDaemon_whenTwentyCommandsStartAtOnce_thenAllSucceedAgainstOneDaemon() throws Exception {
        BerthDist berth = BerthDist.get();
        Path root = tmp.resolve("root");
        String host = "unix://" + tmp.resolve("berth.sock");
        pidFile = root.resolve("berth.pid");

        List<java.util.concurrent.Future<BerthDist.Result>> runs = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                runs.add(pool.submit(() -> berth.run(120, "-H", host, "--root", root.toString(), "version")));
            }
        }
        for (var run : runs) {
            BerthDist.Result r = run.get();
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains("Server: berth"), r.out());
        }
        BerthDist.Result events = berth.run(30, "-H", host, "events", "--since", "0", "--filter", "type=daemon",
                "--format", "json");
        assertEquals(0, events.exitCode(), events.err());
        long starts = events.lines().stream().filter(l -> l.contains("\"DaemonStarted\"")).count();
        assertEquals(1, starts, "exactly one daemon started:\n" + events.out());
        String log = Files.readString(root.resolve("daemon.log"));
        assertEquals(1, log.lines().filter(l -> l.contains("no daemon answered")).count(),
                "one command started the daemon, the others waited for it:\n" + log);
    }

    @Test
    void givenDaemonStartedExplicitly_whenCommandsRun_thenTheyUseItAndStartNoOther() throws Exception {
        BerthDist berth = BerthDist.get();
        Path root = tmp.resolve("root");
        Files.createDirectories(root);
        Path sock = tmp.resolve("berth.sock");
        pidFile = tmp.resolve("berth.pid");
        Path log = tmp.resolve("explicit-daemon.log");
        Process daemon = berth.startDaemon(log, "--root", root.toString(), "-H", "unix://" + sock,
                "--pidfile", pidFile.toString());

        // BERTH_NO_AUTOSTART is not set: if the CLI had to start a daemon it would log to ROOT/daemon.log.
        BerthDist.Result version = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            if (Files.exists(sock)) {
                version = berth.run(30, "-H", "unix://" + sock, "version", "--format", "json");
                if (version.exitCode() == 0) {
                    break;
                }
            }
            Thread.sleep(100);
        }
        assertTrue(version != null && version.exitCode() == 0, "daemon did not answer; log:\n" + Files.readString(log));
        Object v = Json.parse(version.out());
        assertEquals("berth", Json.text(v, "Server", "Platform", "Name"));
        assertFalse(Files.exists(root.resolve("daemon.log")), "the CLI started a second daemon");

        BerthDist.Result info = berth.run(30, "-H", "unix://" + sock, "info", "--format", "json");
        assertEquals(0, info.exitCode(), info.err());
        assertEquals(pidFile.toString(), Json.text(Json.parse(info.out()), "Berth", "PidFile"));

        BerthDist.Result replay = berth.run(60, "-H", "unix://" + sock, "system", "replay");
        assertEquals(0, replay.exitCode(), replay.out() + replay.err());

        BerthDist.stopDaemon(pidFile);
        assertFalse(daemon.isAlive(), "daemon still running after SIGTERM");
    }
}
