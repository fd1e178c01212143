package io.berth.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real daemon (real Chronicle log, real PF4J plugin jars, real Unix socket) driven over HTTP. */
class DaemonIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path root;
    private Path plugins;
    private Daemon daemon;

    @BeforeEach
    void startDaemon() throws Exception {
        root = Files.createTempDirectory("berth-daemon-it");
        plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        Files.write(plugins.resolve("zz-broken.jar"), new byte[] {1, 2, 3, 4, 5});
        TestDaemons.manifestOnlyJar(plugins.resolve("zz-too-new.jar"), Map.of(
                "Plugin-Id", "too-new", "Plugin-Version", "1.0.0", "Plugin-Requires", ">=99.0.0",
                "Plugin-Class", "org.pf4j.Plugin"));
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
    }

    @AfterEach
    void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.stop("test finished");
        }
        TestDaemons.deleteTree(root);
    }

    private Path socket() {
        return root.resolve("berth.sock");
    }

    private List<JsonNode> berthEvents(String query) throws IOException {
        UnixHttp.Response response = UnixHttp.get(socket(), "/berth/events" + query);
        assertEquals(200, response.status(), response.body());
        List<JsonNode> events = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (!line.isBlank()) {
                events.add(JSON.readTree(line));
            }
        }
        return events;
    }

    @Test
    void pingAnswersOkWithAndWithoutVersionPrefix() throws IOException {
        UnixHttp.Response plain = UnixHttp.get(socket(), "/_ping");
        UnixHttp.Response versioned = UnixHttp.get(socket(), "/v1.43/_ping");
        assertEquals("OK", plain.body());
        assertEquals("OK", versioned.body());
        assertEquals("1.43", plain.headers().get("api-version"));
    }

    @Test
    void versionAnswersWithDockersFieldNames() throws IOException {
        JsonNode version = JSON.readTree(UnixHttp.get(socket(), "/v1.43/version").body());
        for (String field : List.of("Platform", "Components", "Version", "ApiVersion", "MinAPIVersion", "Os", "Arch", "KernelVersion")) {
            assertTrue(version.has(field), "missing " + field + " in " + version);
        }
        assertEquals("linux", version.get("Os").asText());
        assertEquals("Engine", version.get("Components").get(0).get("Name").asText());
        // Clients compare Version against Docker's releases (Testcontainers wants >= 1.6.0); berth's own is a component.
        assertEquals("24.0.0", version.get("Version").asText());
        assertEquals("24.0.0", version.get("Components").get(0).get("Version").asText());
        assertEquals("berth", version.get("Components").get(1).get("Name").asText());
        assertEquals(io.berth.engine.BerthVersion.version(), version.get("Components").get(1).get("Version").asText());
    }

    @Test
    void givenAFreshRootWhenStartedThenTheLogHoldsDaemonStartAndOneEventPerPluginJar() throws IOException {
        List<JsonNode> events = berthEvents("?since=0");
        assertEquals("DaemonStarted", events.get(0).get("type").asText());
        List<String> loaded = events.stream().filter(e -> e.get("type").asText().equals("PluginLoaded"))
                .map(e -> e.get("subject").asText()).sorted().toList();
        assertEquals(List.of("network-netavark", "registry-oci", "runtime-runc", "store-overlayfs"), loaded);
        List<String> failed = events.stream().filter(e -> e.get("type").asText().equals("PluginFailed"))
                .map(e -> e.get("subject").asText()).sorted().toList();
        assertEquals(List.of("too-new", "zz-broken.jar"), failed);
        for (JsonNode event : events) {
            assertEquals(ProcessHandle.current().pid(), event.get("actor").get("pid").asLong(), "daemon's own events have the daemon as actor");
            assertEquals("berthd", event.get("actor").get("client").asText());
        }
        long previous = 0;
        for (JsonNode event : events) {
            assertEquals(previous + 1, event.get("sequence").asLong(), "sequences are gap-free");
            previous = event.get("sequence").asLong();
        }
    }

    @Test
    void givenBrokenAndIncompatibleJarsThenPluginListSaysWhyAndTheRestRun() throws IOException {
        JsonNode list = JSON.readTree(UnixHttp.get(socket(), "/berth/plugins").body());
        Map<String, JsonNode> byId = new java.util.TreeMap<>();
        list.forEach(p -> byId.put(p.get("Id").asText(), p));
        for (String id : List.of("registry-oci", "runtime-runc", "store-overlayfs")) {
            assertEquals("STARTED", byId.get(id).get("State").asText(), id);
            assertFalse(byId.get(id).get("Extensions").isEmpty(), id + " registers an extension");
        }
        assertEquals("FAILED", byId.get("too-new").get("State").asText());
        assertTrue(byId.get("too-new").get("Error").asText().contains("requires berth >=99.0.0"), byId.get("too-new").toString());
        assertEquals("FAILED", byId.get("zz-broken.jar").get("State").asText());
        assertTrue(byId.get("zz-broken.jar").get("Error").asText().startsWith("cannot load zz-broken.jar"), byId.get("zz-broken.jar").toString());
    }

    @Test
    void givenARequestFromAnotherProcessThenItsPeerCredentialsAreTheActor() throws Exception {
        Process curl = new ProcessBuilder("curl", "-sS", "--unix-socket", socket().toString(), "-H", "Content-Type: application/json",
                "-d", "{\"Text\":\"maintenance window\"}", "http://berth/berth/system/note").redirectErrorStream(true).start();
        long curlPid = curl.pid();
        String answer = new String(curl.getInputStream().readAllBytes());
        assertEquals(0, curl.waitFor(), answer);
        JsonNode note = berthEvents("?since=0").stream().filter(e -> e.get("type").asText().equals("NoteRecorded")).findFirst()
                .orElseThrow(() -> new AssertionError("no NoteRecorded; curl said: " + answer));
        assertEquals("maintenance window", note.get("payload").get("text").asText());
        assertEquals(curlPid, note.get("actor").get("pid").asLong(), "actor pid is curl's, from SO_PEERCRED");
        assertEquals(SelfUid.uid(), note.get("actor").get("uid").asInt());
        assertTrue(note.get("actor").get("client").asText().startsWith("claimed:curl/"));
        assertNotNull(note.get("correlationId").asText());
    }

    @Test
    void givenEventsThenReplayEqualsLiveState() throws IOException {
        UnixHttp.post(socket(), "/berth/system/note", "{\"Text\":\"one\"}");
        JsonNode report = JSON.readTree(UnixHttp.post(socket(), "/berth/system/replay", "").body());
        assertTrue(report.get("Equal").asBoolean(), report.toString());
        assertEquals(daemon.journal().log().lastSequence(), report.get("LastSequence").asLong());
    }

    @Test
    void dockerEventsStreamHasDockersShapeAndEndsAtUntil() throws IOException {
        long now = java.time.Instant.now().getEpochSecond() + 1;
        UnixHttp.Response response = UnixHttp.get(socket(), "/v1.43/events?since=0&until=" + now
                + "&filters=" + java.net.URLEncoder.encode("{\"type\":[\"plugin\"]}", java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(200, response.status());
        String[] lines = response.body().strip().split("\n");
        assertEquals(6, lines.length, response.body()); // four plugins loaded, two jars failed
        JsonNode first = JSON.readTree(lines[0]);
        assertEquals("plugin", first.get("Type").asText());
        assertTrue(first.has("Action") && first.has("Actor") && first.has("timeNano") && first.has("time"));
        assertEquals("local", first.get("scope").asText());
    }

    @Test
    void badInputGetsOneLineErrorsNamingTheProblem() throws IOException {
        UnixHttp.Response badFilter = UnixHttp.get(socket(), "/berth/events?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D");
        assertEquals(400, badFilter.status());
        assertEquals("invalid filter 'colour'", JSON.readTree(badFilter.body()).get("message").asText());
        UnixHttp.Response badSince = UnixHttp.get(socket(), "/berth/events?since=yesterday");
        assertEquals(400, badSince.status());
        assertTrue(JSON.readTree(badSince.body()).get("message").asText().contains("invalid value for since: \"yesterday\""));
        UnixHttp.Response unknown = UnixHttp.get(socket(), "/v1.43/nothing-here");
        assertEquals(404, unknown.status());
        long before = daemon.journal().log().lastSequence();
        UnixHttp.Response emptyNote = UnixHttp.post(socket(), "/berth/system/note", "{\"Text\":\"\"}");
        assertEquals(400, emptyNote.status());
        assertEquals(before, daemon.journal().log().lastSequence(), "a refused request appends nothing");
    }

    @Test
    void givenARestartThenProjectionsComeBackFromSnapshotAndTail() throws Exception {
        daemon.stop("restart");
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        JsonNode info = JSON.readTree(UnixHttp.get(socket(), "/info").body());
        assertEquals(2, info.get("Berth").get("DaemonStarts").asLong());
        JsonNode report = JSON.readTree(UnixHttp.post(socket(), "/berth/system/replay", "").body());
        assertTrue(report.get("Equal").asBoolean(), report.toString());
    }

    @Test
    void givenASecondDaemonOnTheSameSocketThenItRefusesToStart() {
        StartupException e = assertThrows(StartupException.class, () -> new Daemon(TestDaemons.options(root, plugins)).start());
        assertTrue(e.getMessage().contains("already running") || e.getMessage().contains("already listening"), e.getMessage());
    }

    /** The uid of this test process. */
    static final class SelfUid {
        static int uid() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
            throw new IllegalStateException("no Uid in /proc/self/status");
        }
    }
}
