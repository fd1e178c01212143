package io.berth.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.eventlog.kafka.KafkaBroker;
import io.berth.eventlog.kafka.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real daemon mirroring to a real broker: kill -9 in the middle of mirroring, an unreachable broker. */
class KafkaMirrorDaemonIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path scratch;
    private static KafkaBroker broker;

    private Path root;
    private Process daemon;

    @BeforeAll
    static void startBroker() throws Exception {
        scratch = Files.createTempDirectory("berth-kafka-daemon-it");
        broker = KafkaBroker.start(scratch);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
        TestDaemons.deleteTree(scratch);
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor();
        }
        TestDaemons.deleteTree(root);
    }

    @Test
    void givenADaemonKilledWhileMirroringWhenItRestartsThenNoSequenceIsMissingFromTheTopic() throws Exception {
        root = Files.createTempDirectory(scratch, "root-");
        Path config = root.resolve("daemon.json");
        // configured through the config file, as an operator would
        Files.writeString(config, "{\"kafka-bootstrap-servers\": \"" + broker.bootstrapServers() + "\", \"kafka-topic\": \"berth.kill\","
                + " \"kafka-properties\": {\"linger.ms\": 20}}");
        List<String> flags = List.of("--config-file", config.toString());
        Path socket = root.resolve("berth.sock");
        daemon = start(flags);

        // notes go in from another thread while the daemon is killed under them
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        Thread writer = Thread.ofPlatform().start(() -> {
            while (writing.get()) {
                try {
                    if (UnixHttp.post(socket, "/berth/system/note", "{\"Text\":\"busy\"}").status() == 201) {
                        answered.incrementAndGet();
                    }
                } catch (Exception daemonGone) {
                    return;
                }
            }
        });
        awaitAcknowledged(socket, 50, Duration.ofSeconds(60));
        while (answered.get() < 150) {
            Thread.sleep(10);
        }
        daemon.destroyForcibly(); // SIGKILL while notes are being appended and mirrored
        daemon.waitFor();
        writing.set(false);
        writer.join();

        daemon = start(flags);
        for (int i = 0; i < 20; i++) {
            assertEquals(201, UnixHttp.post(socket, "/berth/system/note", "{\"Text\":\"after restart\"}").status());
        }
        JsonNode info = JSON.readTree(UnixHttp.get(socket, "/info").body());
        long last = info.at("/Berth/EventLog/LastSequence").asLong();
        String hostId = info.at("/Berth/HostId").asText();
        awaitAcknowledged(socket, last, Duration.ofSeconds(60));
        assertEquals("connected", mirrorOf(socket).path("State").asText());
        assertEquals(0, mirrorOf(socket).path("Lag").asLong());

        List<TopicRecords.Consumed> records = TopicRecords.read(broker.bootstrapServers(), "berth.kill",
                r -> distinctSequences(r) >= last, Duration.ofSeconds(60));
        assertTrue(records.stream().allMatch(r -> r.hostId().equals(hostId)));
        Set<Long> seen = new HashSet<>();
        records.forEach(r -> seen.add(r.sequence()));
        List<Long> missing = new ArrayList<>();
        for (long s = 1; s <= last; s++) {
            if (!seen.contains(s)) {
                missing.add(s);
            }
        }
        assertEquals(List.of(), missing, "sequences missing from the topic after kill -9 and restart");
        assertTrue(answered.get() >= 150);
    }

    @Test
    void givenAnUnreachableBrokerWhenTheDaemonStartsThenCommandsWorkAndInfoShowsTheMirrorDownAndBehind() throws Exception {
        root = Files.createTempDirectory(scratch, "root-");
        Path socket = root.resolve("berth.sock");
        daemon = start(List.of("--kafka-bootstrap-servers", "127.0.0.1:1"));
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            assertEquals(201, UnixHttp.post(socket, "/berth/system/note", "{\"Text\":\"broker down\"}").status());
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "a command never waits for Kafka");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode mirror = mirrorOf(socket);
        while (!mirror.path("State").asText().equals("down") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            mirror = mirrorOf(socket);
        }
        assertEquals("down", mirror.path("State").asText(), mirror.toString());
        assertFalse(mirror.path("Since").asText().isEmpty());
        assertFalse(mirror.path("LastError").asText().isEmpty());
        assertEquals("127.0.0.1:1", mirror.path("BootstrapServers").asText());
        assertEquals("berth.events", mirror.path("Topic").asText());
        long last = JSON.readTree(UnixHttp.get(socket, "/info").body()).at("/Berth/EventLog/LastSequence").asLong();
        assertTrue(last >= 6, "DaemonStarted and five notes");
        assertEquals(last, mirror.path("Lag").asLong(), "nothing was acknowledged: the lag is the whole log");

        String metrics = UnixHttp.get(socket, "/berth/metrics").body();
        assertTrue(metrics.contains("\nberth_kafka_mirror_lag_events " + last + "\n"), metrics);
        assertTrue(metrics.contains("\nberth_kafka_mirror_up 0\n"), metrics);
        assertTrue(metrics.contains("# TYPE berth_kafka_mirror_lag_events gauge\n"), metrics);
    }

    private Process start(List<String> flags) throws Exception {
        Path plugins = Files.createDirectories(root.resolve("no-plugins"));
        Path log = root.resolve("daemon.log");
        Process process = TestDaemons.startChildDaemon(root, plugins, log, flags);
        TestDaemons.awaitPing(root.resolve("berth.sock"), process, log);
        return process;
    }

    private static JsonNode mirrorOf(Path socket) throws Exception {
        return JSON.readTree(UnixHttp.get(socket, "/info").body()).at("/Berth/KafkaMirror");
    }

    private static void awaitAcknowledged(Path socket, long sequence, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode mirror = mirrorOf(socket);
        while (mirror.path("AcknowledgedSequence").asLong() < sequence) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not acknowledged up to " + sequence + " within " + timeout + ": " + mirror);
            }
            Thread.sleep(50);
            mirror = mirrorOf(socket);
        }
    }

    private static long distinctSequences(List<TopicRecords.Consumed> records) {
        return records.stream().map(TopicRecords.Consumed::sequence).distinct().count();
    }
}
