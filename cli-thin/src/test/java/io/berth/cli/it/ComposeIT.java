package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * docker-compose (Debian's package, 1.x, through Docker's API) against the installed daemon: a project of two
 * services on a network of its own, one with a named volume and a health check, the other {@code depends_on} it
 * with {@code condition: service_healthy} and fetches its page by the service's name; then {@code ps}, {@code logs},
 * {@code exec} (output and exit code) and {@code down -v}, after which no container, network or volume is left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComposeIT {
    private static final String COMPOSE = "/usr/bin/docker-compose";
    private static final String PROJECT = "berthit";

    private ClientDaemon daemon;
    private Path project;

    @BeforeAll
    void start() throws Exception {
        daemon = ClientDaemon.start("compose-it");
        project = Files.createDirectories(daemon.dir.resolve("project"));
        Files.writeString(project.resolve("docker-compose.yml"), """
                version: "2.4"
                services:
                  web:
                    image: %1$s
                    command: ["sh", "-c", "sleep 2; echo hello-from-web > /data/index.html && exec httpd -f -p 80 -h /data"]
                    volumes:
                      - site:/data
                    networks: [backend]
                    labels:
                      it.role: server
                    healthcheck:
                      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
                      interval: 1s
                      timeout: 2s
                      retries: 10
                  client:
                    image: %1$s
                    command: ["sh", "-c", "wget -q -O - http://web/ && echo fetched-by-name && exec sleep 1000"]
                    depends_on:
                      web:
                        condition: service_healthy
                    networks: [backend]
                volumes:
                  site: {}
                networks:
                  backend: {}
                """.formatted(ClientDaemon.IMAGE));
    }

    @AfterAll
    void stop() throws Exception {
        if (daemon != null) {
            try {
                compose("down", "-v");
            } finally {
                daemon.close();
            }
        }
    }

    private ClientDaemon.Result compose(String... args) throws Exception {
        String[] command = new String[args.length + 3];
        command[0] = COMPOSE;
        command[1] = "-p";
        command[2] = PROJECT;
        System.arraycopy(args, 0, command, 3, args.length);
        // compose's default: exec runs the docker CLI found on PATH (against the same DOCKER_HOST), which keeps the streams apart
        return daemon.run(project, 180, command);
    }

    @Test
    void givenTwoServicesAndAHealthDependency_thenUpWaitsForHealthAndTheyTalkByName_andDownRemovesEverything() throws Exception {
        ClientDaemon.Result up = compose("up", "-d");
        assertEquals(0, up.code(), up.describe());

        // up returned only after web was healthy: the client was created after that
        String health = daemon.berth("inspect", "--format", "{{.State.Health.Status}}", PROJECT + "_web_1").out().strip();
        assertEquals("healthy", health);

        ClientDaemon.Result ps = compose("ps");
        assertEquals(0, ps.code(), ps.describe());
        assertTrue(ps.out().contains(PROJECT + "_web_1") && ps.out().contains("(healthy)"), ps.describe());
        assertTrue(ps.out().contains(PROJECT + "_client_1"), "each service's first container is number 1: " + ps.describe());
        assertEquals(2, ps.out().lines().filter(l -> l.startsWith(PROJECT + "_")).count(), "each container once: " + ps.describe());

        ClientDaemon.Result logs = awaitLogs("client", "fetched-by-name");
        assertTrue(logs.out().contains("hello-from-web"), "the client reached web by its service name: " + logs.describe());

        ClientDaemon.Result exec = compose("exec", "-T", "web", "cat", "/data/index.html");
        assertEquals(0, exec.code(), exec.describe());
        assertEquals("hello-from-web\n", exec.out());
        ClientDaemon.Result failing = compose("exec", "-T", "web", "sh", "-c", "echo to-out; echo to-err >&2; exit 3");
        assertEquals(3, failing.code(), failing.describe());
        assertTrue(failing.out().contains("to-out") && failing.err().contains("to-err"), failing.describe());

        ClientDaemon.Result down = compose("down", "-v");
        assertEquals(0, down.code(), down.describe());
        assertEquals("", daemon.berth("ps", "-aq").out().strip(), "no container left");
        String volumes = daemon.berth("volume", "ls", "-q").out();
        assertFalse(volumes.contains(PROJECT + "_site"), "the named volume is removed: " + volumes);
        String networks = daemon.berth("network", "ls").out();
        assertFalse(networks.contains(PROJECT + "_backend"), "the network is removed: " + networks);
    }

    private ClientDaemon.Result awaitLogs(String service, String text) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        ClientDaemon.Result logs;
        do {
            logs = compose("logs", "--no-color", service);
            if (logs.out().contains(text)) {
                return logs;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return logs;
    }
}
