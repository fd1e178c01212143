package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The stock docker CLI (the 28.x client at {@code /usr/local/bin/docker}, Debian's 20.10 at {@code /usr/bin/docker})
 * against the installed daemon with the clients' default settings: {@code docker build} without
 * {@code DOCKER_BUILDKIT} (the daemon's {@code Builder-Version: 1} sends it to the legacy {@code /build}), a
 * HEALTHCHECK from the built image run by the daemon, {@code events --filter label=…} (labels combine with AND),
 * with the container's labels, {@code exitCode} on {@code die} and the {@code stop} action.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StockDockerCliIT {
    private static final String DOCKER_28 = "/usr/local/bin/docker";
    private static final String DOCKER_20 = "/usr/bin/docker";

    private ClientDaemon daemon;

    @BeforeAll
    void start() throws Exception {
        daemon = ClientDaemon.start("docker-cli-it");
    }

    @AfterAll
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private ClientDaemon.Result docker(String cli, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = cli;
        System.arraycopy(args, 0, command, 1, args.length);
        return daemon.run(daemon.dir, 180, command);
    }

    @Test
    void givenTheDefaultSettings_whenBuilding_thenBothClientsBuildAndTheImagesHealthCheckRuns() throws Exception {
        Path context = Files.createDirectories(daemon.dir.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), """
                FROM %s
                COPY greeting /greeting
                HEALTHCHECK --interval=1s --timeout=2s CMD cat /greeting
                CMD ["sleep", "1000"]
                """.formatted(ClientDaemon.IMAGE));
        Files.writeString(context.resolve("greeting"), "hello\n");
        for (String cli : List.of(DOCKER_28, DOCKER_20)) {
            ClientDaemon.Result build = daemon.run(context, 180, cli, "build", "-t", "stock/built:" + (cli.equals(DOCKER_28) ? "28" : "20"), ".");
            assertEquals(0, build.code(), cli + " build: " + build.describe());
            assertTrue(build.out().contains("Successfully tagged stock/built"), build.describe());
        }
        ClientDaemon.Result run = docker(DOCKER_28, "run", "-d", "--network", "none", "--name", "checked", "stock/built:28");
        assertEquals(0, run.code(), run.describe());
        String status = "";
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline && !status.contains("(healthy)")) {
            Thread.sleep(300);
            status = docker(DOCKER_28, "ps", "--filter", "name=checked", "--format", "{{.Status}}").out();
        }
        assertTrue(status.contains("(healthy)"), status);
        ClientDaemon.Result health = docker(DOCKER_28, "inspect", "--format", "{{json .State.Health}}", "checked");
        assertTrue(health.out().contains("\"Status\":\"healthy\"") && health.out().contains("\"Output\":\"hello\\n\""), health.describe());
        ClientDaemon.Result filtered = docker(DOCKER_28, "ps", "-q", "--filter", "health=healthy");
        assertFalse(filtered.out().isBlank(), filtered.describe());
    }

    @Test
    void givenLabelFilters_whenFollowingEvents_thenOnlyContainersWithEveryLabelShow_withDockersAttributes() throws Exception {
        long since = System.currentTimeMillis() / 1000 - 1;
        assertEquals(0, docker(DOCKER_28, "run", "-d", "--network", "none", "--name", "both", "-l", "app=web", "-l", "tier=front",
                ClientDaemon.IMAGE, "sleep", "1000").code());
        assertEquals(0, docker(DOCKER_28, "run", "-d", "--network", "none", "--name", "one", "-l", "app=web",
                ClientDaemon.IMAGE, "sleep", "1000").code());
        assertEquals(0, docker(DOCKER_28, "stop", "-t", "1", "both", "one").code());
        long until = System.currentTimeMillis() / 1000 + 1;
        Thread.sleep(1100);
        ClientDaemon.Result events = daemon.run(daemon.dir, Map.of(), 60, DOCKER_28, "events", "--since", Long.toString(since),
                "--until", Long.toString(until), "--filter", "label=app=web", "--filter", "label=tier=front",
                "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.tier}} {{.From}}");
        assertEquals(0, events.code(), events.describe());
        List<String> lines = events.out().lines().toList();
        assertFalse(lines.isEmpty(), events.describe());
        assertTrue(lines.stream().allMatch(l -> l.contains(" both ")), "only the container with both labels: " + events.describe());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("create both")), events.describe());
        assertTrue(lines.stream().anyMatch(l -> l.matches("die both 1[34][37] front .*")), "die with its exit code: " + events.describe());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("stop both")), "a stop action: " + events.describe());
        assertTrue(lines.stream().allMatch(l -> l.endsWith(" " + ClientDaemon.IMAGE)), "the legacy from field: " + events.describe());
    }
}
