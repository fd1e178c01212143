package io.berth.engine.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.engine.offline.OfflineMainAccess;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Time travel and audit on a real daemon with real containers (runc, conmon, overlayfs), an image pulled
 * from a real registry: a container {@code web} is created, started, exits and is removed; a second
 * {@code web} is created later. The state before the removal still shows the first; the audit of
 * {@code web} holds both, with who did each step; the offline audit of a copied log says the same.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HistoryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static Instant beforePull;
    private static Instant beforeRemove;
    private static Instant afterRemove;
    private static String firstWeb;
    private static String secondWeb;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        TestImages.TestImage busybox = TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(),
                TestImages.Compression.GZIP, List.of(TestImages.busyboxTar()), "");
        registry.push(busybox, "history/busybox", "1");
        root = Files.createTempDirectory("berth-history-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        beforePull = pause();
        UnixHttp.Response pulled = UnixHttp.post(socket(), "/images/create?fromImage=" + enc(registry.host() + "/history/busybox") + "&tag=1", "");
        assertTrue(pulled.body().contains("Downloaded newer image"), pulled.body());

        firstWeb = create("web");
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + firstWeb + "/start", "").status());
        assertEquals(0, JSON.readTree(UnixHttp.post(socket(), "/containers/" + firstWeb + "/wait", "").body()).get("StatusCode").asInt());
        awaitLeftDefaultNetwork(firstWeb);
        assertEquals(201, UnixHttp.post(socket(), "/volumes/create", "{\"Name\":\"history-data\"}").status());
        beforeRemove = pause();
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/" + firstWeb, null).status());
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/volumes/history-data", null).status());
        afterRemove = pause();
        secondWeb = create("web");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (daemon != null) {
                for (String id : daemon.containers().list().stream().map(c -> c.id()).toList()) {
                    UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1&v=1", null);
                }
                daemon.stop("test finished");
            }
            assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(root.toString()), "a mount under the test root is left");
        } finally {
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** A moment strictly between the events before and after it. */
    private static Instant pause() throws InterruptedException {
        Thread.sleep(20);
        Instant now = Instant.now();
        Thread.sleep(20);
        return now;
    }

    /**
     * Waits for the daemon's release of an exited container's network, which runs after the wait returns (as
     * Docker's "network disconnect" follows "die"): otherwise whether it falls before or after the next step races.
     */
    private static void awaitLeftDefaultNetwork(String id) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (JSON.readTree(UnixHttp.get(socket(), "/networks/bridge").body()).path("Containers").has(id)) {
            assertTrue(System.nanoTime() < deadline, "container " + id + " still on the default network 20 s after its exit");
            Thread.sleep(10);
        }
    }

    private static String create(String name) throws IOException {
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create?name=" + name,
                "{\"Image\":\"" + registry.host() + "/history/busybox:1\",\"Cmd\":[\"true\"]}");
        assertEquals(201, created.status(), created.body());
        return JSON.readTree(created.body()).get("Id").asText();
    }

    private static Path socket() {
        return root.resolve("berth.sock");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String at(Instant t) {
        return enc(t.getEpochSecond() + "." + String.format("%09d", t.getNano()));
    }

    private static List<String> ids(JsonNode containers) {
        List<String> ids = new ArrayList<>();
        containers.forEach(c -> ids.add(c.get("Id").asText()));
        return ids;
    }

    @Test
    @Order(1)
    void givenARemovedContainer_whenListedAtAMomentBeforeTheRemoval_thenItIsThere_andAfterItIsNot() throws IOException {
        UnixHttp.Response before = UnixHttp.get(socket(), "/containers/json?all=1&at=" + at(beforeRemove));
        assertEquals(200, before.status(), before.body());
        assertEquals(List.of(firstWeb), ids(JSON.readTree(before.body())));
        assertEquals("exited", JSON.readTree(before.body()).get(0).get("State").asText());
        assertNotNull(before.headers().get(TimeTravel.AT_SEQUENCE_HEADER.toLowerCase()), before.headers().toString());

        assertEquals(List.of(), ids(JSON.readTree(UnixHttp.get(socket(), "/containers/json?all=1&at=" + at(afterRemove)).body())));
        assertEquals(List.of(secondWeb), ids(JSON.readTree(UnixHttp.get(socket(), "/containers/json?all=1").body())));
    }

    @Test
    @Order(2)
    void givenARemovedContainer_whenInspectedByNameAtAMomentBeforeTheRemoval_thenItsStateThenIsShown() throws IOException {
        UnixHttp.Response then = UnixHttp.get(socket(), "/containers/web/json?at=" + at(beforeRemove));
        assertEquals(200, then.status(), then.body());
        JsonNode body = JSON.readTree(then.body());
        assertEquals(firstWeb, body.get("Id").asText());
        assertEquals("exited", body.path("State").path("Status").asText());
        assertEquals(secondWeb, JSON.readTree(UnixHttp.get(socket(), "/containers/web/json").body()).get("Id").asText());
        assertEquals(404, UnixHttp.get(socket(), "/containers/" + firstWeb + "/json").status());
        assertEquals(404, UnixHttp.get(socket(), "/containers/web/json?at=" + at(beforePull)).status());
    }

    @Test
    @Order(3)
    void imagesAndVolumesTravelToo() throws IOException {
        assertEquals(0, JSON.readTree(UnixHttp.get(socket(), "/images/json?at=" + at(beforePull)).body()).size());
        assertEquals(1, JSON.readTree(UnixHttp.get(socket(), "/images/json?at=" + at(beforeRemove)).body()).size());
        assertEquals(200, UnixHttp.get(socket(), "/images/" + registry.host() + "/history/busybox:1/json?at=" + at(beforeRemove)).status());
        assertEquals(404, UnixHttp.get(socket(), "/images/" + registry.host() + "/history/busybox:1/json?at=" + at(beforePull)).status());
        JsonNode volumesThen = JSON.readTree(UnixHttp.get(socket(), "/volumes?at=" + at(beforeRemove)).body()).get("Volumes");
        assertEquals("history-data", volumesThen.get(0).get("Name").asText());
        assertEquals(0, JSON.readTree(UnixHttp.get(socket(), "/volumes?at=" + at(afterRemove)).body()).get("Volumes").size());
        assertEquals(200, UnixHttp.get(socket(), "/volumes/history-data?at=" + at(beforeRemove)).status());
    }

    @Test
    @Order(4)
    void aSequenceNumberIsAMomentToo_andAMalformedMomentIsOneLine400() throws IOException {
        long sequence = Long.parseLong(UnixHttp.get(socket(), "/containers/json?all=1&at=" + at(beforeRemove))
                .headers().get(TimeTravel.AT_SEQUENCE_HEADER.toLowerCase()));
        assertEquals(List.of(firstWeb), ids(JSON.readTree(UnixHttp.get(socket(), "/containers/json?all=1&at=seq:" + sequence).body())));
        UnixHttp.Response bad = UnixHttp.get(socket(), "/containers/json?all=1&at=yesterday");
        assertEquals(400, bad.status());
        String message = JSON.readTree(bad.body()).get("message").asText();
        assertEquals("invalid value for at: \"yesterday\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N", message);
    }

    private static List<JsonNode> audit(String query) throws IOException {
        UnixHttp.Response r = UnixHttp.get(socket(), "/berth/audit" + query);
        assertEquals(200, r.status(), r.body());
        List<JsonNode> entries = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                entries.add(JSON.readTree(line));
            }
        }
        return entries;
    }

    @Test
    @Order(5)
    void givenTwoContainersNamedWeb_whenAudited_thenBothLivesAreShownWithWhoDidEachStep() throws IOException {
        List<JsonNode> trail = audit("?object=container&name=web");
        List<String> steps = trail.stream().map(e -> e.get("type").asText() + " " + e.get("subject").asText().substring(0, 12)).toList();
        assertEquals(List.of("ContainerCreated " + firstWeb.substring(0, 12), "ContainerStarted " + firstWeb.substring(0, 12),
                "ContainerExited " + firstWeb.substring(0, 12), "ContainerRemoved " + firstWeb.substring(0, 12),
                "ContainerCreated " + secondWeb.substring(0, 12)), steps);
        String me = System.getProperty("user.name");
        for (JsonNode entry : trail) {
            if (!entry.get("type").asText().equals("ContainerExited")) { // an exit is noticed by the daemon itself
                assertEquals(me, entry.path("actor").path("user").asText(), entry.toString());
                assertTrue(entry.path("actor").path("pid").asLong() > 0, entry.toString());
            }
            assertFalse(entry.path("correlationId").asText().isEmpty(), entry.toString());
        }
        assertEquals("created container web from " + registry.host() + "/history/busybox:1", trail.getFirst().get("description").asText());
        assertEquals("exited with code 0", trail.get(2).get("description").asText());
        // an id prefix names one container only
        assertEquals(4, audit("?object=container&name=" + firstWeb.substring(0, 12)).size());
    }

    @Test
    @Order(6)
    void auditByActorAndTime_andBadAuditQueriesAreOneLine400s() throws IOException {
        String me = System.getProperty("user.name");
        List<JsonNode> mine = audit("?actor=" + me + "&since=" + at(beforeRemove) + "&until=" + at(afterRemove));
        assertEquals(List.of("ContainerRemoved", "VolumeRemoved"), mine.stream().map(e -> e.get("type").asText()).toList());
        // the container left the default network at its exit, by the daemon's own hand, before the rm
        assertTrue(audit("?since=" + at(beforePull) + "&until=" + at(beforeRemove)).stream()
                .anyMatch(e -> e.get("type").asText().equals("ContainerDisconnected")
                        && e.get("description").asText().equals("disconnected container " + firstWeb.substring(0, 12))),
                "no ContainerDisconnected of the first web container before its rm");
        assertEquals(List.of(), audit("?actor=nobody-here"));
        assertEquals(2, audit("?object=volume&name=history-data").size());
        List<String> imageTrail = audit("?object=image&name=history/busybox:1&until=" + at(beforeRemove)).stream()
                .map(e -> e.get("type").asText()).toList();
        assertEquals("PullStarted", imageTrail.getFirst(), imageTrail.toString());
        assertTrue(imageTrail.contains("ImagePulled"), imageTrail.toString());

        UnixHttp.Response badType = UnixHttp.get(socket(), "/berth/audit?object=network&name=x");
        assertEquals(400, badType.status());
        assertTrue(JSON.readTree(badType.body()).get("message").asText().startsWith("invalid audit object type 'network'"));
        assertEquals(400, UnixHttp.get(socket(), "/berth/audit?object=container").status());
        assertEquals(400, UnixHttp.get(socket(), "/berth/audit?since=soon").status());
    }

    @Test
    @Order(7)
    void givenACopyOfTheLog_whenAuditedOffline_thenTheTimelineIsTheDaemonsAndTheCopyIsUntouched() throws Exception {
        Path copy = Files.createTempDirectory("berth-history-copy");
        try {
            copyTree(root.resolve("events"), copy.resolve("events"));
            Map<String, String> before = digests(copy);
            List<String> daemonLines = audit("?object=container&name=web").stream()
                    .map(e -> AuditEntry.line((com.fasterxml.jackson.databind.node.ObjectNode) e)).toList();

            // the log directory itself, and the root that holds it as events/
            for (Path dir : List.of(copy.resolve("events"), copy)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int code = OfflineMainAccess.run(List.of("audit", "--log", dir.toString(), "container", "web"), new PrintStream(out, true, StandardCharsets.UTF_8));
                assertEquals(0, code);
                assertEquals(daemonLines, out.toString(StandardCharsets.UTF_8).lines().toList());
            }
            assertEquals(before, digests(copy), "the offline audit changed the copied log");

            RuntimeException notALog = assertThrows(RuntimeException.class,
                    () -> OfflineMainAccess.run(List.of("audit", "--log", root.resolve("plugin-jars").toString()), new PrintStream(new ByteArrayOutputStream())));
            assertEquals("event log directory " + root.resolve("plugin-jars") + " holds no berth event log (no berth-log.json)", notALog.getMessage());
            Files.writeString(copy.resolve("events").resolve("berth-log.json"), "{\"schemaVersion\":7,\"hostId\":\"x\"}");
            RuntimeException newer = assertThrows(RuntimeException.class,
                    () -> OfflineMainAccess.run(List.of("audit", "--log", copy.toString()), new PrintStream(new ByteArrayOutputStream())));
            assertTrue(newer.getMessage().contains("was written by a newer berth (log format 7"), newer.getMessage());
        } finally {
            TestDaemons.deleteTree(copy);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                digests.put(dir.relativize(f).toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))) + "@" + Files.getLastModifiedTime(f));
            }
        }
        return digests;
    }

    @Test
    @Order(8)
    void givenCompactionBeforeTheRemoval_thenTimeTravelBeforeItIsRefusedClearly_andReplayStillVerifies() throws IOException {
        UnixHttp.Response compacted = UnixHttp.post(socket(), "/berth/system/compact?before=" + at(beforeRemove), "");
        assertEquals(200, compacted.status(), compacted.body());
        JsonNode answer = JSON.readTree(compacted.body());
        long through = answer.get("ThroughSequence").asLong();
        assertTrue(answer.get("Snapshot").asText().startsWith("compacted-"), answer.toString());
        assertTrue(Files.exists(root.resolve("snapshots").resolve(answer.get("Snapshot").asText())));
        assertEquals(0, answer.get("ArchivedFiles").size(), "every event of this test is in today's file, which stays");

        UnixHttp.Response before = UnixHttp.get(socket(), "/containers/json?all=1&at=" + at(beforePull));
        assertEquals(400, before.status());
        assertTrue(JSON.readTree(before.body()).get("message").asText().startsWith("history before event " + through + " ("),
                before.body());
        assertTrue(JSON.readTree(before.body()).get("message").asText().contains(") was compacted: the state at "), before.body());
        // the compaction point itself and later moments still travel
        assertEquals(List.of(firstWeb), ids(JSON.readTree(UnixHttp.get(socket(), "/containers/json?all=1&at=seq:" + through).body())));
        assertEquals(List.of(), ids(JSON.readTree(UnixHttp.get(socket(), "/containers/json?all=1&at=" + at(afterRemove)).body())));

        JsonNode replay = JSON.readTree(UnixHttp.post(socket(), "/berth/system/replay", "").body());
        assertTrue(replay.get("Equal").asBoolean(), replay.toString());
        assertEquals(400, UnixHttp.post(socket(), "/berth/system/compact?before=" + at(beforePull), "").status(), "already compacted there");
        assertEquals(400, UnixHttp.post(socket(), "/berth/system/compact", "").status());
        List<JsonNode> compactions = audit("?object=daemon&name=" + daemon.journal().log().hostId());
        assertEquals("LogCompacted", compactions.getLast().get("type").asText());
    }
}
