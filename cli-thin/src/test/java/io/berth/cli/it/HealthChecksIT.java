package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Health checks run by the installed daemon, through berth's CLI: {@code --health-cmd} and friends, the verdict in
 * {@code ps}, {@code inspect} and the {@code health} filter, {@code health_status} events, checks that resume after a
 * daemon restart (the verdict changes while the new daemon watches), a replay of the log that equals the live state,
 * and no probe after the container stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthChecksIT {
    private ClientDaemon daemon;

    @BeforeAll
    void start() throws Exception {
        daemon = ClientDaemon.start("health-it");
    }

    @AfterAll
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private String berth(String... args) throws Exception {
        BerthDist.Result r = daemon.berth(args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    /** The next second as Unix seconds, for {@code --until}: the stream has every event so far and ends within a second. */
    private static String now() {
        return Long.toString(System.currentTimeMillis() / 1000 + 1);
    }

    private String awaitStatus(String name, String wanted) throws Exception {
        String status = "";
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            status = berth("inspect", "--format", "{{.State.Health.Status}}", name).strip();
            if (status.equals(wanted)) {
                return status;
            }
            Thread.sleep(200);
        }
        return status;
    }

    @Test
    void givenAHealthCommand_thenTheVerdictFollowsTheProbes_acrossADaemonRestart_andReplayEqualsLive() throws Exception {
        berth("run", "-d", "--network", "none", "--name", "checked", "--health-cmd", "cat /tmp/ok", "--health-interval", "300ms",
                "--health-retries", "2", ClientDaemon.IMAGE, "sh", "-c", "echo fine > /tmp/ok; exec sleep 1000");
        assertEquals("healthy", awaitStatus("checked", "healthy"));
        assertTrue(berth("ps", "--filter", "name=checked").contains("(healthy)"));
        assertEquals("checked", berth("ps", "--filter", "health=healthy", "--format", "{{.Names}}").strip());
        String log = berth("inspect", "--format", "{{json .State.Health.Log}}", "checked");
        assertTrue(log.contains("\"ExitCode\":0") && log.contains("\"Output\":\"fine\\n\""), log);

        BerthDist.stopDaemon(daemon.root.resolve("berth.pid"));
        berth("exec", "checked", "rm", "/tmp/ok"); // the CLI starts the daemon again; the container ran on
        assertEquals("unhealthy", awaitStatus("checked", "unhealthy"), "the restarted daemon probes again");
        assertTrue(berth("ps", "--filter", "name=checked").contains("(unhealthy)"));
        assertTrue(berth("inspect", "--format", "{{.State.Health.FailingStreak}}", "checked").strip().matches("[2-9]|[1-9][0-9]+"));

        String events = berth("events", "--since", "0", "--until", now(), "--filter", "event=health_status", "--format", "json");
        // berth's own envelopes: ContainerHealthChanged, whose status Docker's stream shows as health_status: STATUS
        List<String> verdicts = events.lines().map(l -> l.replaceAll(".*\"status\":\"([a-z]*)\".*", "$1")).toList();
        assertTrue(verdicts.indexOf("healthy") >= 0 && verdicts.indexOf("healthy") < verdicts.lastIndexOf("unhealthy"), events);

        String replay = berth("system", "replay");
        assertTrue(replay.contains("live state equals replayed state"), replay);

        berth("stop", "-t", "1", "checked");
        Thread.sleep(1000);
        String afterStop = berth("events", "--since", "0", "--until", now(), "--format", "json");
        Thread.sleep(1500); // five probe intervals
        String later = berth("events", "--since", "0", "--until", now(), "--format", "json");
        assertEquals(afterStop, later, "no health event once the container stopped");
    }
}
