package io.berth.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code berth info} prints the Kafka mirror's state and how far behind it is. */
class InfoCommandTest {
    @TempDir
    Path dir;

    private static String info(String mirror) {
        return "{\"ID\":\"h1\",\"Containers\":0,\"Images\":0,\"ServerVersion\":\"0.1.0\",\"Berth\":{\"HostId\":\"h1\","
                + "\"EventLog\":{\"Path\":\"/var/lib/berth/events\",\"LastSequence\":120},\"KafkaMirror\":" + mirror + "}}";
    }

    /** A label and its value as info aligns them (values at column 20). */
    private static String line(String label, String value) {
        return label + " ".repeat(20 - label.length()) + value;
    }

    @Test
    void givenAMirrorThatIsDown_whenInfo_thenItsStateSinceLagAndErrorArePrinted() throws Exception {
        String down = "{\"State\":\"down\",\"Since\":\"2026-11-28T13:00:00Z\",\"BootstrapServers\":\"127.0.0.1:9092\","
                + "\"Topic\":\"berth.events\",\"LastSequence\":120,\"AcknowledgedSequence\":100,\"Lag\":20,"
                + "\"LastError\":\"TimeoutException: Topic berth.events not present in metadata after 5000 ms.\"}";
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, info(down))) {
            CliRun r = CliRun.run("-H", s.host(), "info");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains(line("  Kafka Mirror:", "down since 2026-11-28T13:00:00Z\n")), r.out());
            assertTrue(r.out().contains(line("   Brokers:", "127.0.0.1:9092\n")), r.out());
            assertTrue(r.out().contains(line("   Acknowledged:", "100\n")), r.out());
            assertTrue(r.out().contains(line("   Lag:", "20 events\n")), r.out());
            assertTrue(r.out().contains(line("   Last Error:", "TimeoutException: Topic berth.events not present")), r.out());
        }
    }

    @Test
    void givenNoMirror_whenInfo_thenItSaysOff() throws Exception {
        String off = "{\"State\":\"off\",\"Since\":\"\",\"BootstrapServers\":\"\",\"Topic\":\"\",\"LastSequence\":120,"
                + "\"AcknowledgedSequence\":0,\"Lag\":0,\"LastError\":\"\"}";
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, info(off))) {
            CliRun r = CliRun.run("-H", s.host(), "info");
            assertTrue(r.out().contains(line("  Kafka Mirror:", "off\n")), r.out());
            assertFalse(r.out().contains("Lag:"), r.out());
        }
    }
}
