package io.berth.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --at on the list and inspect commands, and berth audit, against a scripted daemon. */
class HistoryCommandsTest {
    @TempDir
    Path dir;

    private static final String ENTRY = """
            {"sequence":8,"time":"2026-11-28T13:23:09.480947723Z","object":"container","action":"create","type":"ContainerCreated",\
            "subject":"b57437d80bad18925aa384d16772f4831e8c4010b16f13c19177a83f561963b1","name":"web",\
            "actor":{"uid":1000,"user":"alice","pid":17189,"client":"berth-cli/0.1.0"},"correlationId":"f9d7",\
            "description":"created container web from busybox"}
            """;

    @Test
    void givenAt_whenListingOrInspecting_thenTheMomentGoesToTheDaemonAsAtInUnixSecondsOrSeq() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "[]")) {
            assertEquals(0, CliRun.run("-H", s.host(), "ps", "-a", "--at", "2026-11-28T10:00:00Z").exitCode());
            assertEquals("/containers/json?all=1&at=1795860000", s.requests().getLast().target());
            assertEquals(0, CliRun.run("-H", s.host(), "images", "--at", "seq:42").exitCode());
            assertEquals("/images/json?at=seq%3A42", s.requests().getLast().target());
            CliRun inspect = CliRun.run("-H", s.host(), "inspect", "--at", "1764324000.5", "web");
            assertEquals("/containers/web/json?at=1764324000.500000000", s.requests().getLast().target());
            assertEquals(0, inspect.exitCode(), inspect.err());
            CliRun volumes = CliRun.run("-H", s.host(), "volume", "ls", "--at", "10m");
            assertTrue(s.requests().getLast().target().matches("/volumes\\?at=\\d+(\\.\\d+)?"), s.requests().getLast().target());
            assertEquals(0, volumes.exitCode(), volumes.err());
        }
    }

    @Test
    void givenAMalformedAt_thenOneLineAndExit125WithoutAsking() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "[]")) {
            CliRun r = CliRun.run("-H", s.host(), "ps", "-a", "--at", "yesterday");
            assertEquals(125, r.exitCode());
            assertEquals("invalid value for --at: \"yesterday\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N\n", r.err());
            assertEquals(List.of(), s.requests());
        }
    }

    @Test
    void givenAuditOfAContainer_thenTheQueryNamesItAndEachEntryIsOneReadableLine() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, ENTRY)) {
            CliRun r = CliRun.run("-H", s.host(), "audit", "container", "web", "--actor", "alice", "--since", "seq:3");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("/berth/audit?object=container&name=web&actor=alice&since=seq%3A3", s.requests().getLast().target());
            assertEquals("2026-11-28T13:23:09.480947723Z  alice(1000) pid=17189 berth-cli/0.1.0  container b57437d80bad"
                    + "  created container web from busybox  correlation=f9d7\n", r.out());
            CliRun json = CliRun.run("-H", s.host(), "audit", "--format", "json", "container", "web");
            assertEquals(ENTRY, json.out());
        }
    }

    @Test
    void givenBadAuditArguments_thenOneLineAndExit125() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "")) {
            CliRun type = CliRun.run("-H", s.host(), "audit", "network", "x");
            assertEquals(125, type.exitCode());
            assertEquals("invalid object type \"network\": expected container, image, volume, build, plugin or daemon\n", type.err());
            CliRun noName = CliRun.run("-H", s.host(), "audit", "image");
            assertEquals("berth audit image needs the image's name or id\n", noName.err());
            CliRun since = CliRun.run("-H", s.host(), "audit", "--since", "soon");
            assertEquals(125, since.exitCode());
            CliRun format = CliRun.run("-H", s.host(), "audit", "--format", "yaml");
            assertEquals(125, format.exitCode());
            assertEquals(List.of(), s.requests());
        }
    }
}
