package io.berth.cli;

import io.berth.text.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image commands against a scripted daemon: output formats, exit codes and the requests sent. */
class ImageCommandsTest {
    @TempDir
    Path dir;

    private static final String IMAGES = """
            [{"Id":"sha256:1111111111111111111111111111111111111111111111111111111111111111","RepoTags":["old:1"],
              "RepoDigests":[],"Created":1000,"Size":4264000,"SharedSize":-1,"VirtualSize":4264000,"Containers":-1},
             {"Id":"sha256:2222222222222222222222222222222222222222222222222222222222222222",
              "RepoTags":["127.0.0.1:5000/busybox:1","busybox:latest"],
              "RepoDigests":["127.0.0.1:5000/busybox@sha256:aaaa"],"Created":2000,"Size":1213440,"SharedSize":-1,
              "VirtualSize":1213440,"Containers":-1},
             {"Id":"sha256:3333333333333333333333333333333333333333333333333333333333333333","RepoTags":[],
              "RepoDigests":[],"Created":1500,"Size":999,"SharedSize":-1,"VirtualSize":999,"Containers":-1}]""";

    private TestServer server(TestServer.Handler handler) throws Exception {
        return new TestServer(dir.resolve("s.sock"), handler);
    }

    private static void chunkedLines(OutputStream out, String... lines) throws Exception {
        out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        for (String l : lines) {
            byte[] b = (l + "\n").getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void givenImages_whenListed_thenDockersTableNewestFirstWithNoneForUntagged() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, IMAGES)) {
            CliRun r = CliRun.run("-H", s.host(), "images");
            assertEquals(0, r.exitCode(), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals("REPOSITORY               TAG       IMAGE ID       CREATED        SIZE", lines.get(0));
            assertTrue(lines.get(1).matches("127\\.0\\.0\\.1:5000/busybox   1         222222222222   \\d+ years ago   1\\.21MB"), lines.get(1));
            assertTrue(lines.get(2).startsWith("busybox                  latest    222222222222 "), lines.get(2));
            assertTrue(lines.get(3).startsWith("<none>                   <none>    333333333333 "), lines.get(3));
            assertTrue(lines.get(3).endsWith("999B"), lines.get(3));
            assertTrue(lines.get(4).startsWith("old                      1         111111111111 "), lines.get(4));
            assertTrue(lines.get(4).endsWith("4.26MB"), lines.get(4));
            assertEquals("/images/json", s.requests().getFirst().target());

            CliRun digests = CliRun.run("-H", s.host(), "image", "ls", "--digests", "busybox");
            assertEquals(List.of("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"),
                    List.of(digests.out().lines().findFirst().orElseThrow().split("\\s{2,}")));
            assertEquals(2, digests.out().lines().count(), digests.out());
            assertTrue(digests.out().contains("busybox      latest    <none>    222222222222"), digests.out());

            CliRun quiet = CliRun.run("-H", s.host(), "images", "-q", "-a");
            assertEquals("222222222222\n222222222222\n333333333333\n111111111111\n", quiet.out());
            assertEquals("/images/json?all=1", s.requests().getLast().target());

            CliRun json = CliRun.run("-H", s.host(), "images", "--format", "json", "--no-trunc");
            Object first = Json.parse(json.out().lines().findFirst().orElseThrow());
            assertEquals("sha256:2222222222222222222222222222222222222222222222222222222222222222", Json.text(first, "ID"));
            assertEquals("1.21MB", Json.text(first, "Size"));
            assertTrue(json.out().contains("\"Digest\":\"\\u003cnone\\u003e\""), "escaped as Go's encoder does");
        }
    }

    @Test
    void givenOneMissingName_whenInspected_thenTheOthersArePrintedAndExit1() throws Exception {
        try (TestServer s = server((req, out) -> out.write(req.target().contains("nosuch")
                ? TestServer.response(404, "application/json", "{\"message\":\"No such image: nosuch\"}")
                : TestServer.response(200, "application/json", "{\"Id\":\"sha256:2\",\"RepoTags\":[],\"Config\":{}}")))) {
            CliRun r = CliRun.run("-H", s.host(), "image", "inspect", "busybox", "nosuch");
            assertEquals(1, r.exitCode());
            assertEquals("[\n    {\n        \"Id\": \"sha256:2\",\n        \"RepoTags\": [],\n        \"Config\": {}\n    }\n]\n", r.out());
            assertEquals("Error: No such image: nosuch\n", r.err());
            CliRun any = CliRun.run("-H", s.host(), "inspect", "nosuch");
            assertEquals("[]\n", any.out());
            assertEquals("Error: No such object: nosuch\n", any.err());
        }
    }

    @Test
    void givenWrongArgumentCount_thenDockersMessageAndExit1() {
        CliRun r = CliRun.run("tag", "a");
        assertEquals(1, r.exitCode());
        assertEquals("berth: 'berth tag' requires 2 arguments\n\nUsage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
                + "See 'berth tag --help'.\n", r.err());
        CliRun rmi = CliRun.run("image", "rm");
        assertEquals(1, rmi.exitCode());
        assertTrue(rmi.err().startsWith("berth: 'berth image rm' requires at least 1 argument\n"), rmi.err());
        CliRun flag = CliRun.run("images", "--bogus");
        assertEquals(125, flag.exitCode());
        assertEquals("Unknown option: '--bogus'\nSee 'berth images --help'.\n", flag.err());
    }

    @Test
    void givenTag_thenRepoAndTagQueryAndNothingPrinted() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 201, "{}")) {
            CliRun r = CliRun.run("-H", s.host(), "tag", "busybox", "127.0.0.1:5000/x/y");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("", r.out());
            assertEquals("POST /images/busybox/tag?repo=127.0.0.1%3A5000%2Fx%2Fy&tag=latest",
                    s.requests().getFirst().method() + " " + s.requests().getFirst().target());
            CliRun digest = CliRun.run("-H", s.host(), "tag", "busybox", "x@sha256:abc");
            assertEquals(1, digest.exitCode());
            assertEquals("refusing to create a tag with a digest reference\n", digest.err());
        }
    }

    @Test
    void givenOneFailingName_whenRemoved_thenTheNextIsStillRemovedAndExit1() throws Exception {
        try (TestServer s = server((req, out) -> out.write(req.target().startsWith("/images/a?")
                ? TestServer.response(409, "application/json", "{\"message\":\"image is in use\"}")
                : TestServer.response(200, "application/json", "[{\"Untagged\":\"b:latest\"},{\"Deleted\":\"sha256:bb\"}]")))) {
            CliRun r = CliRun.run("-H", s.host(), "rmi", "-f", "a", "b");
            assertEquals(1, r.exitCode());
            assertEquals("Untagged: b:latest\nDeleted: sha256:bb\n", r.out());
            assertEquals("Error response from daemon: image is in use\n", r.err());
            assertEquals("/images/b?force=1", s.requests().get(1).target());
        }
    }

    @Test
    void givenLoginInDockerConfig_whenPulled_thenAuthHeaderSentAndPlainLinesAndFullReference() throws Exception {
        Path config = Files.createDirectories(dir.resolve("docker"));
        Files.writeString(config.resolve("config.json"), "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        try (TestServer s = server((req, out) -> chunkedLines(out,
                "{\"status\":\"Pulling from busybox\",\"id\":\"1\"}",
                "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1,\"total\":2},\"id\":\"abc\"}",
                "{\"status\":\"Pull complete\",\"id\":\"abc\"}",
                "{\"status\":\"Status: Downloaded newer image for 127.0.0.1:5000/busybox:1\"}"))) {
            Map<String, String> env = Map.of("DOCKER_CONFIG", config.toString());
            CliRun r = CliRun.run(env, "-H", s.host(), "pull", "127.0.0.1:5000/busybox:1");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("1: Pulling from busybox\nabc: Pull complete\nStatus: Downloaded newer image for "
                    + "127.0.0.1:5000/busybox:1\n127.0.0.1:5000/busybox:1\n", r.out());
            TestServer.Request req = s.requests().getFirst();
            assertEquals("/images/create?fromImage=127.0.0.1%3A5000%2Fbusybox&tag=1", req.target());
            Object auth = Json.parse(Base64.getUrlDecoder().decode(req.header("X-Registry-Auth")));
            assertEquals("u", Json.text(auth, "username"));
            assertEquals("127.0.0.1:5000", Json.text(auth, "serveraddress"));

            CliRun hub = CliRun.run(env, "-H", s.host(), "pull", "-q", "busybox");
            assertEquals("docker.io/library/busybox:latest\n", hub.out());
            assertNull(s.requests().getLast().header("X-Registry-Auth"), "no credentials stored for Docker Hub");
        }
    }

    @Test
    void givenErrorInStream_whenPulled_thenMessageAndExit1() throws Exception {
        try (TestServer s = server((req, out) -> chunkedLines(out,
                "{\"status\":\"Pulling from busybox\",\"id\":\"1\"}",
                "{\"errorDetail\":{\"message\":\"manifest unknown: busybox:2\"},\"error\":\"manifest unknown: busybox:2\"}"))) {
            CliRun r = CliRun.run("-H", s.host(), "pull", "busybox:2");
            assertEquals(1, r.exitCode());
            assertEquals("1: Pulling from busybox\n", r.out());
            assertEquals("manifest unknown: busybox:2\n", r.err());
        }
    }

    @Test
    void givenPasswordOnStdin_whenLoggedInAndOut_thenConfigWrittenAndRemoved() throws Exception {
        Path config = dir.resolve("docker");
        Map<String, String> env = Map.of("DOCKER_CONFIG", config.toString());
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, "{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}")) {
            CliRun r = CliRun.runWithInput(env, "pw\n".getBytes(StandardCharsets.UTF_8),
                    "-H", s.host(), "login", "-u", "alice", "--password-stdin", "127.0.0.1:5000");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("Login Succeeded\n", r.out());
            Object body = Json.parse(s.requests().getFirst().body());
            assertEquals(Map.of("username", "alice", "password", "pw", "serveraddress", "127.0.0.1:5000"), body);
            Object saved = Json.parse(Files.readAllBytes(config.resolve("config.json")));
            assertEquals(Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8)),
                    Json.text(saved, "auths", "127.0.0.1:5000", "auth"));
        }
        CliRun out = CliRun.run(env, "logout", "127.0.0.1:5000");
        assertEquals("Removing login credentials for 127.0.0.1:5000\n", out.out());
        assertEquals("Not logged in to 127.0.0.1:5000\n", CliRun.run(env, "logout", "127.0.0.1:5000").out());
        CliRun noUser = CliRun.run(env, "login", "--password-stdin");
        assertEquals(1, noUser.exitCode());
        assertEquals("Must provide --username with --password-stdin\n", noUser.err());
        CliRun noTty = CliRun.run(env, "login", "127.0.0.1:5000");
        assertEquals("Error: Cannot perform an interactive login from a non TTY device\n", noTty.err());
    }

    @Test
    void givenPrune_whenDeclined_thenNothingRemoved_andWhenConfirmed_thenReport() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200,
                "{\"ImagesDeleted\":[{\"Untagged\":\"a:1\"},{\"Deleted\":\"sha256:aa\"}],\"SpaceReclaimed\":4264000}")) {
            CliRun no = CliRun.runWithInput(Map.of(), "n\n".getBytes(StandardCharsets.UTF_8), "-H", s.host(), "image", "prune");
            assertEquals("WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "
                    + "Total reclaimed space: 0B\n", no.out());
            assertTrue(s.requests().isEmpty());
            CliRun yes = CliRun.runWithInput(Map.of(), "y\n".getBytes(StandardCharsets.UTF_8), "-H", s.host(), "image", "prune", "-a");
            assertTrue(yes.out().startsWith("WARNING! This will remove all images without at least one container"), yes.out());
            assertTrue(yes.out().endsWith("[y/N] Deleted Images:\nuntagged: a:1\ndeleted: sha256:aa\n\nTotal reclaimed space: 4.264MB\n"), yes.out());
            assertEquals("/images/prune?filters=%7B%22dangling%22%3A%5B%22false%22%5D%7D", s.requests().getFirst().target());
        }
    }

    @Test
    void givenTar_whenSavedToFileAndLoadedFromFile_thenBytesGoThroughUnchanged() throws Exception {
        byte[] tar = new byte[200_000];
        new java.util.Random(1).nextBytes(tar);
        try (TestServer s = server((req, out) -> {
            if (req.method().equals("GET")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nContent-Length: " + tar.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(tar);
            } else {
                chunkedLines(out, "{\"stream\":\"Loaded image: busybox:latest\\n\"}");
            }
        })) {
            Path file = dir.resolve("x.tar");
            CliRun save = CliRun.run("-H", s.host(), "save", "-o", file.toString(), "busybox", "a b");
            assertEquals(0, save.exitCode(), save.err());
            assertArrayEquals(tar, Files.readAllBytes(file));
            assertEquals("/images/get?names=busybox&names=a%20b", s.requests().getFirst().target());

            CliRun load = CliRun.run("-H", s.host(), "load", "-i", file.toString());
            assertEquals(0, load.exitCode(), load.err());
            assertEquals("Loaded image: busybox:latest\n", load.out());
            TestServer.Request req = s.requests().getLast();
            assertEquals("application/x-tar", req.header("content-type"));
            assertArrayEquals(tar, req.body());
        }
    }

    @Test
    void givenNote_thenSequencePrinted() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 201, "{\"Sequence\":42}")) {
            CliRun r = CliRun.run("-H", s.host(), "system", "note", "rotated", "keys");
            assertEquals("42\n", r.out());
            assertEquals(Map.of("Text", "rotated keys"), Json.parse(s.requests().getFirst().body()));
        }
    }

    @Test
    void givenGlobalOptions_thenTheCommandNameIsFound() {
        assertEquals("images", Main.commandName(new String[] {"-H", "unix:///x", "--root", "/r", "-D", "images", "-q"}));
        assertEquals("version", Main.commandName(new String[] {"--host=unix:///x", "version"}));
        assertNull(Main.commandName(new String[] {"--help"}));
    }
}
