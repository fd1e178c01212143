package io.berth.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and one-line errors, as Docker's CLI gives them. */
class MainTest {
    @TempDir
    Path dir;

    private static final String ENVELOPE = "{\"schemaVersion\":1,\"sequence\":7,\"time\":\"2026-11-28T10:24:10.123456789Z\","
            + "\"type\":\"PluginLoaded\",\"subject\":\"runtime-runc\",\"actor\":{\"uid\":0,\"user\":\"root\",\"pid\":4242,"
            + "\"client\":\"berthd\"},\"correlationId\":\"c\",\"hostId\":\"h\",\"payload\":{\"version\":\"0.1.0\",\"n\":{\"a\":1}}}";

    @Test
    void givenNoArguments_thenUsageAndExit0() {
        CliRun r = CliRun.run();
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("Usage: berth"), r.out());
    }

    @Test
    void givenVersionOption_thenVersionLineAndExit0() {
        CliRun r = CliRun.run("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("berth version "), r.out());
    }

    @Test
    void givenUnknownFlag_thenPicocliMessageSeeHelpAnd125() {
        CliRun r = CliRun.run("--bogus");
        assertEquals(125, r.exitCode());
        assertEquals("Unknown option: '--bogus'\nSee 'berth --help'.\n", r.err());
    }

    @Test
    void givenUnknownFlagOfACommand_thenItsHelpIsNamed() {
        CliRun r = CliRun.run("events", "--bogus");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().endsWith("See 'berth events --help'.\n"), r.err());
    }

    @Test
    void givenUnknownCommand_then125() {
        CliRun r = CliRun.run("frobnicate");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().contains("'frobnicate'"), r.err());
        assertTrue(r.err().endsWith("See 'berth --help'.\n"), r.err());
    }

    @Test
    void givenGroupWithoutSubcommand_then125() {
        CliRun r = CliRun.run("plugin");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().startsWith("'berth plugin' requires a subcommand"), r.err());
    }

    @Test
    void givenMalformedSince_thenOneLineAnd125() {
        CliRun r = CliRun.run("-H", "unix://" + dir.resolve("none.sock"), "events", "--since", "xyz");
        assertEquals(125, r.exitCode());
        assertEquals("invalid value for --since: \"xyz\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N\n",
                r.err());
    }

    @Test
    void givenMalformedFilter_thenOneLineAnd125() {
        CliRun r = CliRun.run("events", "--filter", "oops");
        assertEquals(125, r.exitCode());
        assertEquals("invalid value for --filter: \"oops\": expected key=value\n", r.err());
    }

    @Test
    void givenUnreadableTemplate_thenOneLineAnd125() {
        CliRun r = CliRun.run("version", "--format", "{{.Server.Version");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().startsWith("template parsing error:") && r.err().lines().count() == 1, r.err());
    }

    @Test
    void givenTcpHost_thenOneLineAnd125() {
        CliRun r = CliRun.run("-H", "tcp://127.0.0.1:2375", "info");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().startsWith("invalid value for --host: \"tcp://127.0.0.1:2375\""), r.err());
    }

    @Test
    void givenSocketPathThatIsARegularFile_thenNotASocketAnd125() throws Exception {
        Path file = Files.writeString(dir.resolve("berth.sock"), "");
        CliRun r = CliRun.run("-H", "unix://" + file, "info");
        assertEquals(125, r.exitCode());
        assertEquals(file + ": not a socket\n", r.err());
    }

    @Test
    void givenBerthHostEnvironment_thenItIsUsed() throws Exception {
        Path file = Files.writeString(dir.resolve("env.sock"), "");
        CliRun r = CliRun.run(Map.of("BERTH_HOST", "unix://" + file), "info");
        assertEquals(file + ": not a socket\n", r.err());
    }

    @Test
    void givenDaemonError_thenErrorResponseFromDaemonAnd125() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 500, "{\"message\":\"event log is closed\"}")) {
            CliRun r = CliRun.run("-H", s.host(), "info");
            assertEquals(125, r.exitCode());
            assertEquals("Error response from daemon: event log is closed\n", r.err());
        }
    }

    @Test
    void givenDaemonErrorWithoutJson_thenStatusIsShown() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"),
                (req, out) -> out.write(TestServer.response(502, "text/plain", "")))) {
            CliRun r = CliRun.run("-H", s.host(), "plugin", "ls");
            assertEquals(125, r.exitCode());
            assertEquals("Error response from daemon: 502 X\n", r.err());
        }
    }

    @Test
    void givenNoDaemonAndNoLauncher_thenExplainsAnd125() {
        CliRun r = CliRun.run("-H", "unix://" + dir.resolve("none.sock"), "info");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().contains("BERTH_LAUNCHER is not set"), r.err());
    }

    @Test
    void givenDaemonCommand_thenPointsToTheLauncherAnd125() {
        CliRun r = CliRun.run(Map.of("BERTH_LAUNCHER", "/opt/berth/bin/berth"), "daemon", "--root", "/x");
        assertEquals(125, r.exitCode());
        assertTrue(r.err().contains("/opt/berth/bin/berth daemon"), r.err());
    }

    @Test
    void givenEventOptions_thenQueryCarriesSinceUntilFiltersAndFollow() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(
                ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII)))) {
            CliRun r = CliRun.run("-H", s.host(), "events", "--since", "seq:3", "--until", "1732790000.5",
                    "--filter", "type=daemon", "--filter", "type=plugin", "-f");
            assertEquals(0, r.exitCode(), r.err());
            String target = URLDecoder.decode(s.requests().getFirst().target(), StandardCharsets.UTF_8);
            assertEquals("/berth/events?since=seq:3&until=1732790000.500000000&filters={\"type\":[\"daemon\",\"plugin\"]}&follow=1",
                    target);
            assertTrue(s.requests().getFirst().header("User-Agent").startsWith("berth-cli/"));
        }
    }

    @Test
    void givenEventsAsJson_thenEachEnvelopeLineIsPrintedAsIs() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, ENVELOPE + "\n" + ENVELOPE + "\n")) {
            CliRun r = CliRun.run("-H", s.host(), "events", "--since", "0", "--format", "json");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(ENVELOPE + "\n" + ENVELOPE + "\n", r.out());
        }
    }

    @Test
    void givenEvents_thenOneReadableLinePerEvent() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, ENVELOPE + "\nnot json\n")) {
            CliRun r = CliRun.run("-H", s.host(), "events");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("2026-11-28T10:24:10.123456789Z PluginLoaded runtime-runc (actor=root(0) pid=4242 client=berthd"
                    + " seq=7 version=0.1.0 n={\"a\":1})\nnot json\n", r.out());
        }
    }

    @Test
    void givenReplayEqual_thenSummaryAndExit0() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200,
                "{\"Equal\":true,\"EventsReplayed\":12,\"LastSequence\":12,\"DurationMillis\":3,\"Projections\":[]}")) {
            CliRun r = CliRun.run("-H", s.host(), "system", "replay");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("replayed 12 events: live state equals replayed state\n", r.out());
            assertEquals("POST", s.requests().getFirst().method());
            assertEquals("/berth/system/replay", s.requests().getFirst().target());
        }
    }

    @Test
    void givenReplayDiffers_thenEachDifferenceAndExit1() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "{\"Equal\":false,\"EventsReplayed\":12,"
                + "\"Projections\":[{\"Name\":\"images\",\"Equal\":true,\"Differences\":[]},"
                + "{\"Name\":\"containers\",\"Equal\":false,\"Differences\":[\"c1: live RUNNING, replayed EXITED\",\"c2: missing\"]}]}")) {
            CliRun r = CliRun.run("-H", s.host(), "system", "replay");
            assertEquals(1, r.exitCode());
            assertEquals("containers: c1: live RUNNING, replayed EXITED\ncontainers: c2: missing\n"
                    + "replayed 12 events: live state differs from replayed state in 1 projection\n", r.out());
        }
    }

    @Test
    void givenPlugins_thenTableWithErrorsForFailedOnes() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "[{\"Id\":\"runtime-runc\",\"Version\":\"0.1.0\","
                + "\"State\":\"STARTED\",\"Extensions\":[\"io.berth.spi.ContainerRuntime=io.berth.runc.RuncRuntime\"],\"Error\":null},"
                + "{\"Id\":\"bad\",\"Version\":\"1\",\"State\":\"FAILED\",\"Extensions\":[],\"Error\":\"no Plugin-Id in manifest\"}]")) {
            CliRun r = CliRun.run("-H", s.host(), "plugin", "ls");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("""
                    ID             VERSION   STATE     EXTENSIONS/ERROR
                    runtime-runc   0.1.0     STARTED   ContainerRuntime=RuncRuntime
                    bad            1         FAILED    no Plugin-Id in manifest
                    """, r.out());
            CliRun full = CliRun.run("-H", s.host(), "plugin", "ls", "--no-trunc");
            assertTrue(full.out().contains("io.berth.spi.ContainerRuntime=io.berth.runc.RuncRuntime"), full.out());
            CliRun json = CliRun.run("-H", s.host(), "plugin", "ls", "--format", "json");
            assertEquals(2, json.out().lines().count());
            assertTrue(json.out().startsWith("{\"Id\":\"runtime-runc\""), json.out());
        }
    }

    @Test
    void givenVersionAsJson_thenClientAndServerObjects() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "{\"Version\":\"9.9\",\"ApiVersion\":\"1.43\"}")) {
            CliRun r = CliRun.run("-H", s.host(), "version", "--format", "json");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().startsWith("{\"Client\":{\"Version\":"), r.out());
            assertTrue(r.out().endsWith(",\"Server\":{\"Version\":\"9.9\",\"ApiVersion\":\"1.43\"}}\n"), r.out());
            assertEquals("/version", s.requests().getFirst().target());
        }
    }
}
