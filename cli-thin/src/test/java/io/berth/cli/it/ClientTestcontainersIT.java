package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers, a real Docker client library, against the installed daemon ({@code target/dist}): a busybox
 * httpd with an exposed port and an HTTP wait, then a GET from here; two containers on a new network, one
 * reaching the other by its alias. Offline settings come from failsafe's environment (see cli-thin's pom):
 * {@code DOCKER_HOST} names the socket this test's daemon listens on, Ryuk and the start-up checks are off, and
 * the tiny image is {@code berth-example/busybox:latest}, made by {@code examples/demo/base-image.sh}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTestcontainersIT {
    private static final DockerImageName BUSYBOX = DockerImageName.parse("berth-example/busybox:latest");

    private BerthDist berth;
    private Path dir;
    private Path root;
    private String host;

    @BeforeAll
    void start() throws Exception {
        berth = BerthDist.get();
        host = System.getenv("DOCKER_HOST");
        if (host == null || !host.startsWith("unix://")) {
            fail("DOCKER_HOST is " + host + ": run ClientTestcontainersIT through Maven (failsafe sets it to a private socket)");
        }
        Path socket = Path.of(host.substring("unix://".length()));
        dir = socket.getParent();
        root = dir.resolve("root");
        if (Files.exists(root.resolve("berth.pid"))) {
            BerthDist.stopDaemon(root.resolve("berth.pid")); // a daemon left by an interrupted run
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        // The example's script makes the image and loads it through the CLI, which starts the daemon.
        Path wrapper = dir.resolve("berth-cmd");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + berth.launcher + " -H " + host + " --root " + root + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        Path example = Path.of("..", "examples", "demo").toAbsolutePath().normalize();
        Process p = new ProcessBuilder(example.resolve("base-image.sh").toString(), wrapper.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("Loaded image: berth-example/busybox:latest"), out);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (root != null && Files.exists(root.resolve("berth.pid"))) {
                for (String id : berth("ps", "-aq", "--no-trunc").lines()) {
                    berth("rm", "-f", id);
                }
            }
        } finally {
            if (root != null) {
                BerthDist.stopDaemon(root.resolve("berth.pid"));
                if (Files.exists(root.resolve("daemon.log"))) {
                    // kept beside the test reports: what the daemon said when a client call failed
                    Files.copy(root.resolve("daemon.log"), dir.resolveSibling("tc-it-daemon.log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (dir != null && !Files.readString(Path.of("/proc/self/mounts")).contains(dir.toString())) {
                deleteTree(dir);
            }
        }
    }

    private BerthDist.Result berth(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-H", host, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(Map.of(), null, 120, all.toArray(String[]::new));
    }

    private static void deleteTree(Path path) throws Exception {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** busybox httpd on port 80 serving one page, made by the container's own shell (no copy before start). */
    private static GenericContainer<?> httpd(String page) {
        return new GenericContainer<>(BUSYBOX)
                .withCommand("sh", "-c", "mkdir -p /www && echo " + page + " > /www/index.html && exec httpd -f -p 80 -h /www");
    }

    @Test
    void givenAnExposedPortAndAnHttpWait_thenTheMappedPortAnswersFromTheHost() throws Exception {
        assertTrue(DockerClientFactory.instance().isDockerAvailable(), "Testcontainers reaches berth at " + host);
        // On a network of its own rather than the default bridge: the default bridge's interface (berth0) is one
        // per host, so it is missing whenever another berth daemon runs on the machine (parallel test runs);
        // publishing from the default bridge is NetworksCliIT's, through the CLI.
        try (Network network = Network.newNetwork();
                GenericContainer<?> web = httpd("served-through-testcontainers")
                .withNetwork(network)
                .withExposedPorts(80)
                .waitingFor(Wait.forHttp("/").forStatusCode(200).withStartupTimeout(Duration.ofSeconds(60)))) {
            web.start();
            URI uri = URI.create("http://" + web.getHost() + ":" + web.getMappedPort(80) + "/");
            HttpResponse<String> page = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), uri.toString());
            assertEquals("served-through-testcontainers\n", page.body());
        }
    }

    @Test
    void givenTwoContainersOnANewNetwork_thenOneReachesTheOtherByItsAlias() {
        try (Network network = Network.newNetwork();
                GenericContainer<?> web = httpd("reached-by-alias").withNetwork(network).withNetworkAliases("web");
                GenericContainer<?> client = new GenericContainer<>(BUSYBOX)
                        .withNetwork(network)
                        .withCommand("wget", "-q", "-O", "-", "http://web/")
                        .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
            web.start();
            // OneShot waits for the client to exit and fails the start unless its exit code is 0.
            client.start();
            assertEquals("reached-by-alias\n", client.getLogs());
        }
    }

    /** A busybox container without a network (the default bridge may belong to another daemon on this host). */
    private static GenericContainer<?> isolated(String... command) {
        return new GenericContainer<>(BUSYBOX).withNetworkMode("none").withCommand(command);
    }

    @Test
    void givenALogMessageWait_whenStarted_thenExecGivesExitCodeAndBothStreams_andStopEndsIt() throws Exception {
        GenericContainer<?> container = isolated("sh", "-c", "echo starting; sleep 1; echo ready-to-serve; exec sleep 1000")
                .waitingFor(Wait.forLogMessage(".*ready-to-serve.*", 1).withStartupTimeout(Duration.ofSeconds(60)));
        try (container) {
            container.start();
            assertTrue(container.isRunning());
            assertTrue(container.getLogs().contains("starting\nready-to-serve\n"), container.getLogs());
            var result = container.execInContainer("sh", "-c", "echo to-out; echo to-err >&2; exit 7");
            assertEquals(7, result.getExitCode());
            assertEquals("to-out\n", result.getStdout());
            assertEquals("to-err\n", result.getStderr());
            String id = container.getContainerId();
            container.stop();
            assertTrue(berth("ps", "-aq", "--no-trunc").lines().stream().noneMatch(id::equals), "stop removes the container, as Testcontainers does");
        }
    }

    @Test
    void givenAFileCopiedInBeforeStart_thenTheContainerSeesIt_andAFileCopiesOutAfter() throws Exception {
        try (GenericContainer<?> container = isolated("sh", "-c", "cat /etc/greeting > /tmp/seen; exec sleep 1000")
                .withCopyToContainer(org.testcontainers.images.builder.Transferable.of("copied before start\n", 0644), "/etc/greeting")) {
            container.start();
            String seen = "";
            for (int i = 0; i < 50 && seen.isEmpty(); i++) {
                Thread.sleep(100);
                seen = container.copyFileFromContainer("/tmp/seen", in -> new String(in.readAllBytes()));
            }
            assertEquals("copied before start\n", seen);
        }
    }

    @Test
    void givenLabelledContainers_whenCleaningUpByLabel_thenOnlyThoseAreRemoved() throws Exception {
        var docker = DockerClientFactory.instance().client();
        String run = "run-" + System.nanoTime();
        try (GenericContainer<?> first = isolated("sleep", "1000").withLabels(Map.of("it.cleanup", run, "it.kind", "a"));
                GenericContainer<?> second = isolated("sleep", "1000").withLabels(Map.of("it.cleanup", run, "it.kind", "b"));
                GenericContainer<?> other = isolated("sleep", "1000").withLabels(Map.of("it.cleanup", "someone-else"))) {
            first.start();
            second.start();
            other.start();
            // labels combine with AND: one container has both
            assertEquals(List.of(first.getContainerId()), docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of("it.cleanup", run, "it.kind", "a")).exec().stream().map(c -> c.getId()).toList());
            var mine = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("it.cleanup", run)).exec();
            assertEquals(java.util.Set.of(first.getContainerId(), second.getContainerId()),
                    mine.stream().map(c -> c.getId()).collect(java.util.stream.Collectors.toSet()));
            for (var c : mine) {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
            }
            assertTrue(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("it.cleanup", run)).exec().isEmpty());
            assertTrue(other.isRunning(), "a container without the label stays");
        }
    }

    @Test
    void givenAHealthCheck_whenWaitingForIt_thenTheStartReturnsOnceTheDaemonFindsItHealthy() {
        try (GenericContainer<?> container = isolated("sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 1000")
                .withCreateContainerCmdModifier(cmd -> cmd.withHealthcheck(new com.github.dockerjava.api.model.HealthCheck()
                        .withTest(List.of("CMD-SHELL", "test -f /tmp/ready")).withInterval(500_000_000L).withRetries(30)))
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofSeconds(60)))) {
            container.start();
            var state = container.getCurrentContainerInfo().getState();
            assertEquals("healthy", state.getHealth().getStatus());
            assertTrue(state.getHealth().getLog().stream().anyMatch(r -> r.getExitCodeLong() == 0), "the probe's log");
        }
    }
}
