package io.berth.cli.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Docker's verbs through the stock docker CLIs, unchanged, against a berth daemon: the 28.x client at
 * /usr/local/bin/docker and Debian's docker.io 20.10 client at /usr/bin/docker, each with {@code -H unix://SOCK}.
 * Real runc, conmon, overlayfs and cgroups underneath; every container runs with {@code --network none}.
 * Each test runs once per client with names of its own, so the two never see each other's objects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerCliVerbsIT {
    private Path tmp;
    private BerthDist berth;
    private LocalRegistry registry;
    private Path root;
    private Path socket;
    private String image;
    private final List<String> containers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        for (String docker : List.of("/usr/local/bin/docker", "/usr/bin/docker")) {
            if (!Files.isExecutable(Path.of(docker))) {
                fail("the stock docker CLI is missing at " + docker + " (Debian: docker.io; the 28.x client ships with the machine image)");
            }
        }
        tmp = Files.createTempDirectory("berth-docker-verbs-it");
        berth = BerthDist.get();
        registry = LocalRegistry.start(Files.createDirectories(tmp.resolve("registry")));
        Path layout = LocalRegistry.busyboxLayout(Files.createDirectories(tmp.resolve("image")),
                List.of("sh", "echo", "cat", "sleep", "true"));
        registry.push(layout, "busybox:1");
        image = registry.host() + "/busybox:1";
        root = tmp.resolve("root");
        socket = tmp.resolve("berth.sock");
        BerthDist.Result pulled = berth.run(Map.of(), null, 120, "-H", "unix://" + socket, "--root", root.toString(), "pull", image);
        assertEquals(0, pulled.exitCode(), pulled.err());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            for (String name : containers) {
                docker("/usr/local/bin/docker", "rm", "-f", name);
            }
        } finally {
            if (root != null) {
                BerthDist.stopDaemon(root.resolve("berth.pid"));
            }
            if (registry != null) {
                registry.close();
            }
            if (tmp != null) {
                try (var walk = Files.walk(tmp)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /**
     * The client that sets up files with {@code exec} and runs the images made, in the foreground: Debian's 20.10
     * client fails attached {@code exec} and {@code run} against berth ("Unrecognized input header: 123"), which are
     * not verbs under test here.
     */
    private static final String EXEC_CLIENT = "/usr/local/bin/docker";

    private static String tag(String docker) {
        return docker.startsWith("/usr/local") ? "d28" : "d20";
    }

    private String runSleeper(String docker, String name) throws Exception {
        containers.add(name);
        Outcome run = ok(docker, "run", "-d", "--network", "none", "--name", name, image, "sleep", "300");
        return run.out().strip();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/local/bin/docker", "/usr/bin/docker"})
    void givenRunningContainer_whenPausedThenUnpaused_thenInspectFollowsAndProcessesResume(String docker) throws Exception {
        String name = "pause-" + tag(docker);
        runSleeper(docker, name);
        ok(docker, "pause", name);
        assertEquals("paused true true", ok(docker, "inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}", name).out().strip());
        assertTrue(ok(docker, "ps", "--filter", "name=" + name, "--format", "{{.Status}}").out().contains("(Paused)"));
        Outcome exec = docker(EXEC_CLIENT, "exec", name, "true");
        assertTrue(exec.exitCode() != 0 && exec.err().contains("paused"), "exec in a paused container is refused: " + exec);
        ok(docker, "unpause", name);
        assertEquals("running false", ok(docker, "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", name).out().strip());
        assertEquals("", ok(EXEC_CLIENT, "exec", name, "true").out());
        Outcome again = docker(docker, "unpause", name);
        assertTrue(again.exitCode() != 0 && again.err().contains("is not paused"), again.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/local/bin/docker", "/usr/bin/docker"})
    void givenRunningContainer_whenUpdateMemory_thenInspectAndStatsShowTheNewLimit(String docker) throws Exception {
        String name = "update-" + tag(docker);
        runSleeper(docker, name);
        ok(docker, "update", "--memory", "64m", "--pids-limit", "50", name);
        assertEquals("67108864 50", ok(docker, "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}", name).out().strip());
        String stats = ok(docker, "stats", "--no-stream", "--format", "{{.Name}}|{{.MemUsage}}|{{.PIDs}}", name).out().strip();
        assertTrue(stats.startsWith(name + "|") && stats.contains("/ 64MiB") && stats.endsWith("|1"), stats);
        Outcome events = ok(docker, "events", "--since", "0", "--until", String.valueOf(System.currentTimeMillis() / 1000 + 1),
                "--filter", "container=" + name, "--format", "{{.Action}}");
        assertTrue(events.out().lines().anyMatch("update"::equals), events.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/local/bin/docker", "/usr/bin/docker"})
    void givenRunningContainers_whenStatsNoStream_thenEveryRunningOneHasARow(String docker) throws Exception {
        String name = "stats-" + tag(docker);
        runSleeper(docker, name);
        Outcome table = ok(docker, "stats", "--no-stream");
        assertTrue(table.out().startsWith("CONTAINER ID"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.contains(name)), table.out());
        String cpu = ok(docker, "stats", "--no-stream", "--format", "{{.CPUPerc}}", name).out().strip();
        assertTrue(cpu.matches("\\d+\\.\\d\\d%"), cpu);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/local/bin/docker", "/usr/bin/docker"})
    void givenChangedContainer_whenCommitted_thenTheImageHoldsTheChangeAndTheNewConfig(String docker) throws Exception {
        String name = "commit-" + tag(docker);
        runSleeper(docker, name);
        ok(EXEC_CLIENT, "exec", name, "sh", "-c", "echo committed > /marker");
        String repo = "verbs-" + tag(docker) + "/committed:1";
        ok(docker, "commit", "-c", "ENV GREETING=hello", "-c", "CMD [\"cat\", \"/marker\"]", "-m", "a message", "-a", "someone", name, repo);
        assertEquals("committed", ok(EXEC_CLIENT, "run", "--rm", "--network", "none", repo).out().strip());
        assertEquals("hello", ok(EXEC_CLIENT, "run", "--rm", "--network", "none", repo, "sh", "-c", "echo $GREETING").out().strip());
        assertEquals("someone a message", ok(docker, "inspect", "-f", "{{.Author}} {{.Comment}}", repo).out().strip());
        assertEquals("running", ok(docker, "inspect", "-f", "{{.State.Status}}", name).out().strip(), "commit thaws what it paused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/local/bin/docker", "/usr/bin/docker"})
    void givenContainer_whenExportPipedToImport_thenTheImportedImageRunsWithItsFiles(String docker) throws Exception {
        String name = "export-" + tag(docker);
        runSleeper(docker, name);
        ok(EXEC_CLIENT, "exec", name, "sh", "-c", "echo exported > /marker");
        String repo = "verbs-" + tag(docker) + "/imported:1";
        String host = "unix://" + socket;
        ProcessBuilder pipe = new ProcessBuilder("bash", "-c", "set -o pipefail; " + docker + " -H " + host + " export " + name
                + " | " + docker + " -H " + host + " import -c 'CMD [\"cat\",\"/marker\"]' - " + repo);
        pipe.environment().put("DOCKER_CONFIG", tmp.resolve("docker-config").toString());
        Outcome imported = finish(pipe, "export | import");
        assertEquals(0, imported.exitCode(), imported.toString());
        assertTrue(imported.out().strip().startsWith("sha256:"), imported.out());
        assertEquals("exported", ok(EXEC_CLIENT, "run", "--rm", "--network", "none", repo).out().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/local/bin/docker", "/usr/bin/docker"})
    void givenImagesAndVolumes_whenSystemDfAndFilteredListsAndPrune_thenDockersShapesAndChoices(String docker) throws Exception {
        String t = tag(docker);
        Outcome df = ok(docker, "system", "df");
        assertTrue(df.out().startsWith("TYPE") && df.out().contains("Images") && df.out().contains("Local Volumes"), df.out());
        ok(docker, "system", "df", "-v");
        assertTrue(ok(docker, "builder", "prune", "-f").out().contains("Total reclaimed space"));

        ok(docker, "volume", "create", "--label", "team=" + t, "labelled-" + t);
        ok(docker, "volume", "create", "plain-" + t);
        assertEquals("labelled-" + t, ok(docker, "volume", "ls", "-q", "--filter", "label=team=" + t).out().strip());
        List<String> named = ok(docker, "volume", "ls", "-q", "--filter", "name=plain-" + t).out().lines().toList();
        assertEquals(List.of("plain-" + t), named);

        String user = "volume-user-" + t;
        containers.add(user);
        ok(docker, "run", "-d", "--network", "none", "--name", user, "-v", "labelled-" + t + ":/data", image, "sleep", "300");
        List<String> dangling = ok(docker, "volume", "ls", "-q", "--filter", "dangling=true").out().lines().toList();
        assertTrue(dangling.contains("plain-" + t) && !dangling.contains("labelled-" + t), dangling.toString());
        Outcome inUse = docker(docker, "volume", "rm", "-f", "labelled-" + t);
        assertTrue(inUse.exitCode() != 0 && inUse.err().contains("in use"), "a volume in use is kept, forced or not: " + inUse);

        // an image of its own (a commit of a container's empty layer): no container uses it
        String unused = "verbs-" + t + "/unused:1";
        ok(docker, "commit", user, unused);
        ok(docker, "image", "prune", "-a", "-f");
        List<String> left = ok(docker, "images", "--format", "{{.Repository}}:{{.Tag}}").out().lines().toList();
        assertFalse(left.contains(unused), "image prune -a removes an image no container uses: " + left);
        assertTrue(left.stream().anyMatch(r -> r.endsWith("/busybox:1")), "an image a container uses stays: " + left);
    }

    @org.junit.jupiter.api.Test
    void givenBerthCli_whenTheSameVerbs_thenTheSameOutcomes() throws Exception {
        String name = "berth-cli-verbs";
        runSleeper("/usr/local/bin/docker", name);
        expectOk(berthCli("pause", name));
        assertEquals("paused", ok("/usr/local/bin/docker", "inspect", "-f", "{{.State.Status}}", name).out().strip());
        expectOk(berthCli("unpause", name));
        expectOk(berthCli("update", "--memory", "40m", name));
        assertEquals("41943040", ok("/usr/local/bin/docker", "inspect", "-f", "{{.HostConfig.Memory}}", name).out().strip());
        BerthDist.Result stats = berthCli("stats", "--no-stream", name);
        expectOk(stats);
        assertTrue(stats.out().startsWith("CONTAINER ID") && stats.out().contains(name) && stats.out().contains("/ 40MiB"), stats.out());
        ok(EXEC_CLIENT, "exec", name, "sh", "-c", "echo via-berth > /marker");
        BerthDist.Result committed = berthCli("commit", "-c", "CMD [\"cat\",\"/marker\"]", name, "verbs-berth/committed:1");
        expectOk(committed);
        assertTrue(committed.out().strip().startsWith("sha256:"), committed.out());
        assertEquals("via-berth", ok(EXEC_CLIENT, "run", "--rm", "--network", "none", "verbs-berth/committed:1").out().strip());
        Path tar = tmp.resolve("berth-export.tar");
        expectOk(berthCli("export", "-o", tar.toString(), name));
        BerthDist.Result imported = berthCli("import", "-c", "CMD [\"cat\",\"/marker\"]", tar.toString(), "verbs-berth/imported:1");
        expectOk(imported);
        assertEquals("via-berth", ok(EXEC_CLIENT, "run", "--rm", "--network", "none", "verbs-berth/imported:1").out().strip());
        BerthDist.Result pruned = berthCli("builder", "prune", "-f");
        expectOk(pruned);
        assertTrue(pruned.out().startsWith("Total reclaimed space: "), pruned.out());
        BerthDist.Result df = berthCli("system", "df");
        expectOk(df);
        assertTrue(df.out().startsWith("TYPE") && df.out().contains("Local Volumes"), df.out());
    }

    private BerthDist.Result berthCli(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("-H", "unix://" + socket, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(Map.of("DOCKER_CONFIG", tmp.resolve("docker-config").toString()), null, 120, all.toArray(String[]::new));
    }

    private static void expectOk(BerthDist.Result r) {
        assertEquals(0, r.exitCode(), "exit " + r.exitCode() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err());
    }

    private record Outcome(int exitCode, String out, String err) { }

    private Outcome ok(String docker, String... args) throws IOException, InterruptedException {
        Outcome o = docker(docker, args);
        assertEquals(0, o.exitCode(), docker + " " + String.join(" ", args) + " failed: " + o.err());
        return o;
    }

    private Outcome docker(String docker, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(docker, "-H", "unix://" + socket));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DOCKER_CONFIG", tmp.resolve("docker-config").toString());
        return finish(pb, String.join(" ", cmd));
    }

    private Outcome finish(ProcessBuilder pb, String what) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "docker-out", ".txt");
        Path err = Files.createTempFile(tmp, "docker-err", ".txt");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(what + " did not finish in 120 s");
        }
        return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
