package io.berth.cli.api;

import io.berth.cli.CliRun;
import io.berth.cli.http.UnixHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starting a daemon when none answers; launchers here are small scripts standing in for bin/berth. */
class DaemonStarterTest {
    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void givenLauncherThatExits1_whenACommandNeedsTheDaemon_thenOneLineQuotingItsReasonAndNamingTheLog() throws Exception {
        Path launcher = script("fails", "echo 'cannot bind socket' >&2; exit 1");
        Path root = dir.resolve("root");
        CliRun r = CliRun.run(Map.of("BERTH_LAUNCHER", launcher.toString()),
                "-H", "unix://" + dir.resolve("b.sock"), "--root", root.toString(), "info");
        assertEquals(125, r.exitCode());
        Path log = root.resolve("daemon.log");
        assertEquals("Cannot start the berth daemon: it exited (cannot bind socket); see " + log + "\n",
                r.err());
        String logText = Files.readString(log);
        assertTrue(logText.contains("cannot bind socket"), logText); // the daemon's stderr went to the log
        assertTrue(logText.contains("starting: " + launcher + " daemon -H unix://"), logText);
    }

    @Test
    void givenBerthRootEnvironment_thenTheLogIsUnderIt() throws Exception {
        Path launcher = script("fails", "exit 3");
        Path root = dir.resolve("envroot");
        CliRun r = CliRun.run(Map.of("BERTH_LAUNCHER", launcher.toString(), "BERTH_ROOT", root.toString()),
                "-H", "unix://" + dir.resolve("b.sock"), "version");
        assertEquals(125, r.exitCode());
        // The daemon said nothing, so there is nothing to quote (the CLI's own note in the log is not a reason).
        assertTrue(r.err().endsWith("it exited; see " + root.resolve("daemon.log") + "\n"), r.err());
        assertTrue(r.out().startsWith("Client:"), "the client part is printed before the error, as Docker does");
    }

    @Test
    void givenLauncherThatNeverServes_thenTimeoutNamesTheLog() throws Exception {
        Path launcher = script("sleeps", "exec sleep 30");
        Path sock = dir.resolve("b.sock");
        DaemonStarter starter = new DaemonStarter(launcher.toString(), sock, dir.toString(), false, Duration.ofMillis(500));
        DaemonStartException e = assertThrows(DaemonStartException.class,
                () -> starter.start(new UnixHttpClient(sock, "t")));
        assertEquals("Cannot start the berth daemon: no answer on unix://" + sock + " after 0 s; see "
                + dir.resolve("daemon.log"), e.getMessage());
    }

    @Test
    void givenNonDefaultSocket_thenPidFileFollowsTheRoot() {
        DaemonStarter s = new DaemonStarter("/b/berth", Path.of("/tmp/x/b.sock"), "/tmp/x", false, Duration.ofSeconds(1));
        assertEquals(List.of("/b/berth", "daemon", "-H", "unix:///tmp/x/b.sock", "--root", "/tmp/x", "--pidfile",
                "/tmp/x/berth.pid"), s.command());
    }

    @Test
    void givenDefaultSocketAndNoRoot_thenTheDaemonsDefaultsAreKept() {
        DaemonStarter s = new DaemonStarter("/b/berth", Path.of("/run/berth/berth.sock"), null, true, Duration.ofSeconds(1));
        assertEquals(List.of("/b/berth", "daemon", "-H", "unix:///run/berth/berth.sock"), s.command());
        assertEquals(Path.of("/var/lib/berth/daemon.log"), s.logFile());
    }

    @Test
    void givenLauncherThatStartsADaemon_whenACommandRuns_thenItIsStartedDetachedAndAnswers() throws Exception {
        // The stand-in daemon is the CLI's own stub server, started by a script that takes the real flags.
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        Path args = dir.resolve("args");
        Path launcher = script("starts", """
                echo "$@" > '%s'
                sock=${3#unix://}
                exec '%s' -cp '%s' io.berth.cli.training.StubDaemon "$sock"
                """.formatted(args, java, cp));
        Path sock = dir.resolve("b.sock");
        Path root = dir.resolve("root");
        try {
            CliRun r = CliRun.run(Map.of("BERTH_LAUNCHER", launcher.toString()),
                    "-H", "unix://" + sock, "--root", root.toString(), "system", "replay");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().startsWith("replayed 2 events"), r.out());
            assertEquals("daemon -H unix://" + sock + " --root " + root + " --pidfile " + root.resolve("berth.pid"),
                    Files.readString(args).strip());
            // A second command finds the running daemon and starts nothing.
            Files.delete(args);
            assertEquals(0, CliRun.run(Map.of("BERTH_LAUNCHER", launcher.toString()), "-H", "unix://" + sock, "info").exitCode());
            assertTrue(Files.notExists(args));
        } finally {
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains(sock.toString())).orElse(false))
                    .forEach(ProcessHandle::destroy);
        }
    }
}
