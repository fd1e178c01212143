package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Networks through the installed CLI and daemon ({@code target/dist}, private root and socket): {@code run -d -p
 * 127.0.0.1:H:80 … httpd} answers from the host and {@code port} and {@code ps} show it; {@code network create},
 * two containers talking by name, {@code network rm} of a network in use refused, then removed; bad {@code -p}
 * specs refused by the CLI in one line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworksCliIT {
    private Path tmp;
    private BerthDist berth;
    private LocalRegistry registry;
    private String host;
    private Path root;
    private Map<String, String> env;
    private String image;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("berth-net-it");
        berth = BerthDist.get();
        registry = LocalRegistry.start(Files.createDirectories(tmp.resolve("registry")));
        Path layout = LocalRegistry.busyboxLayout(Files.createDirectories(tmp.resolve("image")),
                List.of("sh", "true", "sleep", "httpd", "ping", "cat"));
        registry.push(layout, "busybox:1");
        image = registry.host() + "/busybox:1";
        root = tmp.resolve("root");
        host = "unix://" + tmp.resolve("berth.sock");
        env = Map.of("DOCKER_CONFIG", tmp.resolve("docker-config").toString());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (root != null && Files.exists(root.resolve("berth.pid"))) {
                BerthDist.Result ps = berth("ps", "-aq", "--no-trunc");
                for (String id : ps.lines()) {
                    berth("rm", "-f", id);
                }
                berth("network", "rm", "cli-app");
            }
        } finally {
            if (root != null) {
                BerthDist.stopDaemon(root.resolve("berth.pid"));
            }
            if (registry != null) {
                registry.close();
            }
        }
    }

    private BerthDist.Result berth(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-H", host, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(env, null, 120, all.toArray(String[]::new));
    }

    private static String describe(BerthDist.Result r) {
        return "exit " + r.exitCode() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err();
    }

    @Test
    void givenHttpdPublishedWithDashP_thenItAnswersOnLoopbackAndPortAndPsShowIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("index.html"), "published by berth\n");
        BerthDist.Result run = berth("run", "-d", "--name", "pweb", "-p", "127.0.0.1:" + port + ":80", "-v", www + ":/www:ro",
                image, "httpd", "-f", "-p", "80", "-h", "/www");
        assertEquals(0, run.exitCode(), describe(run));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> page = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (page == null) {
            try {
                page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    fail("httpd did not answer on 127.0.0.1:" + port + ": " + notYet);
                }
                Thread.sleep(100);
            }
        }
        assertEquals("published by berth\n", page.body());
        BerthDist.Result portOut = berth("port", "pweb");
        assertEquals("80/tcp -> 127.0.0.1:" + port + "\n", portOut.out(), describe(portOut));
        BerthDist.Result ps = berth("ps");
        assertTrue(ps.out().contains("127.0.0.1:" + port + "->80/tcp"), ps.out());
        assertEquals(0, berth("rm", "-f", "pweb").exitCode());
    }

    @Test
    void givenAUserNetwork_thenContainersReachEachOtherByNameAndRmOfItInUseFails() throws Exception {
        BerthDist.Result created = berth("network", "create", "cli-app");
        assertEquals(0, created.exitCode(), describe(created));
        assertEquals(0, berth("run", "-d", "--name", "cli-db", "--network", "cli-app", "--network-alias", "database", image,
                "sleep", "300").exitCode());
        BerthDist.Result ping = berth("run", "--rm", "--network", "cli-app", image, "sh", "-c", "ping -c1 -W3 cli-db && ping -c1 -W3 database");
        assertEquals(0, ping.exitCode(), describe(ping));
        BerthDist.Result inUse = berth("network", "rm", "cli-app");
        assertEquals(1, inUse.exitCode(), describe(inUse));
        assertTrue(inUse.err().contains("has active endpoints"), inUse.err());
        BerthDist.Result ls = berth("network", "ls");
        assertTrue(ls.out().contains(" cli-app ") && ls.out().contains(" bridge "), ls.out());
        assertEquals(0, berth("rm", "-f", "cli-db").exitCode());
        BerthDist.Result removed = berth("network", "rm", "cli-app");
        assertEquals("cli-app\n", removed.out(), describe(removed));
    }

    @Test
    void givenBadPortSpecs_thenTheCliRefusesEachInOneLine() throws Exception {
        for (String spec : List.of("70000:80", "80/sctp", "8000-8002:80-81")) {
            BerthDist.Result r = berth("create", "-p", spec, image, "true");
            assertEquals(125, r.exitCode(), describe(r));
            assertTrue(r.err().lines().findFirst().orElse("").contains(spec.contains("sctp") ? "sctp" : spec.split(":")[0]), r.err());
        }
        BerthDist.Result unknown = berth("create", "--network", "no-such-net", image, "true");
        assertTrue(unknown.exitCode() != 0 && unknown.err().contains("network no-such-net not found"), describe(unknown));
    }
}
