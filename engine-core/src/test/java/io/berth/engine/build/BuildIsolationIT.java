package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Tar;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a build's RUN and ADD may reach: RUN on the default network has a namespace of its own on
 * the default bridge and cannot open a raw socket, {@code RUN --network=none} and {@code build --network none} see only
 * the loopback interface; {@code ADD <url>} is refused over the daemon's size cap, over its time
 * limit, and when redirected to anything but http(s). The server is the JDK's, on 127.0.0.1.
 */
class BuildIsolationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CAP = 64 * 1024;
    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static String base;
    private static HttpServer http;
    private static String server;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        registry.push(TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(), TestImages.Compression.GZIP,
                List.of(TestImages.busyboxTar()), ""), "isolation/busybox", "1");
        base = registry.host() + "/isolation/busybox:1";
        root = Files.createTempDirectory("berth-build-isolation-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins).withAddUrlLimits(CAP, Duration.ofSeconds(3)));
        daemon.start();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor()); // the slow answer must not hold up the others
        http.createContext("/small", e -> answer(e, 200, new byte[1000]));
        http.createContext("/big", e -> answer(e, 200, new byte[(int) CAP + 1]));
        http.createContext("/big-chunked", e -> {
            e.sendResponseHeaders(200, 0); // no Content-Length: the cap is found while reading
            try (OutputStream out = e.getResponseBody()) {
                for (int i = 0; i < 100; i++) {
                    out.write(new byte[4096]);
                }
            } catch (IOException closedByTheClient) {
                // expected
            }
        });
        http.createContext("/slow", e -> {
            e.sendResponseHeaders(200, 0);
            try (OutputStream out = e.getResponseBody()) {
                for (int i = 0; i < 60; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(500);
                }
            } catch (IOException | InterruptedException closedByTheClient) {
                // expected
            }
        });
        http.createContext("/to-small", e -> redirect(e, "/small"));
        http.createContext("/to-file", e -> redirect(e, "file:///etc/passwd"));
        http.createContext("/to-ftp", e -> redirect(e, "ftp://127.0.0.1/x"));
        http.createContext("/loop", e -> redirect(e, "/loop"));
        http.start();
        server = "http://127.0.0.1:" + http.getAddress().getPort();
        UnixHttp.Response pulled = UnixHttp.post(socket(), "/images/create?fromImage="
                + URLEncoder.encode(registry.host() + "/isolation/busybox", StandardCharsets.UTF_8) + "&tag=1", "");
        assertTrue(pulled.body().contains("Downloaded newer image"), pulled.body());
    }

    private static void answer(HttpExchange e, int status, byte[] body) throws IOException {
        e.sendResponseHeaders(status, body.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(body);
        } catch (IOException closedByTheClient) {
            // a refused download closes early
        }
    }

    private static void redirect(HttpExchange e, String location) throws IOException {
        e.getResponseHeaders().add("Location", location);
        e.sendResponseHeaders(302, -1);
        e.close();
    }

    @AfterAll
    static void stop() throws Exception {
        if (http != null) {
            http.stop(0);
        }
        if (daemon != null) {
            daemon.stop("test finished");
        }
        try {
            assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(root.toString()), "no mount is left");
        } finally {
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    private static Path socket() {
        return root.resolve("berth.sock");
    }

    /** The build's whole stream output and its error ("" when it succeeded). */
    private record Built(String output, String error) {}

    private static Built build(String dockerfile, String query) throws IOException {
        byte[] tar = Tar.create().file("Dockerfile", 0644, dockerfile.getBytes(StandardCharsets.UTF_8)).toBytes();
        UnixHttp.Response r = UnixHttp.send(socket(), "POST", "/build?nocache=1" + query, tar, "application/x-tar", Map.of());
        assertEquals(200, r.status(), r.body());
        StringBuilder output = new StringBuilder();
        String error = "";
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                JsonNode m = JSON.readTree(line);
                output.append(m.path("stream").asText(""));
                error = m.path("error").asText(error);
            }
        }
        return new Built(output.toString(), error);
    }

    @Test
    void givenTheDefaultNetworkThenRunHasItsOwnNamespaceOnTheBridgeAndCannotOpenARawSocket() throws Exception {
        Built built = build("FROM " + base + "\n"
                + "RUN busybox grep -E 'Seccomp:|CapBnd:' /proc/self/status; busybox cat /proc/net/dev /proc/net/route\n"
                + "RUN busybox ping -c1 -W1 127.0.0.1 || echo ping refused\n", "");
        assertEquals("", built.error(), built.output());
        assertTrue(built.output().contains("Seccomp:\t2"), built.output());
        assertTrue(built.output().contains("permission denied") && built.output().contains("ping refused"), built.output());
        // CAP_NET_RAW (bit 13) and CAP_NET_ADMIN (bit 12) are not in the bounding set
        String capBnd = built.output().lines().filter(l -> l.startsWith("CapBnd:")).findFirst().orElseThrow().substring(7).strip();
        long caps = Long.parseLong(capBnd, 16);
        assertEquals(0, caps & ((1L << 13) | (1L << 12)), capBnd);
        List<String> interfaces = built.output().lines().filter(l -> !l.startsWith("CapBnd:") && !l.startsWith("Seccomp:"))
                .filter(l -> l.matches("\\s*[\\w.@-]+:\\s+\\d+.*"))
                .map(l -> l.strip().substring(0, l.strip().indexOf(':'))).toList();
        UnixHttp.Response bridge = UnixHttp.get(socket(), "/networks/bridge");
        if (bridge.status() == 404) {
            // this host's bridge berth0 was held by another daemon when this one started, so it has no default
            // network: the step keeps the host's namespace (still without NET_RAW and NET_ADMIN, checked above)
            assertTrue(interfaces.size() > 1, "the host's interfaces: " + built.output());
            return;
        }
        // as Docker's builder: a namespace of its own on the default bridge (eth0 with a default route), not the host's
        assertEquals(List.of("lo", "eth0"), interfaces, built.output());
        assertTrue(built.output().lines().anyMatch(l -> l.matches("eth0\\s+00000000\\s+.*")), "a default route: " + built.output());
        assertEquals(0, JSON.readTree(bridge.body()).path("Containers").size(), "the step left the network: " + bridge.body());
    }

    @Test
    void givenRunNetworkNoneOrBuildNetworkNoneThenOnlyLoopbackIsSeen() throws Exception {
        Built step = build("FROM " + base + "\nRUN --network=none busybox cat /proc/net/dev\n", "");
        assertEquals("", step.error(), step.output());
        assertOnlyLoopback(step.output());
        Built whole = build("FROM " + base + "\nRUN busybox cat /proc/net/dev\n", "&networkmode=none");
        assertEquals("", whole.error(), whole.output());
        assertOnlyLoopback(whole.output());
        Built host = build("FROM " + base + "\nRUN --network=host busybox ping -c1 -W1 127.0.0.1\n", "");
        assertEquals("", host.error(), "asked for explicitly, the host network has Docker's default capabilities: " + host.output());
    }

    private static void assertOnlyLoopback(String output) {
        List<String> interfaces = output.lines().filter(l -> l.matches("\\s*[\\w.@-]+:\\s+\\d+.*"))
                .map(l -> l.strip().substring(0, l.strip().indexOf(':'))).toList();
        assertEquals(List.of("lo"), interfaces, output);
    }

    @Test
    void givenAnUnknownNetworkThenTheBuildIsRefusedWithOneLine() throws Exception {
        Built flag = build("FROM " + base + "\nRUN --network=bridge2 true\n", "");
        assertEquals("Dockerfile:2: RUN --network=bridge2 is not supported: use default, host or none", flag.error());
        byte[] tar = Tar.create().file("Dockerfile", 0644, ("FROM " + base + "\n").getBytes(StandardCharsets.UTF_8)).toBytes();
        UnixHttp.Response r = UnixHttp.send(socket(), "POST", "/build?networkmode=overlay", tar, "application/x-tar", Map.of());
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("--network=overlay is not supported"), r.body());
    }

    @Test
    void givenAddUrlWithinTheBoundsThenItIsDownloadedFollowingAnHttpRedirect() throws Exception {
        Built built = build("FROM " + base + "\nADD " + server + "/to-small /got\nRUN busybox wc -c /got\n", "");
        assertEquals("", built.error(), built.output());
        assertTrue(built.output().contains("1000 /got"), built.output());
    }

    @Test
    void givenAddUrlOverTheCapThenTheBuildFailsWithOneLine() throws Exception {
        for (String path : List.of("/big", "/big-chunked")) {
            Built built = build("FROM " + base + "\nADD " + server + path + " /got\n", "");
            assertEquals("Dockerfile:2: ADD failed: " + server + path + ": larger than " + CAP + " bytes (the daemon's add-url-max-size)", built.error());
        }
    }

    @Test
    void givenAddUrlOverTheTimeLimitThenTheBuildFailsWithOneLine() throws Exception {
        long t0 = System.nanoTime();
        Built built = build("FROM " + base + "\nADD " + server + "/slow /got\n", "");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertEquals("Dockerfile:2: ADD failed: " + server + "/slow: not downloaded within 3s (the daemon's add-url-timeout)", built.error());
        assertTrue(seconds < 20, "stopped at the limit, not at the end of the body: " + seconds + " s");
    }

    @Test
    void givenAddUrlRedirectedToAnotherSchemeOrEndlesslyThenTheBuildFailsWithOneLine() throws Exception {
        assertEquals("Dockerfile:2: ADD failed: " + server + "/to-file: redirected to file:///etc/passwd, which is not an http or https URL",
                build("FROM " + base + "\nADD " + server + "/to-file /got\n", "").error());
        assertEquals("Dockerfile:2: ADD failed: " + server + "/to-ftp: redirected to ftp://127.0.0.1/x, which is not an http or https URL",
                build("FROM " + base + "\nADD " + server + "/to-ftp /got\n", "").error());
        assertEquals("Dockerfile:2: ADD failed: " + server + "/loop: more than 10 redirects",
                build("FROM " + base + "\nADD " + server + "/loop /got\n", "").error());
    }
}
