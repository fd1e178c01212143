package io.berth.cli.it;

import io.berth.text.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The container commands end to end: the installed CLI and daemon ({@code target/dist}, private root and socket)
 * running real containers (runc, conmon, overlayfs) from a busybox image the test builds and serves from a real
 * registry. In order: run attached (pulling the image first), exit codes, a command that is not found, a
 * detached web server on the host network (answering, logs, exec, inspect, stop, rm), the events of its life,
 * an interactive shell through a real pseudo-terminal ({@code script}), volumes, bad input; last, every
 * container is removed and nothing may be left mounted under the test's root or in berth's cgroups.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainersIT {
    private Path tmp;
    private BerthDist berth;
    private LocalRegistry registry;
    private String host;
    private Path root;
    private Map<String, String> env;
    private String image;
    /** Every container id this suite saw, for the leak check. */
    private final Set<String> ids = new LinkedHashSet<>();

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("berth-ctr-it");
        berth = BerthDist.get();
        registry = LocalRegistry.start(Files.createDirectories(tmp.resolve("registry")));
        Path layout = LocalRegistry.busyboxLayout(Files.createDirectories(tmp.resolve("image")),
                List.of("sh", "echo", "cat", "true", "sleep", "httpd", "ln", "mkdir", "grep", "unshare"));
        registry.push(layout, "busybox:1");
        image = registry.host() + "/busybox:1";
        root = tmp.resolve("root");
        host = "unix://" + tmp.resolve("berth.sock");
        env = Map.of("DOCKER_CONFIG", tmp.resolve("docker-config").toString());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (root != null && Files.exists(root.resolve("berth.pid"))) {
                removeAllContainers();
            }
        } finally {
            if (root != null) {
                BerthDist.stopDaemon(root.resolve("berth.pid"));
            }
            if (registry != null) {
                registry.close();
            }
            if (tmp != null) {
                // Only when nothing is mounted there any more: never delete through a leaked mount.
                if (mountsUnder(tmp).isEmpty()) {
                    try (var walk = Files.walk(tmp)) {
                        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    private BerthDist.Result berth(String... args) throws Exception {
        return berth.run(env, null, 120, withHost(args));
    }

    private String[] withHost(String... args) {
        List<String> all = new ArrayList<>(List.of("-H", host, "--root", root.toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static String describe(BerthDist.Result r) {
        return "exit " + r.exitCode() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err();
    }

    private void remember() throws Exception {
        BerthDist.Result ps = berth("ps", "-aq", "--no-trunc");
        ids.addAll(ps.lines());
    }

    @Test
    @Order(1)
    void givenImageOnlyInRegistry_whenRunWithRm_thenItIsPulledAndHelloPrintedAndExit0() throws Exception {
        BerthDist.Result r = berth("run", "--rm", image, "echo", "hello");
        assertEquals(0, r.exitCode(), describe(r));
        assertEquals("hello\n", r.out());
        assertTrue(r.err().startsWith("Unable to find image '" + image + "' locally\n"), r.err());
        BerthDist.Result ps = berth("ps", "-a", "--format", "json");
        assertFalse(ps.out().contains("echo hello"), "--rm removed the container: " + ps.out());
    }

    @Test
    @Order(2)
    void givenShellExitingWith3_whenRun_thenExit3AndStdoutAndStderrSeparate() throws Exception {
        BerthDist.Result r = berth("run", image, "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.exitCode(), describe(r));
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
        remember();
    }

    @Test
    @Order(3)
    void givenCommandNotInImage_whenRun_thenExit127WithTheDaemonsMessage() throws Exception {
        BerthDist.Result r = berth("run", "--rm", image, "no-such-command");
        assertEquals(127, r.exitCode(), describe(r));
        assertTrue(r.err().startsWith("berth: Error response from daemon: "), r.err());
        assertTrue(r.err().contains("no-such-command"), r.err());
    }

    @Test
    @Order(3)
    void givenCommandNotExecutable_whenRunWithRm_thenExit126FromTheRecordedExitCode() throws Exception {
        BerthDist.Result r = berth("run", "--rm", image, "/bin"); // a directory: the runtime reports it not executable
        assertEquals(126, r.exitCode(), describe(r));
        assertTrue(r.err().startsWith("berth: Error response from daemon: "), r.err());
    }

    @Test
    @Order(4)
    void givenDetachedWebServerOnHostNetwork_thenItAnswersAndLogsExecInspectStopRmBehave() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("index.html"), "served by berth\n");
        BerthDist.Result run = berth("run", "-d", "--name", "web", "--network", "host", "-v", www + ":/www:ro", image,
                "httpd", "-f", "-v", "-p", "127.0.0.1:" + port, "-h", "/www");
        assertEquals(0, run.exitCode(), describe(run));
        String id = run.out().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), "run -d prints the full id: " + run.out());
        ids.add(id);

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> page = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (page == null) {
            try {
                page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    fail("httpd did not answer on 127.0.0.1:" + port + ": " + notYet + "\n" + describe(berth("logs", "web")));
                }
                Thread.sleep(100);
            }
        }
        assertEquals(200, page.statusCode());
        assertEquals("served by berth\n", page.body());

        BerthDist.Result ps = berth("ps");
        assertEquals(0, ps.exitCode(), describe(ps));
        String row = ps.lines().stream().filter(l -> l.endsWith(" web")).findFirst()
                .orElseThrow(() -> new AssertionError("no web row:\n" + ps.out()));
        assertTrue(row.startsWith(id.substring(0, 12) + "   " + image + "   \"httpd -f -v -p 127.…\"   "), row);
        assertTrue(row.contains("   Up "), row);

        BerthDist.Result logs = berth("logs", "web");
        assertEquals(0, logs.exitCode(), describe(logs));
        assertTrue(logs.err().contains("response:200"), "httpd -v logs each request on stderr: " + describe(logs));

        BerthDist.Result exec = berth("exec", "web", "echo", "hi");
        assertEquals(0, exec.exitCode(), describe(exec));
        assertEquals("hi\n", exec.out());
        BerthDist.Result exec7 = berth("exec", "-e", "CODE=7", "web", "sh", "-c", "exit $CODE");
        assertEquals(7, exec7.exitCode(), describe(exec7));

        Object inspect = Json.parse(berth("inspect", "web").out());
        Object c = ((List<?>) inspect).getFirst();
        assertEquals(id, Json.text(c, "Id"));
        assertEquals("/web", Json.text(c, "Name"));
        assertEquals(Boolean.TRUE, Json.at(c, "State", "Running"));

        BerthDist.Result stop = berth("stop", "-t", "1", "web");
        assertEquals(0, stop.exitCode(), describe(stop));
        assertEquals("web\n", stop.out());
        Object stopped = ((List<?>) Json.parse(berth("inspect", "web").out())).getFirst();
        assertEquals(Boolean.FALSE, Json.at(stopped, "State", "Running"));
        assertEquals("exited", Json.text(stopped, "State", "Status"));

        BerthDist.Result rm = berth("rm", "web");
        assertEquals(0, rm.exitCode(), describe(rm));
        assertEquals("web\n", rm.out());
        BerthDist.Result again = berth("rm", "web");
        assertEquals(1, again.exitCode(), describe(again));
        assertEquals("Error response from daemon: No such container: web\n", again.err());
    }

    @Test
    @Order(5)
    void givenTheWebServersLife_whenContainerEventsAreListed_thenEveryStepIsThereWithTheCaller() throws Exception {
        BerthDist.Result events = berth("events", "--since", "0", "--filter", "type=container", "--format", "json");
        assertEquals(0, events.exitCode(), describe(events));
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        String webId = null;
        List<String> webTypes = new ArrayList<>();
        for (String line : events.lines()) {
            Object envelope = Json.parse(line);
            if (Json.text(envelope, "type").equals("ContainerCreated") && line.contains("\"web\"")) {
                webId = Json.text(envelope, "subject");
            }
            if (webId != null && webId.equals(Json.text(envelope, "subject"))) {
                webTypes.add(Json.text(envelope, "type"));
                if (!Json.text(envelope, "type").equals("ContainerExited")) { // recorded by the daemon itself
                    assertEquals(Long.toString(uid), Json.text(envelope, "actor", "uid"), line);
                    assertTrue(Json.text(envelope, "actor", "client").startsWith("claimed:berth-cli/"), line);
                }
            }
        }
        assertTrue(webId != null, "ContainerCreated of web:\n" + events.out());
        for (String type : List.of("ContainerCreated", "ContainerStarted", "ExecStarted", "ExecExited", "ContainerKilled",
                "ContainerExited", "ContainerRemoved")) {
            assertTrue(webTypes.contains(type), type + " in " + webTypes);
        }
        assertTrue(webTypes.indexOf("ContainerCreated") < webTypes.indexOf("ContainerStarted")
                && webTypes.indexOf("ContainerStarted") < webTypes.indexOf("ContainerExited")
                && webTypes.indexOf("ContainerExited") < webTypes.indexOf("ContainerRemoved"), webTypes.toString());

        BerthDist.Result readable = berth("events", "--since", "0", "--filter", "container=" + webId);
        assertTrue(readable.out().contains("ContainerRemoved " + webId + " (actor="), readable.out());
    }

    @Test
    @Order(6)
    void givenRunItThroughARealTerminal_whenTheShellIsFed_thenItComputesAndExitsWithItsCode() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(berth.launcher.toString()));
        cmd.addAll(List.of(withHost("run", "-it", "--rm", image, "sh")));
        StringBuilder line = new StringBuilder();
        for (String a : cmd) {
            line.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }
        Process p = new ProcessBuilder("script", "-qec", line.toString(), "/dev/null").redirectErrorStream(true).start();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), seen));
        try (OutputStream in = p.getOutputStream()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!text(seen).contains("# ")) { // the shell's prompt
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    fail("no shell prompt through the terminal:\n" + text(seen));
                }
                Thread.sleep(50);
            }
            in.write("echo $((1+2)); exit 5\r".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the interactive run did not end:\n" + text(seen));
            }
        }
        reader.join(5000);
        String out = text(seen);
        assertEquals(5, p.exitValue(), out);
        assertTrue(out.contains("echo $((1+2)); exit 5"), "the container's terminal echoes the input: " + out);
        assertTrue(out.contains("\r\n3\r\n"), "the shell's answer, through the container's terminal: " + out);
    }

    private static void copy(InputStream in, ByteArrayOutputStream seen) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (seen) {
                    seen.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static String text(ByteArrayOutputStream seen) {
        synchronized (seen) {
            return seen.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    @Order(7)
    void givenNamedVolume_whenWrittenByOneContainer_thenTheNextReadsItAndVolumeCommandsList() throws Exception {
        BerthDist.Result create = berth("volume", "create", "--label", "suite=it", "itvol");
        assertEquals(0, create.exitCode(), describe(create));
        assertEquals("itvol\n", create.out());
        BerthDist.Result write = berth("run", "--rm", "-v", "itvol:/data", image, "sh", "-c", "echo kept > /data/f");
        assertEquals(0, write.exitCode(), describe(write));
        BerthDist.Result read = berth("run", "--rm", "--mount", "type=volume,source=itvol,target=/data,readonly", image,
                "cat", "/data/f");
        assertEquals(0, read.exitCode(), describe(read));
        assertEquals("kept\n", read.out());
        BerthDist.Result ls = berth("volume", "ls");
        assertTrue(ls.lines().getFirst().matches("DRIVER +VOLUME NAME"), ls.out());
        assertTrue(ls.lines().contains("local     itvol"), ls.out());
        Object inspect = ((List<?>) Json.parse(berth("volume", "inspect", "itvol").out())).getFirst();
        assertEquals("it", Json.text(inspect, "Labels", "suite"));
        BerthDist.Result rm = berth("volume", "rm", "itvol");
        assertEquals(0, rm.exitCode(), describe(rm));
        assertEquals("itvol\n", rm.out());
        assertFalse(berth("volume", "ls", "-q").lines().contains("itvol"));
    }

    @Test
    @Order(8)
    void givenBadInput_thenDockersMessagesAndExitCodes() throws Exception {
        BerthDist.Result memory = berth("run", "-m", "x", image, "true");
        assertEquals(125, memory.exitCode(), describe(memory));
        assertEquals("invalid argument \"x\" for \"-m, --memory\" flag: invalid size: 'x'\nSee 'berth run --help'.\n",
                memory.err());

        String missing = registry.host() + "/no-such-repo:1";
        BerthDist.Result pull = berth("run", "--rm", missing, "true");
        assertEquals(125, pull.exitCode(), describe(pull));
        assertTrue(pull.err().startsWith("Unable to find image '" + missing + "' locally\n"), pull.err());
        assertTrue(pull.err().contains("berth: Error response from daemon: "), pull.err());

        BerthDist.Result stop = berth("stop", "no-such-container");
        assertEquals(1, stop.exitCode(), describe(stop));
        assertEquals("Error response from daemon: No such container: no-such-container\n", stop.err());

        BerthDist.Result inspect = berth("inspect", "no-such-thing");
        assertEquals(1, inspect.exitCode(), describe(inspect));
        assertEquals("[]\n", inspect.out());
        assertEquals("Error: No such object: no-such-thing\n", inspect.err());

        BerthDist.Result exec = berth("exec", "-it", "no-such-container", "sh");
        assertEquals(1, exec.exitCode(), describe(exec));
        assertEquals("Error response from daemon: No such container: no-such-container\n", exec.err());
    }

    @Test
    @Order(9)
    void givenARunningContainer_thenTopDiffAndCpWorkAndLinksStayLinks() throws Exception {
        BerthDist.Result run = berth("run", "-d", "--name", "files", image, "sleep", "300");
        assertEquals(0, run.exitCode(), describe(run));
        ids.add(run.out().strip());

        BerthDist.Result top = berth("top", "files");
        assertEquals(0, top.exitCode(), describe(top));
        assertTrue(top.lines().getFirst().matches("UID +PID +PPID +.*CMD"), top.out());
        assertTrue(top.lines().stream().skip(1).anyMatch(l -> l.endsWith("sleep 300")), top.out());
        BerthDist.Result topArgs = berth("container", "top", "files", "-o", "pid,args");
        assertEquals(0, topArgs.exitCode(), describe(topArgs));
        assertTrue(topArgs.lines().getFirst().matches("PID +COMMAND"), topArgs.out());
        assertTrue(topArgs.lines().stream().anyMatch(l -> l.matches("\\d+ +sleep 300")), topArgs.out());

        assertEquals(0, berth("exec", "files", "sh", "-c", "echo x > /new.txt").exitCode());
        BerthDist.Result diff = berth("diff", "files");
        assertEquals(0, diff.exitCode(), describe(diff));
        assertTrue(diff.lines().contains("A /new.txt"), diff.out());

        Path in = tmp.resolve("in.txt");
        Files.writeString(in, "round trip\n");
        BerthDist.Result cpIn = berth("cp", in.toString(), "files:/copied.txt");
        assertEquals(0, cpIn.exitCode(), describe(cpIn));
        assertEquals("round trip\n", berth("exec", "files", "cat", "/copied.txt").out());
        Path back = tmp.resolve("back.txt");
        BerthDist.Result cpOut = berth("cp", "files:/copied.txt", back.toString());
        assertEquals(0, cpOut.exitCode(), describe(cpOut));
        assertEquals("round trip\n", Files.readString(back));
        Path into = Files.createDirectories(tmp.resolve("into"));
        assertEquals(0, berth("container", "cp", "files:/copied.txt", into.toString()).exitCode());
        assertEquals("round trip\n", Files.readString(into.resolve("copied.txt")));
        BerthDist.Result stream = berth("cp", "files:/copied.txt", "-");
        assertEquals(0, stream.exitCode(), describe(stream));
        assertTrue(stream.out().contains("copied.txt") && stream.out().contains("round trip\n"), "a tar: " + stream.out());

        Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
        Files.writeString(tree.resolve("b"), "deep\n");
        Files.createSymbolicLink(tmp.resolve("tree/link"), Path.of("sub/b"));
        BerthDist.Result cpTree = berth("cp", tmp.resolve("tree").toString(), "files:/");
        assertEquals(0, cpTree.exitCode(), describe(cpTree));
        assertEquals("deep\n", berth("exec", "files", "cat", "/tree/sub/b").out());
        assertEquals("deep\n", berth("exec", "files", "cat", "/tree/link").out());

        BerthDist.Result links = berth("exec", "files", "sh", "-c",
                "mkdir -p /etc /d && echo container > /etc/marker && echo inside > /d/f && ln -s /etc /d/lnk && ln -s /etc /lnk");
        assertEquals(0, links.exitCode(), describe(links));
        Path dcopy = tmp.resolve("dcopy");
        BerthDist.Result cpDir = berth("cp", "files:/d", dcopy.toString());
        assertEquals(0, cpDir.exitCode(), describe(cpDir));
        assertEquals("inside\n", Files.readString(dcopy.resolve("f")));
        assertTrue(Files.isSymbolicLink(dcopy.resolve("lnk")), "the link itself is copied");
        assertEquals("/etc", Files.readSymbolicLink(dcopy.resolve("lnk")).toString());

        Path lcopy = tmp.resolve("lcopy");
        BerthDist.Result cpLink = berth("cp", "files:/lnk", lcopy.toString());
        assertEquals(0, cpLink.exitCode(), describe(cpLink));
        assertTrue(Files.isSymbolicLink(lcopy), "Docker's way: the link itself, never what it points to");
        assertEquals("/etc", Files.readSymbolicLink(lcopy).toString());

        BerthDist.Result missing = berth("cp", "files:/no/such", tmp.resolve("x").toString());
        assertEquals(1, missing.exitCode(), describe(missing));
        assertTrue(missing.err().startsWith("Error response from daemon: Could not find the file /no/such in container"),
                missing.err());
        assertEquals(0, berth("rm", "-f", "files").exitCode());
    }

    @Test
    @Order(10)
    void givenARunningContainer_whenExecItThroughARealTerminalOrExecIWithInput_thenTheShellComputesAndItsCodeComesBack() throws Exception {
        BerthDist.Result run = berth("run", "-d", "--name", "shell", image, "sleep", "300");
        assertEquals(0, run.exitCode(), describe(run));
        ids.add(run.out().strip());

        List<String> cmd = new ArrayList<>(List.of(berth.launcher.toString()));
        cmd.addAll(List.of(withHost("exec", "-it", "shell", "sh")));
        StringBuilder line = new StringBuilder();
        for (String a : cmd) {
            line.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }
        Process p = new ProcessBuilder("script", "-qec", line.toString(), "/dev/null").redirectErrorStream(true).start();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), seen));
        try (OutputStream in = p.getOutputStream()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!text(seen).contains("# ")) { // the shell's prompt
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    fail("no shell prompt through the terminal:\n" + text(seen));
                }
                Thread.sleep(50);
            }
            in.write("tty; echo $((2+3)); exit 4\r".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the interactive exec did not end:\n" + text(seen));
            }
        }
        reader.join(5000);
        String out = text(seen);
        assertEquals(4, p.exitValue(), out);
        assertTrue(out.contains("/dev/pts/"), "the exec'd shell has a terminal: " + out);
        assertTrue(out.contains("\r\n5\r\n"), "the shell's answer, through the exec's terminal: " + out);

        Path input = Files.createTempFile("berth-exec-i", ".txt");
        try {
            Files.writeString(input, "echo got hello; exit 6\n");
            BerthDist.Result piped = berth.run(env, input, 120, withHost("exec", "-i", "shell", "sh"));
            assertEquals(6, piped.exitCode(), describe(piped));
            assertEquals("got hello\n", piped.out(), describe(piped));
        } finally {
            Files.deleteIfExists(input);
        }
    }

    @Test
    @Order(11)
    void givenDockersSeccompProfile_whenAUserNamespaceIsAsked_thenItIsRefusedUnlessUnconfinedOrAProfileFileSaysOtherwise()
            throws Exception {
        String script = "grep Seccomp: /proc/self/status; unshare -Ur true";
        BerthDist.Result confined = berth("run", "--rm", image, "sh", "-c", script);
        assertEquals("Seccomp:\t2\n", confined.out(), describe(confined));
        assertEquals(1, confined.exitCode(), describe(confined));
        assertTrue(confined.err().contains("Operation not permitted"), describe(confined));
        BerthDist.Result unconfined = berth("run", "--rm", "--security-opt", "seccomp=unconfined", image, "sh", "-c", script);
        assertEquals("Seccomp:\t0\n", unconfined.out(), describe(unconfined));
        assertEquals(0, unconfined.exitCode(), describe(unconfined));
        Path profile = Files.writeString(tmp.resolve("no-mkdir.json"), """
                {
                  "defaultAction": "SCMP_ACT_ALLOW",
                  "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]
                }
                """);
        BerthDist.Result custom = berth("run", "--rm", "--security-opt", "seccomp=" + profile, image, "sh", "-c",
                "mkdir /made || exit 7; " + script);
        assertEquals(7, custom.exitCode(), describe(custom));
        assertTrue(custom.err().contains("Permission denied"), describe(custom));
        BerthDist.Result missing = berth("run", "--rm", "--security-opt", "seccomp=" + tmp.resolve("none.json"), image, "true");
        assertEquals(125, missing.exitCode(), describe(missing));
        assertTrue(missing.err().startsWith("invalid argument \"seccomp=" + tmp.resolve("none.json")
                + "\" for \"--security-opt\" flag: opening seccomp profile"), describe(missing));
    }

    @Test
    @Order(99)
    void givenEveryContainerRemoved_thenNothingIsLeftMountedOrInBerthsCgroups() throws Exception {
        remember();
        removeAllContainers();
        assertEquals("", berth("ps", "-aq").out());
        assertEquals(List.of(), mountsUnder(tmp), "mounts left under the test's root");
        List<String> cgroups = new ArrayList<>();
        try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                for (Path dir : List.of(controller.resolve("berth"), controller.resolve("unified/berth"))) {
                    for (String id : ids) {
                        if (Files.exists(dir.resolve(id))) {
                            cgroups.add(dir.resolve(id).toString());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), cgroups, "cgroups left for the suite's containers");
    }

    private void removeAllContainers() throws Exception {
        BerthDist.Result ps = berth("ps", "-aq", "--no-trunc");
        if (!ps.out().isBlank()) {
            ids.addAll(ps.lines());
            List<String> args = new ArrayList<>(List.of("rm", "-f", "-v"));
            args.addAll(ps.lines());
            BerthDist.Result rm = berth(args.toArray(String[]::new));
            assertEquals(0, rm.exitCode(), describe(rm));
        }
    }

    /** Mount points at or below {@code dir}, from this process's mount table. */
    private static List<String> mountsUnder(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        String prefix = dir.toRealPath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && (fields[4].equals(prefix) || fields[4].startsWith(prefix + "/"))) {
                found.add(fields[4]);
            }
        }
        return found;
    }
}
