package io.berth.cli;

import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The container commands against a scripted daemon: the create body, ps formatting, errors and exit codes. */
class ContainerCommandsTest {
    @TempDir
    Path dir;

    private static final String CONTAINERS = """
            [{"Id":"aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111","Names":["/old"],"Image":"busybox",
              "ImageID":"sha256:bbbb","Command":"sh -c 'echo \\"hi\\"; exit 3'","Created":1000,"Ports":[],
              "Labels":{"tier":"web"},"State":"exited","Status":"Exited (3) 2 days ago","Mounts":[]},
             {"Id":"cccccccccccc2222222222222222222222222222222222222222222222222222","Names":["/web"],
              "Image":"sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd","ImageID":"sha256:dddd",
              "Command":"httpd -f","Created":2000,"Ports":[],"Labels":{},"State":"running","Status":"Up 5 seconds",
              "HostConfig":{"NetworkMode":"host"},"Mounts":[]}]""";

    @Test
    void givenContainers_whenListed_thenDockersColumnsNewestFirstCommandQuotedAndCut() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, CONTAINERS)) {
            CliRun r = CliRun.run("-H", s.host(), "ps", "-a");
            assertEquals(0, r.exitCode(), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals(3, lines.size(), r.out());
            assertTrue(lines.get(0).matches("CONTAINER ID   IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES"), lines.get(0));
            assertTrue(lines.get(1).matches("cccccccccccc   dddddddddddd   \"httpd -f\" +\\d+ years ago +Up 5 seconds +web"),
                    lines.get(1));
            assertTrue(lines.get(2).matches("aaaaaaaaaaaa   busybox +\"sh -c 'echo \\\\\"hi\\\\\"; e…\" +\\d+ years ago"
                    + " +Exited \\(3\\) 2 days ago +old"), lines.get(2));
            assertEquals("/containers/json?all=1", s.requests().getFirst().target());

            CliRun q = CliRun.run("-H", s.host(), "ps", "-aq", "--no-trunc");
            assertEquals("cccccccccccc2222222222222222222222222222222222222222222222222222\n"
                    + "aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111\n", q.out());

            // filters go to the daemon, which applies them (ContainerIT); several values of one key are alternatives
            CliRun f = CliRun.run("-H", s.host(), "container", "ls", "-q", "--filter", "label=tier=web", "-f", "status=running",
                    "-f", "status=exited");
            assertEquals(0, f.exitCode(), f.err());
            assertEquals("/containers/json?filters=" + BerthApi.query("{\"label\":[\"tier=web\"],\"status\":[\"running\",\"exited\"]}"),
                    s.requests().getLast().target());
            CliRun withAll = CliRun.run("-H", s.host(), "ps", "-q", "-a", "--filter", "ancestor=busybox");
            assertEquals("/containers/json?all=1&filters=" + BerthApi.query("{\"ancestor\":[\"busybox\"]}"), s.requests().getLast().target());
            CliRun badFilter = CliRun.run("-H", s.host(), "ps", "--filter", "colour");
            assertEquals(125, badFilter.exitCode());
            assertTrue(badFilter.err().contains("bad format of filter"), badFilter.err());

            CliRun json = CliRun.run("-H", s.host(), "ps", "-a", "--format", "json");
            Object first = Json.parse(json.out().lines().findFirst().orElseThrow());
            assertEquals("\"httpd -f\"", Json.text(first, "Command"));
            assertEquals("web", Json.text(first, "Names"));
            assertEquals("running", Json.text(first, "State"));
            assertEquals("host", Json.text(first, "Networks"));
        }
    }

    @Test
    void givenRunOptions_whenCreated_thenDockersCreateBody() throws Exception {
        Path envFile = dir.resolve("env");
        Files.writeString(envFile, "FROM_FILE=1\n# no\n");
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(
                TestServer.response(201, "application/json", "{\"Id\":\"abc123\",\"Warnings\":[]}")))) {
            CliRun r = CliRun.run(Map.of("FROM_ENV", "e"), "-H", s.host(), "create", "--name", "c1", "-e", "A=1",
                    "--env", "FROM_ENV", "--env-file", envFile.toString(), "-v", "/h:/c:ro", "-v", "/anon", "-v", "vol:/v",
                    "--mount", "type=tmpfs,target=/t", "--tmpfs", "/run:size=1m", "-w", "/work", "-u", "1000:1000",
                    "--entrypoint", "/bin/sh", "-h", "box", "--network", "host", "--privileged", "--read-only", "--init",
                    "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", "-m", "6m", "--cpus", "0.5", "--pids-limit", "100",
                    "--restart", "on-failure:2", "--stop-signal", "SIGUSR1", "--stop-timeout", "3", "-l", "k=v",
                    "--group-add", "10", "--sysctl", "net.ipv4.ip_forward=1", "busybox", "-c", "echo -e hi");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("abc123\n", r.out());
            TestServer.Request req = s.requests().getFirst();
            assertEquals("/containers/create?name=c1", req.target());
            Object body = Json.parse(req.body());
            assertEquals(List.of("FROM_FILE=1", "A=1", "FROM_ENV=e"), Json.list(body, "Env"));
            assertEquals(List.of("-c", "echo -e hi"), Json.list(body, "Cmd"));
            assertEquals(List.of("/bin/sh"), Json.list(body, "Entrypoint"));
            assertEquals("busybox", Json.text(body, "Image"));
            assertEquals("box", Json.text(body, "Hostname"));
            assertEquals("1000:1000", Json.text(body, "User"));
            assertEquals("/work", Json.text(body, "WorkingDir"));
            assertEquals(Map.of("/anon", Map.of()), Json.object(body, "Volumes"));
            assertEquals(Map.of("k", "v"), Json.object(body, "Labels"));
            assertEquals("SIGUSR1", Json.text(body, "StopSignal"));
            assertEquals(3L, Json.at(body, "StopTimeout"));
            Object host = Json.at(body, "HostConfig");
            assertEquals(List.of("/h:/c:ro", "vol:/v"), Json.list(host, "Binds"));
            assertEquals("tmpfs", Json.text(Json.list(host, "Mounts").getFirst(), "Type"));
            assertEquals(Map.of("/run", "size=1m"), Json.object(host, "Tmpfs"));
            assertEquals("host", Json.text(host, "NetworkMode"));
            assertEquals(true, Json.at(host, "Privileged"));
            assertEquals(true, Json.at(host, "ReadonlyRootfs"));
            assertEquals(true, Json.at(host, "Init"));
            assertEquals(List.of("NET_ADMIN"), Json.list(host, "CapAdd"));
            assertEquals(List.of("CHOWN"), Json.list(host, "CapDrop"));
            assertEquals(6L << 20, Json.at(host, "Memory"));
            assertEquals(500_000_000L, Json.at(host, "NanoCpus"));
            assertEquals(100L, Json.at(host, "PidsLimit"));
            assertEquals(Map.of("Name", "on-failure", "MaximumRetryCount", 2L), Json.object(host, "RestartPolicy"));
            assertEquals(List.of("10"), Json.list(host, "GroupAdd"));
            assertEquals(Map.of("net.ipv4.ip_forward", "1"), Json.object(host, "Sysctls"));
        }
    }

    @Test
    void givenBadOptionValues_whenRun_thenDockersFlagErrorAndExit125WithoutRequests() {
        CliRun m = CliRun.run("-H", "unix://" + dir.resolve("none.sock"), "run", "-m", "x", "busybox");
        assertEquals(125, m.exitCode());
        assertEquals("invalid argument \"x\" for \"-m, --memory\" flag: invalid size: 'x'\nSee 'berth run --help'.\n", m.err());
        CliRun restart = CliRun.run("-H", "unix://" + dir.resolve("none.sock"), "run", "--restart", "sometimes", "busybox");
        assertEquals(125, restart.exitCode());
        assertTrue(restart.err().startsWith("invalid argument \"sometimes\" for \"--restart\" flag: invalid restart policy"),
                restart.err());
        CliRun volume = CliRun.run("-H", "unix://" + dir.resolve("none.sock"), "create", "-v", "a:b:c:d", "busybox");
        assertEquals(125, volume.exitCode());
        assertTrue(volume.err().contains("invalid volume specification: 'a:b:c:d'"), volume.err());
        CliRun unknown = CliRun.run("-H", "unix://" + dir.resolve("none.sock"), "run", "--no-such-flag", "busybox");
        assertEquals(125, unknown.exitCode());
        CliRun conflict = CliRun.run("-H", "unix://" + dir.resolve("none.sock"), "run", "-d", "-a", "stdout", "busybox");
        assertEquals(125, conflict.exitCode());
        assertTrue(conflict.err().startsWith("Conflicting options: -a and -d"), conflict.err());
        CliRun noImage = CliRun.run("-H", "unix://" + dir.resolve("none.sock"), "run");
        assertEquals(1, noImage.exitCode());
        assertTrue(noImage.err().startsWith("berth: 'berth run' requires at least 1 argument"), noImage.err());
    }

    @Test
    void givenUnknownContainers_whenStoppedOrRemoved_thenEachIsTriedAndErrorsAfterAndExit1() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> out.write(req.target().contains("nosuch")
                ? TestServer.response(404, "application/json", "{\"message\":\"No such container: nosuch\"}")
                : TestServer.response(204, "text/plain", "")))) {
            CliRun r = CliRun.run("-H", s.host(), "rm", "-f", "-v", "nosuch", "good");
            assertEquals(1, r.exitCode());
            assertEquals("good\n", r.out());
            assertEquals("Error response from daemon: No such container: nosuch\n", r.err());
            assertEquals("/containers/good?force=1&v=1", s.requests().getLast().target());
            CliRun stop = CliRun.run("-H", s.host(), "stop", "-t", "3", "good");
            assertEquals(0, stop.exitCode(), stop.err());
            assertEquals("/containers/good/stop?t=3", s.requests().getLast().target());
            CliRun kill = CliRun.run("-H", s.host(), "kill", "-s", "HUP", "good");
            assertEquals("/containers/good/kill?signal=HUP", s.requests().getLast().target());
            assertEquals("good\n", kill.out());
        }
    }

    @Test
    void givenFramedOutput_whenLogsRead_thenStdoutAndStderrSeparated() throws Exception {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.write(new byte[] {1, 0, 0, 0, 0, 0, 0, 4});
        frames.write("out\n".getBytes(StandardCharsets.UTF_8));
        frames.write(new byte[] {2, 0, 0, 0, 0, 0, 0, 4});
        frames.write("err\n".getBytes(StandardCharsets.UTF_8));
        byte[] body = frames.toByteArray();
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
        })) {
            CliRun r = CliRun.run("-H", s.host(), "logs", "--tail", "5", "-t", "web");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("out\n", r.out());
            assertEquals("err\n", r.err());
            assertEquals("/containers/web/logs?stdout=1&stderr=1&timestamps=1&tail=5", s.requests().getFirst().target());
        }
    }

    @Test
    void givenExecIt_thenTheExecIsCreatedWithATerminalAndStdinStartedAsAStreamAndItsCodeIsTheCommands() throws Exception {
        try (TestServer s = new TestServer(dir.resolve("s.sock"), (req, out) -> {
            if (req.target().endsWith("/exec")) {
                out.write(TestServer.response(201, "application/json", "{\"Id\":\"e1\"}"));
            } else if (req.target().startsWith("/exec/e1/start")) {
                out.write(TestServer.response(200, "application/vnd.docker.raw-stream", "/ # hi\r\n"));
            } else {
                out.write(TestServer.response(200, "application/json", "{\"ExitCode\":3,\"Running\":false}"));
            }
        })) {
            CliRun r = CliRun.runWithInput(java.util.Map.of(), "exit 3\n".getBytes(StandardCharsets.UTF_8),
                    "-H", s.host(), "exec", "-it", "web", "sh");
            assertEquals(3, r.exitCode(), r.err());
            assertEquals("/ # hi\r\n", r.out());
            TestServer.Request create = s.requests().getFirst();
            assertEquals("/containers/web/exec", create.target());
            String body = new String(create.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains("\"AttachStdin\":true") && body.contains("\"Tty\":true"), body);
            assertEquals("/exec/e1/start?stream=1", s.requests().get(1).target());
            assertEquals("/exec/e1/json", s.requests().get(2).target());
        }
    }
}
