package io.berth.engine.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.eventlog.kafka.KafkaBroker;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real daemons on two roots (two host ids) mirror into one topic of a real broker; {@code berth fleet}
 * reads the topic alone (no daemon) and shows both hosts' containers and events.
 */
class FleetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "berth.fleet";
    private static Path scratch;
    private static KafkaBroker broker;
    private static LocalRegistry registry;
    private static final List<Process> daemons = new ArrayList<>();
    private static Path rootA;
    private static Path rootB;
    private static String hostA;
    private static String hostB;
    private static long lastA;
    private static long lastB;

    @BeforeAll
    static void twoHostsMirroringIntoOneTopic() throws Exception {
        scratch = Files.createTempDirectory("berth-fleet-it");
        broker = KafkaBroker.start(scratch);
        registry = LocalRegistry.start();
        registry.push(TestImages.busybox(TestImages.Format.OCI), "fleet/busybox", "1");
        String image = registry.host() + "/fleet/busybox:1";
        Path plugins = scratch.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        rootA = Files.createDirectories(scratch.resolve("host-a"));
        rootB = Files.createDirectories(scratch.resolve("host-b"));
        List<String> mirror = List.of("--kafka-bootstrap-servers", broker.bootstrapServers(), "--kafka-topic", TOPIC);
        for (int i = 0; i < 2; i++) {
            Path root = i == 0 ? rootA : rootB;
            // one after the other: two cold daemons loading plugins at once are slow on a busy two-core machine
            daemons.add(TestDaemons.startChildDaemon(root, plugins, root.resolve("daemon.log"), mirror));
            try {
                TestDaemons.awaitPing(root.resolve("berth.sock"), daemons.get(i), root.resolve("daemon.log"));
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + "; its log:\n" + Files.readString(root.resolve("daemon.log")), e);
            }
            UnixHttp.Response pulled = UnixHttp.post(root.resolve("berth.sock"), "/images/create?fromImage="
                    + URLEncoder.encode(registry.host() + "/fleet/busybox", StandardCharsets.UTF_8) + "&tag=1", "");
            assertEquals(200, pulled.status(), pulled.body());
        }
        String body = "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"60\"]}";
        assertEquals(201, UnixHttp.post(rootA.resolve("berth.sock"), "/containers/create?name=web", body).status());
        assertEquals(201, UnixHttp.post(rootB.resolve("berth.sock"), "/containers/create?name=db", body).status());
        UnixHttp.Response tmp = UnixHttp.post(rootB.resolve("berth.sock"), "/containers/create?name=scratch", body);
        assertEquals(201, tmp.status(), tmp.body());
        String tmpId = JSON.readTree(tmp.body()).get("Id").asText();
        assertEquals(204, UnixHttp.send(rootB.resolve("berth.sock"), "DELETE", "/containers/" + tmpId, null).status());

        hostA = info(rootA).at("/Berth/HostId").asText();
        hostB = info(rootB).at("/Berth/HostId").asText();
        assertFalse(hostA.equals(hostB), "two roots, two host ids");
        lastA = awaitMirrored(rootA);
        lastB = awaitMirrored(rootB);
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (Process daemon : daemons) {
            daemon.destroy();
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor();
            }
        }
        try {
            if (broker != null) {
                broker.close();
            }
            if (registry != null) {
                registry.close();
            }
        } finally {
            TestDaemons.deleteTree(scratch);
        }
    }

    @Test
    void givenTwoHostsWhenFleetPsAllThenEachHostsContainersAreShownWithTheirHost() throws Exception {
        Result ps = fleet("ps", "-a", "--format", "json", "--bootstrap-servers", broker.bootstrapServers(), "--topic", TOPIC);
        assertEquals(0, ps.code(), ps.err());
        JsonNode list = JSON.readTree(ps.out());
        assertEquals(2, list.size(), ps.out());
        for (JsonNode c : list) {
            String name = c.at("/Names/0").asText();
            assertEquals(name.equals("/web") ? hostA : hostB, c.get("Host").asText(), ps.out());
            assertEquals("created", c.get("State").asText());
            assertEquals("sleep 60", c.get("Command").asText());
        }
        assertEquals(List.of("/db", "/web"), sortedNames(list), "the removed container is gone");

        Result running = fleet("ps", "--bootstrap-servers", broker.bootstrapServers(), "--topic", TOPIC);
        assertEquals(0, running.code(), running.err());
        assertEquals(1, running.out().lines().count(), "only the header: no container is running\n" + running.out());

        Result table = fleet("ps", "-a", "--bootstrap-servers", broker.bootstrapServers(), "--topic", TOPIC);
        assertTrue(table.out().startsWith("HOST"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith(FleetMain.shortId(hostA)) && l.endsWith("web")), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith(FleetMain.shortId(hostB)) && l.endsWith("db")), table.out());
    }

    @Test
    void givenTwoHostsWhenFleetEventsThenBothLogsArriveMergedByTimeWithoutGapsOrDuplicates() throws Exception {
        Result events = fleet("events", "--format", "json", "--bootstrap-servers", broker.bootstrapServers(), "--topic", TOPIC);
        assertEquals(0, events.code(), events.err());
        List<JsonNode> all = new ArrayList<>();
        for (String line : events.out().lines().toList()) {
            all.add(JSON.readTree(line));
        }
        assertEquals(lastA + lastB, all.size(), "every event of both hosts once");
        for (int i = 1; i < all.size(); i++) {
            assertFalse(java.time.Instant.parse(all.get(i).get("time").asText()).isBefore(java.time.Instant.parse(all.get(i - 1).get("time").asText())),
                    "merged by time at " + i);
        }
        for (String host : List.of(hostA, hostB)) {
            List<Long> sequences = all.stream().filter(e -> e.get("hostId").asText().equals(host)).map(e -> e.get("sequence").asLong()).toList();
            List<Long> expected = java.util.stream.LongStream.rangeClosed(1, host.equals(hostA) ? lastA : lastB).boxed().toList();
            assertEquals(expected, sequences, "host " + host + " in log order, no gap");
        }

        Result web = fleet("events", "--filter", "container=web", "--filter", "event=create",
                "--bootstrap-servers", broker.bootstrapServers(), "--topic", TOPIC);
        assertEquals(0, web.code(), web.err());
        assertEquals(1, web.out().lines().count(), web.out());
        assertTrue(web.out().contains(" " + FleetMain.shortId(hostA) + " ContainerCreated "), web.out());

        Result onlyB = fleet("events", "--filter", "host=" + hostB, "--since", "1h", "--format", "json",
                "--bootstrap-servers", broker.bootstrapServers(), "--topic", TOPIC);
        assertEquals(lastB, onlyB.out().lines().count(), onlyB.err());
    }

    @Test
    void givenTheInstallationWhenBerthFleetPsRunsThenTheLauncherRunsItOnTheEngineClassPath() throws Exception {
        // The launcher's source beside the engine's installed class path: cli-thin installs bin/ after this module's tests.
        Path repository = TestDaemons.dist().getParent().getParent();
        Path installation = Files.createDirectories(scratch.resolve("installation/bin"));
        Path launcher = Files.copy(repository.resolve("cli-thin/src/dist/bin/berth"), installation.resolve("berth"));
        assertTrue(launcher.toFile().setExecutable(true));
        Path engineLib = TestDaemons.dist().resolve("lib/engine");
        Files.createDirectories(installation.resolveSibling("lib"));
        Files.createSymbolicLink(installation.resolveSibling("lib").resolve("engine"), engineLib);
        try (var jars = Files.list(engineLib)) {
            assertTrue(jars.anyMatch(j -> j.getFileName().toString().startsWith("kafka-clients-")), "kafka-clients in lib/engine");
        }
        Process p = new ProcessBuilder(launcher.toString(), "fleet", "ps", "-a", "--bootstrap-servers", broker.bootstrapServers(),
                "--topic", TOPIC).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.lines().anyMatch(l -> l.endsWith(" web")) && out.lines().anyMatch(l -> l.endsWith(" db")), out);
    }

    @Test
    void givenBadInputWhenFleetRunsThenOneLineErrors() {
        Result time = fleet("events", "--since", "yesterday", "--bootstrap-servers", broker.bootstrapServers());
        assertEquals(125, time.code());
        assertEquals("berth fleet: invalid value for --since: \"yesterday\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N",
                time.err().strip());
        Result filter = fleet("events", "--filter", "colour=red", "--bootstrap-servers", broker.bootstrapServers(), "--topic", TOPIC);
        assertEquals(125, filter.code());
        assertEquals("berth fleet: invalid filter 'colour'", filter.err().strip());
        Result noTopic = fleet("ps", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "no.such.topic");
        assertEquals(1, noTopic.code());
        assertEquals(1, noTopic.err().strip().lines().count(), noTopic.err());
        assertTrue(noTopic.err().contains("topic no.such.topic does not exist"), noTopic.err());
        Result noBroker = fleet("ps", "--config-file", scratch.resolve("absent.json").toString());
        assertEquals(125, noBroker.code());
        assertTrue(noBroker.err().startsWith("berth fleet: cannot read config file "), noBroker.err());
    }

    private static List<String> sortedNames(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(c -> names.add(c.at("/Names/0").asText()));
        names.sort(null);
        return names;
    }

    record Result(int code, String out, String err) {}

    private static Result fleet(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FleetMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode info(Path root) throws Exception {
        return JSON.readTree(UnixHttp.get(root.resolve("berth.sock"), "/info").body());
    }

    /** Waits until the host's mirror has every event of its log acknowledged; returns its last sequence. */
    private static long awaitMirrored(Path root) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode info = info(root);
            long last = info.at("/Berth/EventLog/LastSequence").asLong();
            if (info.at("/Berth/KafkaMirror/AcknowledgedSequence").asLong() == last) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("host at " + root + " not mirrored: " + info.at("/Berth/KafkaMirror"));
            }
            Thread.sleep(100);
        }
    }
}
