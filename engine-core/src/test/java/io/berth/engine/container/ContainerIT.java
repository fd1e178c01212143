package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Tar;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Containers end to end on a real daemon: real runc, conmon, overlayfs and cgroups, an image pulled
 * from a real registry (busybox plus /etc/passwd and /etc/group). After the suite nothing is left:
 * no mounts, cgroups or runc containers (checked in {@link #stop}).
 */
class ContainerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        byte[] etc = Tar.create().directory("etc")
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .file("etc/group", 0644, "root:x:0:\nwww:x:33:\nstaff:x:50:www\n".getBytes(StandardCharsets.UTF_8))
                .directory("data")
                .file("data/seed.txt", 0644, "from the image\n".getBytes(StandardCharsets.UTF_8))
                .toBytes();
        TestImages.TestImage busybox = TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(),
                TestImages.Compression.GZIP, List.of(TestImages.busyboxTar(), etc), "");
        registry.push(busybox, "ctr/busybox", "1");
        // an image that asks to be stopped with SIGUSR1 (Dockerfile's STOPSIGNAL, written into its config)
        TestImages.TestImage stopsignal = TestImages.withContainerConfig(List.of(TestImages.busyboxTar()),
                "{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\",\"-c\",\"trap 'exit 10' USR1; trap 'exit 15' TERM; while true; do sleep 0.1; done\"],"
                        + "\"StopSignal\":\"SIGUSR1\"}");
        registry.push(stopsignal, "ctr/stopsignal", "1");
        image = registry.host() + "/ctr/busybox:1";
        root = Files.createTempDirectory("berth-container-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        UnixHttp.Response pulled = UnixHttp.post(socket(), "/images/create?fromImage=" + enc(registry.host() + "/ctr/busybox") + "&tag=1", "");
        assertTrue(pulled.body().contains("Downloaded newer image"), pulled.body());
        UnixHttp.Response pulledStopsignal = UnixHttp.post(socket(), "/images/create?fromImage=" + enc(registry.host() + "/ctr/stopsignal") + "&tag=1", "");
        assertTrue(pulledStopsignal.body().contains("Downloaded newer image"), pulledStopsignal.body());
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> ids = daemon == null ? List.of() : daemon.containers().list().stream().map(c -> c.id()).toList();
        for (String id : ids) {
            UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1&v=1", null);
        }
        if (daemon != null) {
            daemon.stop("test finished");
        }
        String mounts = Files.readString(Path.of("/proc/self/mounts"));
        try {
            assertFalse(mounts.contains(root.toString()), "no mount under the test root is left: " + mounts);
            for (String id : ids) {
                try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
                    for (Path controller : controllers.toList()) {
                        assertFalse(Files.exists(controller.resolve("berth").resolve(id)), "cgroup left: " + controller + "/berth/" + id);
                    }
                }
            }
        } finally {
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    private static Path socket() {
        return root.resolve("berth.sock");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String create(String bodyJson, String name) throws IOException {
        ObjectNode body = (ObjectNode) JSON.readTree(bodyJson);
        body.put("Image", image);
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create" + (name == null ? "" : "?name=" + name), body.toString());
        assertEquals(201, created.status(), created.body());
        return JSON.readTree(created.body()).get("Id").asText();
    }

    /** create, start, wait: the container's exit code. */
    private static int run(String id) throws IOException {
        UnixHttp.Response started = UnixHttp.post(socket(), "/containers/" + id + "/start", "");
        assertEquals(204, started.status(), started.body());
        return JSON.readTree(UnixHttp.post(socket(), "/containers/" + id + "/wait", "").body()).get("StatusCode").asInt();
    }

    /** The container's stdout and stderr, decoded from Docker's stream frames. */
    private static String logs(String id) throws IOException {
        byte[] framed = UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&stderr=1").bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i + 8 <= framed.length) {
            int size = ((framed[i + 4] & 0xff) << 24) | ((framed[i + 5] & 0xff) << 16) | ((framed[i + 6] & 0xff) << 8) | (framed[i + 7] & 0xff);
            out.write(framed, i + 8, size);
            i += 8 + size;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode inspect(String id) throws IOException {
        return JSON.readTree(UnixHttp.get(socket(), "/containers/" + id + "/json").body());
    }

    @Test
    void givenEchoThenItsOutputIsLoggedAndItExitsZero() throws Exception {
        String id = create("{\"Cmd\":[\"echo\",\"hello\"]}", null);
        assertEquals(0, run(id));
        assertEquals("hello\n", logs(id));
        JsonNode state = inspect(id).get("State");
        assertEquals("exited", state.get("Status").asText());
        assertFalse(state.get("Running").asBoolean());
    }

    @Test
    void aChattyContainersLogsAreCompleteInOrderAndTailWorks() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"i=0; while [ $i -lt 5000 ]; do echo line $i; echo err $i >&2; i=$((i+1)); done\"],"
                + "\"StopSignal\":\"SIGUSR1\"}", null);
        assertEquals(0, run(id));
        // each stream on its own: the monitor may log a line in parts, with the other stream's lines between them
        String[] streams = unframe(UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&stderr=1").bytes());
        List<String> stdout = streams[0].lines().toList();
        assertEquals(5000, stdout.size());
        for (int i = 0; i < stdout.size(); i++) {
            assertEquals("line " + i, stdout.get(i));
        }
        List<String> stderr = streams[1].lines().toList();
        assertEquals(5000, stderr.size());
        assertEquals("err 4999", stderr.getLast());
        byte[] tail = UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&tail=3").bytes();
        assertEquals(3 * 8 + "line 4997\nline 4998\nline 4999\n".length(), tail.length, "three framed lines");
        assertEquals("SIGUSR1", inspect(id).get("Config").get("StopSignal").asText());
    }

    @Test
    void givenAnExitCodeThenWaitAndInspectReportIt() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"exit 3\"]}", null);
        assertEquals(3, run(id));
        assertEquals(3, inspect(id).get("State").get("ExitCode").asInt());
    }

    @Test
    void givenACommandNotInTheImageThenStartFailsWith127AndLeavesNothingRunning() throws Exception {
        String id = create("{\"Cmd\":[\"no-such-command\"]}", null);
        UnixHttp.Response started = UnixHttp.post(socket(), "/containers/" + id + "/start", "");
        assertEquals(400, started.status(), started.body());
        assertTrue(JSON.readTree(started.body()).get("message").asText().contains("no-such-command"), started.body());
        assertEquals(127, inspect(id).get("State").get("ExitCode").asInt());
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(id), "the rootfs is unmounted after a failed start");
    }

    @Test
    void envAndArgumentsFollowDockersPrecedenceAndTheUserComesFromTheImage() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"echo $GREETING $HOSTNAME; id -u; id -G; pwd\"],\"Env\":[\"GREETING=hi\"],"
                + "\"User\":\"www\",\"WorkingDir\":\"/made/for/you\",\"Hostname\":\"box\"}", null);
        assertEquals(0, run(id));
        assertEquals("hi box\n33\n33 50\n/made/for/you\n", logs(id));
    }

    @Test
    void anUnknownUserFailsTheStartNamingTheUser() throws Exception {
        String id = create("{\"Cmd\":[\"true\"],\"User\":\"nobody-here\"}", null);
        UnixHttp.Response started = UnixHttp.post(socket(), "/containers/" + id + "/start", "");
        assertEquals(400, started.status());
        assertTrue(started.body().contains("unable to find user nobody-here"), started.body());
    }

    @Test
    void aWorkdirInProcIsRefused() throws Exception {
        String id = create("{\"Cmd\":[\"true\"],\"WorkingDir\":\"/proc/self/fd\"}", null);
        UnixHttp.Response started = UnixHttp.post(socket(), "/containers/" + id + "/start", "");
        assertEquals(400, started.status());
        assertTrue(started.body().contains("/proc"), started.body());
    }

    @Test
    void aNamedVolumeIsFilledFromTheImageAndOutlivesTheContainer() throws Exception {
        String first = create("{\"Cmd\":[\"sh\",\"-c\",\"cat /data/seed.txt; echo kept > /data/new.txt\"],"
                + "\"HostConfig\":{\"Binds\":[\"it-data:/data\"]}}", null);
        assertEquals(0, run(first));
        assertEquals("from the image\n", logs(first));
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/" + first, null).status());
        String second = create("{\"Cmd\":[\"cat\",\"/data/new.txt\"],\"HostConfig\":{\"Binds\":[\"it-data:/data:ro\"]}}", null);
        assertEquals(0, run(second));
        assertEquals("kept\n", logs(second));
        assertEquals(409, UnixHttp.send(socket(), "DELETE", "/volumes/it-data", null).status(), "in use by a container");
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/" + second, null).status());
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/volumes/it-data", null).status());
        assertEquals(404, UnixHttp.get(socket(), "/volumes/it-data").status());
    }

    @Test
    void stopSendsTheStopSignalAndTheContainerExitsWithItsOwnCode() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"trap 'exit 7' TERM; while true; do sleep 0.1; done\"]}", "stoppable");
        assertEquals(204, UnixHttp.post(socket(), "/containers/stoppable/start", "").status());
        long started = System.nanoTime();
        assertEquals(204, UnixHttp.post(socket(), "/containers/stoppable/stop?t=10", "").status());
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "the trap ended it before the timeout");
        assertEquals(7, inspect(id).get("State").get("ExitCode").asInt());
    }

    @Test
    void stopSendsTheImagesOwnStopSignalUnlessTheContainerOrTheRequestNamesAnother() throws Exception {
        String stopsignalImage = registry.host() + "/ctr/stopsignal:1";
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create?name=image-stopsignal", "{\"Image\":\"" + stopsignalImage + "\"}");
        assertEquals(201, created.status(), created.body());
        String id = JSON.readTree(created.body()).get("Id").asText();
        assertEquals("SIGUSR1", inspect(id).get("Config").get("StopSignal").asText(), "the container takes the image's stop signal");
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        long started = System.nanoTime();
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/stop?t=10", "").status());
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "SIGUSR1's trap ended it before the timeout");
        assertEquals(10, inspect(id).get("State").get("ExitCode").asInt(), "SIGUSR1 (trap exit 10), not SIGTERM (15) or SIGKILL (137)");
        List<Integer> signals = new java.util.ArrayList<>();
        for (String line : UnixHttp.get(socket(), "/berth/events?filters=" + enc("{\"subject\":[\"" + id + "\"]}")).body().split("\n")) {
            if (line.contains("\"type\":\"ContainerKilled\"")) {
                signals.add(JSON.readTree(line).get("payload").get("signal").asInt());
            }
        }
        assertEquals(List.of(10), signals, "one ContainerKilled, with SIGUSR1 (10)");

        // a container's own --stop-signal wins over the image's
        UnixHttp.Response overridden = UnixHttp.post(socket(), "/containers/create",
                "{\"Image\":\"" + stopsignalImage + "\",\"StopSignal\":\"SIGTERM\"}");
        String other = JSON.readTree(overridden.body()).get("Id").asText();
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + other + "/start", "").status());
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + other + "/stop?t=10", "").status());
        assertEquals(15, inspect(other).get("State").get("ExitCode").asInt(), "the container's SIGTERM, not the image's SIGUSR1");
    }

    /** The names of {@code GET /containers/json} with these query parameters, sorted. */
    private static List<String> listed(String query) throws IOException {
        UnixHttp.Response answer = UnixHttp.get(socket(), "/containers/json?" + query);
        assertEquals(200, answer.status(), answer.body());
        List<String> names = new java.util.ArrayList<>();
        JSON.readTree(answer.body()).forEach(c -> names.add(c.get("Names").get(0).asText().substring(1)));
        java.util.Collections.sort(names);
        return names;
    }

    private static String filters(String json) {
        return "filters=" + enc(json);
    }

    @Test
    void psFiltersAreAppliedByTheDaemonAsDockersAndAnUnknownKeyIsRefused() throws Exception {
        String a = create("{\"Cmd\":[\"sh\",\"-c\",\"exit 3\"],\"Labels\":{\"tier\":\"web\"},\"HostConfig\":{\"Binds\":[\"flt-vol:/data\"]}}", "flt-a");
        assertEquals(3, run(a));
        String b = create("{\"Cmd\":[\"sleep\",\"60\"],\"Labels\":{\"tier\":\"db\"}}", "flt-b");
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + b + "/start", "").status());
        create("{\"Cmd\":[\"true\"]}", "flt-c");

        assertEquals(List.of("flt-a"), listed("all=1&" + filters("{\"label\":[\"tier=web\"]}")));
        assertEquals(List.of("flt-b"), listed(filters("{\"label\":[\"tier\"],\"name\":[\"^flt-\"]}")), "without all: running only");
        assertEquals(List.of("flt-a"), listed(filters("{\"exited\":[\"3\"],\"name\":[\"flt-\"]}")), "exited implies all");
        assertEquals(List.of("flt-a", "flt-b"), listed(filters("{\"status\":[\"exited\",\"running\"],\"name\":[\"^/flt-\"]}")),
                "values of one key are alternatives; a name matches with its slash too");
        assertEquals(List.of("flt-b", "flt-c"), listed("all=1&" + filters("{\"since\":[\"flt-a\"],\"name\":[\"flt-\"]}")));
        assertEquals(List.of("flt-a"), listed("all=1&" + filters("{\"before\":[\"" + b + "\"],\"name\":[\"flt-\"]}")));
        assertEquals(List.of("flt-a"), listed("all=1&" + filters("{\"volume\":[\"flt-vol\"]}")));
        assertEquals(List.of("flt-a"), listed("all=1&" + filters("{\"volume\":[\"/data\"],\"name\":[\"flt-\"]}")));
        assertEquals(List.of("flt-a"), listed("all=1&" + filters("{\"id\":[\"" + a.substring(0, 10) + "\"]}")));
        assertEquals(List.of("flt-b"), listed(filters("{\"network\":[\"bridge\"],\"health\":[\"none\"],\"name\":[\"flt-b\"]}")));
        assertEquals(List.of(), listed(filters("{\"health\":[\"healthy\"],\"name\":[\"flt-\"]}")));
        assertEquals(List.of("flt-a", "flt-b", "flt-c"), listed("all=1&" + filters("{\"ancestor\":[\"" + image + "\"],\"name\":[\"flt-\"]}")));
        assertEquals(List.of("flt-a"), listed("all=1&" + filters("{\"label\":{\"tier=web\":true}}")), "the older map-of-maps form");

        UnixHttp.Response unknown = UnixHttp.get(socket(), "/containers/json?" + filters("{\"colour\":[\"red\"]}"));
        assertEquals(400, unknown.status(), unknown.body());
        assertTrue(unknown.body().contains("invalid filter 'colour'"), unknown.body());
        UnixHttp.Response badStatus = UnixHttp.get(socket(), "/containers/json?" + filters("{\"status\":[\"sleeping\"]}"));
        assertEquals(400, badStatus.status(), badStatus.body());
        assertTrue(badStatus.body().contains("status=sleeping"), badStatus.body());
        assertEquals(404, UnixHttp.get(socket(), "/containers/json?" + filters("{\"since\":[\"no-such-container\"]}")).status());
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/" + b + "?force=1", null).status());
    }

    @Test
    void givenInitThenTiniIsTheFirstProcessAndTheCommandRunsUnderItWithItsExitCode() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"cat /proc/1/comm; ls /sbin; exit 6\"],\"HostConfig\":{\"Init\":true}}", null);
        assertEquals(6, run(id), "tini passes the command's exit code on");
        assertEquals("docker-init\ndocker-init\n", logs(id), "pid 1 is the init, mounted at Docker's path");
        assertTrue(inspect(id).get("HostConfig").get("Init").asBoolean());
    }

    @Test
    void killWithSigkillGives137() throws Exception {
        String id = create("{\"Cmd\":[\"sleep\",\"60\"]}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/kill?signal=KILL", "").status());
        assertEquals(137, JSON.readTree(UnixHttp.post(socket(), "/containers/" + id + "/wait", "").body()).get("StatusCode").asInt());
    }

    @Test
    void aMemoryLimitKillIsReportedAsOom() throws Exception {
        String id = create("{\"Cmd\":[\"busybox\",\"tail\",\"/dev/zero\"],\"HostConfig\":{\"Memory\":33554432}}", null);
        assertEquals(137, run(id));
        assertTrue(inspect(id).get("State").get("OOMKilled").asBoolean());
    }

    @Test
    void namesAreUniqueAndRunningContainersAreNotRemovedWithoutForce() throws Exception {
        create("{\"Cmd\":[\"sleep\",\"30\"]}", "unique");
        UnixHttp.Response again = UnixHttp.post(socket(), "/containers/create?name=unique", "{\"Image\":\"" + image + "\",\"Cmd\":[\"true\"]}");
        assertEquals(409, again.status());
        assertTrue(again.body().contains("is already in use"), again.body());
        assertEquals(204, UnixHttp.post(socket(), "/containers/unique/start", "").status());
        assertEquals(409, UnixHttp.send(socket(), "DELETE", "/containers/unique", null).status());
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/unique?force=1", null).status());
        assertEquals(404, UnixHttp.get(socket(), "/containers/unique/json").status());
    }

    @Test
    void execRunsInTheRunningContainerWithItsEnvAndGivesTheExitCode() throws Exception {
        String id = create("{\"Cmd\":[\"sleep\",\"30\"],\"Env\":[\"FROM_RUN=1\"]}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/" + id + "/exec",
                "{\"Cmd\":[\"sh\",\"-c\",\"echo $FROM_RUN $FOO; exit 5\"],\"Env\":[\"FOO=bar\"],\"AttachStdout\":true}");
        assertEquals(201, created.status(), created.body());
        String execId = JSON.readTree(created.body()).get("Id").asText();
        byte[] framed = UnixHttp.post(socket(), "/exec/" + execId + "/start", "{\"Detach\":false}").bytes();
        assertEquals("1 bar\n", new String(framed, 8, framed.length - 8, StandardCharsets.UTF_8));
        JsonNode exec = JSON.readTree(UnixHttp.get(socket(), "/exec/" + execId + "/json").body());
        assertEquals(5, exec.get("ExitCode").asInt());
        assertFalse(exec.get("Running").asBoolean());
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null).status());
    }

    @Test
    void givenAnExecWithATerminalAndStdinThenInputReachesItsShellItCanBeResizedAndItsExitCodeIsKept() throws Exception {
        String id = create("{\"Cmd\":[\"sleep\",\"30\"]}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/" + id + "/exec",
                "{\"Cmd\":[\"sh\"],\"Tty\":true,\"AttachStdin\":true,\"AttachStdout\":true,\"AttachStderr\":true}");
        assertEquals(201, created.status(), created.body());
        String execId = JSON.readTree(created.body()).get("Id").asText();
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.connect(java.net.UnixDomainSocketAddress.of(socket()));
            java.io.OutputStream request = java.nio.channels.Channels.newOutputStream(channel);
            java.io.InputStream response = java.nio.channels.Channels.newInputStream(channel);
            request.write(("POST /exec/" + execId + "/start?stream=1 HTTP/1.1\r\nHost: b\r\n"
                    + "User-Agent: berth-test/1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.flush();
            int resized = 0;
            for (int i = 0; i < 100 && resized != 200; i++) {
                Thread.sleep(50);
                resized = UnixHttp.post(socket(), "/exec/" + execId + "/resize?h=30&w=90", "").status();
            }
            assertEquals(200, resized, "the running exec's terminal is resized");
            byte[] input = "stty size; echo $((2+3)); exit 4\n".getBytes(StandardCharsets.UTF_8);
            request.write((Integer.toHexString(input.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.write(input);
            request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            request.flush();
            byte[] all = response.readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 200"), text);
            assertTrue(text.contains("application/vnd.docker.raw-stream"), "a terminal's output is raw: " + text);
            assertTrue(text.contains("\r\n5\r\n"), "the shell's output through its terminal: " + text);
            assertTrue(text.contains("30 90"), "stty size after the resize: " + text);
        }
        JsonNode exec = JSON.readTree(UnixHttp.get(socket(), "/exec/" + execId + "/json").body());
        assertEquals(4, exec.get("ExitCode").asInt(), exec.toString());
        assertEquals(409, UnixHttp.post(socket(), "/exec/" + execId + "/resize?h=30&w=90", "").status(), "an ended exec has no terminal");
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null).status());
    }

    @Test
    void givenAnAttachBeforeStartThenStdinReachesTheShellAndEveryLineOfOutputComesBack() throws Exception {
        String id = create("{\"Cmd\":[\"sh\"],\"OpenStdin\":true,\"StdinOnce\":true,\"AttachStdin\":true}", null);
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.connect(java.net.UnixDomainSocketAddress.of(socket()));
            java.io.OutputStream request = java.nio.channels.Channels.newOutputStream(channel);
            java.io.InputStream response = java.nio.channels.Channels.newInputStream(channel);
            request.write(("POST /containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: b\r\n"
                    + "User-Agent: berth-test/1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.flush();
            Thread.sleep(300); // the attach is waiting for the start
            assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
            byte[] input = "echo from-stdin; echo oops >&2; exit 3\n".getBytes(StandardCharsets.UTF_8);
            request.write((Integer.toHexString(input.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.write(input);
            request.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            request.flush();
            byte[] all = response.readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 200"), text);
            assertTrue(text.contains("from-stdin\n") && text.contains("oops\n"), text);
            assertTrue(text.contains("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u000bfrom-stdin\n"), "stdout in a stdout frame: " + text);
        }
        assertEquals(3, JSON.readTree(UnixHttp.post(socket(), "/containers/" + id + "/wait", "").body()).get("StatusCode").asInt());
    }

    /** Reads an HTTP response head, up to and including the blank line, and nothing after it. */
    private static String readHead(java.io.InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static java.nio.channels.SocketChannel connect() throws IOException {
        java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        channel.connect(java.net.UnixDomainSocketAddress.of(socket()));
        return channel;
    }

    /** Decodes Docker's stream frames: stream 1 and 2 each into their own text. */
    private static String[] unframe(byte[] framed) {
        ByteArrayOutputStream[] streams = {new ByteArrayOutputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        int i = 0;
        while (i + 8 <= framed.length) {
            int size = ((framed[i + 4] & 0xff) << 24) | ((framed[i + 5] & 0xff) << 16) | ((framed[i + 6] & 0xff) << 8) | (framed[i + 7] & 0xff);
            streams[Math.min(framed[i], 2)].write(framed, i + 8, Math.min(size, framed.length - i - 8));
            i += 8 + size;
        }
        return new String[] {streams[1].toString(StandardCharsets.UTF_8), streams[2].toString(StandardCharsets.UTF_8)};
    }

    @Test
    void givenDockersUpgradeRequestThenAttachAnswers101AndTheRawSocketCarriesStdinInAndFramesOut() throws Exception {
        String id = create("{\"Cmd\":[\"sh\"],\"OpenStdin\":true,\"StdinOnce\":true,\"AttachStdin\":true}", null);
        try (java.nio.channels.SocketChannel attach = connect(); java.nio.channels.SocketChannel wait = connect()) {
            java.io.OutputStream request = java.nio.channels.Channels.newOutputStream(attach);
            java.io.InputStream response = java.nio.channels.Channels.newInputStream(attach);
            // what Docker's client sends (client/hijack.go): an ordinary POST with the upgrade headers, at the API version
            // it agreed on with /_ping (berth serves 1.43, so Docker 28 asks for no more)
            request.write(("POST /v1.43/containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
                    + "Host: api.moby.localhost\r\nUser-Agent: Docker-Client/28.0.0 (linux)\r\nContent-Length: 0\r\n"
                    + "Content-Type: text/plain\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.flush();
            String head = readHead(response);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertTrue(head.contains("Content-Type: application/vnd.docker.multiplexed-stream"), head);
            assertTrue(head.contains("Upgrade: tcp"), head);

            // Docker's CLI asks for the next exit and waits for the answer's head before it starts the container
            java.nio.channels.Channels.newOutputStream(wait).write(("POST /v1.43/containers/" + id + "/wait?condition=next-exit HTTP/1.1\r\n"
                    + "Host: b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            java.io.InputStream waitResponse = java.nio.channels.Channels.newInputStream(wait);
            assertTrue(readHead(waitResponse).startsWith("HTTP/1.1 200"), "the wait's head comes before the start");

            assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
            request.write("echo from-stdin; echo oops >&2; exit 3\n".getBytes(StandardCharsets.UTF_8));
            request.flush();
            attach.shutdownOutput(); // as the client does at the end of its stdin
            String[] output = unframe(response.readAllBytes());
            assertEquals("from-stdin\n", output[0]);
            assertEquals("oops\n", output[1]);
            String waitBody = new String(waitResponse.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(waitBody.contains("\"StatusCode\":3"), "the next exit's code: " + waitBody);
        }
    }

    @Test
    void givenDockersUpgradeRequestThenExecStartReadsItsJsonBodyAndTheRawSocketCarriesTheProcess() throws Exception {
        String id = create("{\"Cmd\":[\"sleep\",\"60\"]}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/" + id + "/exec",
                "{\"Cmd\":[\"sh\",\"-c\",\"read x; echo got $x; echo warn >&2; exit 4\"],\"AttachStdin\":true,\"AttachStdout\":true,\"AttachStderr\":true}");
        assertEquals(201, created.status(), created.body());
        String execId = JSON.readTree(created.body()).get("Id").asText();
        try (java.nio.channels.SocketChannel channel = connect()) {
            java.io.OutputStream request = java.nio.channels.Channels.newOutputStream(channel);
            java.io.InputStream response = java.nio.channels.Channels.newInputStream(channel);
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.UTF_8);
            // the body and the first stdin bytes arrive together: the body's length separates them
            request.write(("POST /v1.43/exec/" + execId + "/start HTTP/1.1\r\nHost: api.moby.localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.write(body);
            request.write("hello\n".getBytes(StandardCharsets.UTF_8));
            request.flush();
            String head = readHead(response);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            channel.shutdownOutput();
            String[] output = unframe(response.readAllBytes());
            assertEquals("got hello\n", output[0]);
            assertEquals("warn\n", output[1]);
        }
        assertEquals(4, JSON.readTree(UnixHttp.get(socket(), "/exec/" + execId + "/json").body()).get("ExitCode").asInt());
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null).status());
    }

    @Test
    void givenAnUpgradeRequestForAnUnknownContainerThenTheAnswerIsAnOrdinary404() throws Exception {
        try (java.nio.channels.SocketChannel channel = connect()) {
            java.nio.channels.Channels.newOutputStream(channel).write(("POST /containers/no-such-container/attach?stream=1&stdout=1 HTTP/1.1\r\n"
                    + "Host: b\r\nContent-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = readHead(java.nio.channels.Channels.newInputStream(channel));
            assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
        }
    }

    @Test
    void givenAnUnknownWaitConditionThenTheAnswerIs400NamingIt() throws Exception {
        String id = create("{\"Cmd\":[\"true\"]}", null);
        UnixHttp.Response answer = UnixHttp.post(socket(), "/containers/" + id + "/wait?condition=sometime", "");
        assertEquals(400, answer.status(), answer.body());
        assertTrue(answer.body().contains("sometime"), answer.body());
    }

    @Test
    void copyInAndOutStaysInsideTheContainerEvenThroughAnEscapingSymlink() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"mkdir -p /out && echo inside > /out/file && ln -s /etc /out/etc-link && ln -s ../../../.. /out/up\"]}", null);
        assertEquals(0, run(id));
        UnixHttp.Response out = UnixHttp.get(socket(), "/containers/" + id + "/archive?path=/out");
        assertEquals(200, out.status(), out.body());
        assertTrue(out.headers().containsKey("x-docker-container-path-stat"));
        java.util.Map<String, String> entries = new java.util.TreeMap<>();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new java.io.ByteArrayInputStream(out.bytes()))) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                entries.put(entry.getName(), entry.isSymbolicLink() ? "-> " + entry.getLinkName() : new String(tar.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertEquals("inside\n", entries.get("out/file"));
        assertEquals("-> /etc", entries.get("out/etc-link"), "links are copied as links, never followed");

        // a tar whose entry goes through the container's escaping link lands inside the container
        java.io.ByteArrayOutputStream tarBytes = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tarBytes)) {
            byte[] content = "planted\n".getBytes(StandardCharsets.UTF_8);
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("up/tmp/berth-cp-escape");
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        UnixHttp.Response in = UnixHttp.send(socket(), "PUT", "/containers/" + id + "/archive?path=/out", tarBytes.toByteArray(),
                "application/x-tar", java.util.Map.of());
        assertEquals(200, in.status(), in.body());
        assertFalse(Files.exists(Path.of("/tmp/berth-cp-escape")), "nothing was written on the host");
        UnixHttp.Response back = UnixHttp.get(socket(), "/containers/" + id + "/archive?path=/tmp/berth-cp-escape");
        assertEquals(200, back.status(), "the file is inside the container, where the link leads there");
    }

    @Test
    void diffListsAddedChangedAndDeletedPaths() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"echo x > /new.txt && echo y >> /etc/passwd && rm /data/seed.txt\"]}", null);
        assertEquals(0, run(id));
        JsonNode changes = JSON.readTree(UnixHttp.get(socket(), "/containers/" + id + "/changes").body());
        String all = changes.toString();
        assertTrue(all.contains("{\"Path\":\"/new.txt\",\"Kind\":1}") || all.contains("{\"Kind\":1,\"Path\":\"/new.txt\"}"), all);
        assertTrue(all.contains("/etc/passwd") && all.contains("/data/seed.txt"), all);
        for (JsonNode change : changes) {
            if (change.get("Path").asText().equals("/etc/passwd")) {
                assertEquals(0, change.get("Kind").asInt());
            }
            if (change.get("Path").asText().equals("/data/seed.txt")) {
                assertEquals(2, change.get("Kind").asInt());
            }
        }
    }

    @Test
    void onFailureRestartsUpToItsLimitAndAutoRemoveRemovesAfterTheExit() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"exit 1\"],\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":2}}}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        long deadline = System.nanoTime() + 20_000_000_000L;
        JsonNode inspected = inspect(id);
        while (System.nanoTime() < deadline && !(inspected.get("RestartCount").asInt() == 2 && "exited".equals(inspected.get("State").get("Status").asText()))) {
            Thread.sleep(100);
            inspected = inspect(id);
        }
        assertEquals(2, inspected.get("RestartCount").asInt(), inspected.toString());
        Thread.sleep(1500);
        assertEquals(2, inspect(id).get("RestartCount").asInt(), "no restart past the limit");

        String removed = create("{\"Cmd\":[\"true\"],\"HostConfig\":{\"AutoRemove\":true}}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + removed + "/start", "").status());
        deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && UnixHttp.get(socket(), "/containers/" + removed + "/json").status() != 404) {
            Thread.sleep(100);
        }
        assertEquals(404, UnixHttp.get(socket(), "/containers/" + removed + "/json").status());
    }

    @Test
    void topListsTheContainersProcesses() throws Exception {
        String id = create("{\"Cmd\":[\"sleep\",\"31\"]}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        JsonNode top = JSON.readTree(UnixHttp.get(socket(), "/containers/" + id + "/top").body());
        assertTrue(top.get("Titles").toString().contains("PID"), top.toString());
        assertEquals(1, top.get("Processes").size(), top.toString());
        assertTrue(top.get("Processes").get(0).toString().contains("sleep 31"), top.toString());
        assertEquals(204, UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null).status());
    }

    @Test
    void theEventsOfAContainersLifeCarryTheCallerAndReplayEqualsLiveState() throws Exception {
        String id = create("{\"Cmd\":[\"true\"]}", "evented");
        run(id);
        String events = UnixHttp.get(socket(), "/berth/events?since=0&filters=" + enc("{\"subject\":[\"" + id + "\"]}")).body();
        assertTrue(events.contains("\"ContainerCreated\"") && events.contains("\"ContainerStarted\"") && events.contains("\"ContainerExited\""), events);
        assertTrue(events.contains("\"client\":\"claimed:berth-test/1\""), events);
        String byName = UnixHttp.get(socket(), "/berth/events?since=0&filters=" + enc("{\"container\":[\"evented\"]}")).body();
        assertEquals(events, byName, "filtering by the container's name gives its whole life");
        JsonNode replay = JSON.readTree(UnixHttp.post(socket(), "/berth/system/replay", "").body());
        assertTrue(replay.get("Equal").asBoolean(), replay.toString());
        JsonNode info = JSON.readTree(UnixHttp.get(socket(), "/info").body());
        assertEquals(daemon.containers().list().size(), info.get("Containers").asInt(), "info counts the containers");
        assertTrue(info.get("Images").asInt() >= 1, info.toString());
    }
}
