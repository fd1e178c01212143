package io.berth.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** kill -9 of the daemon right after it answered: the answered request's event is in the log after a restart. */
class DurabilityIT {
    private Path root;
    private Process daemon;

    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor();
        }
        TestDaemons.deleteTree(root);
    }

    @Test
    void givenAnAnsweredRequestWhenTheDaemonIsKilledThenTheEventSurvivesTheRestart() throws Exception {
        root = Files.createTempDirectory("berth-durability-it");
        Path plugins = Files.createDirectories(root.resolve("no-plugins"));
        Path log = root.resolve("daemon.log");
        Path socket = root.resolve("berth.sock");
        daemon = TestDaemons.startChildDaemon(root, plugins, log);
        TestDaemons.awaitPing(socket, daemon, log);

        UnixHttp.Response answered = UnixHttp.post(socket, "/berth/system/note", "{\"Text\":\"written before kill -9\"}");
        assertEquals(201, answered.status(), answered.body());
        long sequence = new ObjectMapper().readTree(answered.body()).get("Sequence").asLong();
        daemon.destroyForcibly(); // SIGKILL: no shutdown hook, no DaemonStopped, no snapshot
        daemon.waitFor();

        daemon = TestDaemons.startChildDaemon(root, plugins, log);
        TestDaemons.awaitPing(socket, daemon, log);
        String body = UnixHttp.get(socket, "/berth/events?since=seq:" + (sequence - 1) + "&until=seq:" + sequence).body();
        JsonNode event = new ObjectMapper().readTree(body.strip());
        assertEquals("NoteRecorded", event.get("type").asText());
        assertEquals("written before kill -9", event.get("payload").get("text").asText());
        String all = UnixHttp.get(socket, "/berth/events?since=0").body();
        assertTrue(all.lines().noneMatch(l -> l.contains("\"DaemonStopped\"")), "a killed daemon records no stop");
        assertEquals(2, all.lines().filter(l -> l.contains("\"DaemonStarted\"")).count());
    }
}
