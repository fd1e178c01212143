package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The build commands end to end with the installed CLI and daemon ({@code target/dist}, private root and
 * socket), on the repository's example: its base image made from the host's busybox by
 * {@code examples/demo/base-image.sh}, then {@code build -t demo}, {@code run --rm demo}, {@code history},
 * two {@code --no-cache} builds with the same id, {@code build ls/inspect/logs/replay}, the build's events,
 * and a failing build's exit code and message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildCommandsIT {
    private Path tmp;
    private BerthDist berth;
    private Path root;
    private String host;
    private Path example;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("berth-build-cli-it");
        berth = BerthDist.get();
        root = tmp.resolve("root");
        host = "unix://" + tmp.resolve("berth.sock");
        example = Path.of("..", "examples", "demo").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(example.resolve("Dockerfile")), "the example is at " + example);
        Path launcher = Path.of(System.getProperty("berth.dist"), "bin", "berth");
        // the example's own script loads its base through the CLI under test
        Path wrapper = tmp.resolve("berth-cmd");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + launcher + " -H " + host + " --root " + root + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        Process p = new ProcessBuilder(example.resolve("base-image.sh").toString(), wrapper.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("Loaded image: berth-example/busybox:latest"), out);
    }

    @AfterAll
    void stop() throws Exception {
        if (root != null) {
            BerthDist.stopDaemon(root.resolve("berth.pid"));
        }
        if (tmp != null && !Files.readString(Path.of("/proc/self/mounts")).contains(tmp.toString())) {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private BerthDist.Result berth(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-H", host, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(Map.of(), null, 300, all.toArray(String[]::new));
    }

    private static String describe(BerthDist.Result r) {
        return "exit " + r.exitCode() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err();
    }

    @Test
    void theExampleBuildsRunsReproducesAndIsRecorded() throws Exception {
        BerthDist.Result built = berth("build", "-t", "demo", example.toString());
        assertEquals(0, built.exitCode(), describe(built));
        assertTrue(built.out().contains("Step 26/26 : CMD [\"world\"]") && built.out().contains("Successfully tagged demo:latest"),
                describe(built));
        assertTrue(!built.out().contains("notes.md"), ".dockerignore kept notes.md home");

        BerthDist.Result again = berth("build", "-t", "demo", example.toString());
        assertEquals(24, again.out().split(" ---> Using cache", -1).length - 1, describe(again));

        BerthDist.Result run = berth("run", "--rm", "demo");
        assertEquals(0, run.exitCode(), describe(run));
        assertTrue(run.out().startsWith("hello from the build stage, world!\nversion 1.0, running as app in /app\n"), describe(run));

        BerthDist.Result history = berth("history", "demo");
        assertEquals(0, history.exitCode(), describe(history));
        // a row per instruction of the final stage after FROM (20), the base's one, and the header
        assertEquals(22, history.lines().size(), describe(history));

        BerthDist.Result one = berth("build", "-q", "--no-cache", example.toString());
        BerthDist.Result two = berth("build", "-q", "--no-cache", "--iidfile", tmp.resolve("iid").toString(), example.toString());
        assertEquals(0, one.exitCode(), describe(one));
        assertEquals(one.out().strip(), two.out().strip());
        assertEquals(one.out().strip(), Files.readString(tmp.resolve("iid")));
        assertTrue(one.out().strip().startsWith("sha256:"), describe(one));

        BerthDist.Result inspect = berth("build", "inspect", "demo");
        assertEquals(0, inspect.exitCode(), describe(inspect));
        assertTrue(inspect.out().contains("Status:      completed"), describe(inspect));
        assertTrue(inspect.out().contains(" by root (uid 0, pid "), describe(inspect));
        long decisions = inspect.out().lines().filter(l -> l.matches("\\s+\\d+\\s+(BUILT|CACHED)\\s+.*")).count();
        assertEquals(26, decisions, describe(inspect));
        long reasons = inspect.out().lines().filter(l -> l.strip().startsWith("why: ")).count();
        assertEquals(26, reasons, "every step says why it was or was not cached");

        BerthDist.Result replay = berth("build", "replay", "demo");
        assertEquals(0, replay.exitCode(), describe(replay));
        assertTrue(replay.out().contains("every layer reproduced"), describe(replay));
        assertEquals(26, replay.out().lines().filter(l -> l.contains(" reproduced ")).count(), describe(replay));

        BerthDist.Result ls = berth("build", "ls");
        assertTrue(ls.out().lines().count() >= 5 && ls.out().contains("(replay)"), describe(ls));
        // --format json: one object per build and line, Docker's key names, the same rows as the table
        BerthDist.Result lsJson = berth("build", "ls", "--format", "json");
        assertEquals(0, lsJson.exitCode(), describe(lsJson));
        assertEquals(ls.out().lines().count() - 1, lsJson.out().lines().count(), describe(lsJson));
        for (String line : lsJson.lines()) {
            Map<String, Object> build = io.berth.text.json.Json.object(io.berth.text.json.Json.parse(line));
            assertTrue(String.valueOf(build.get("ID")).matches("[0-9a-f]{12}"), line);
            assertTrue(ls.out().contains(build.get("ID") + " "), "listed in the table too: " + line);
            assertTrue(build.keySet().containsAll(List.of("Status", "Image", "Tags", "StartedAt", "Duration", "User")), line);
        }
        BerthDist.Result inspectJson = berth("build", "inspect", "--format", "json", "demo");
        assertEquals(1, inspectJson.out().lines().count(), describe(inspectJson));
        assertEquals("completed", io.berth.text.json.Json.text(io.berth.text.json.Json.parse(inspectJson.out()), "status"));
        BerthDist.Result logs = berth("build", "logs", "demo");
        assertTrue(logs.out().contains("Step 1/26 : FROM ${BASE} AS builder"), describe(logs));

        BerthDist.Result events = berth("events", "--since", "0", "--until", Long.toString(System.currentTimeMillis() / 1000 + 1),
                "--filter", "type=build");
        assertEquals(0, events.exitCode(), describe(events));
        assertTrue(events.out().contains("BuildStarted") && events.out().contains("BuildStepCached")
                && events.out().contains("BuildCompleted"), describe(events));
    }

    @Test
    void aFailingBuildPrintsTheStepsOutputAndTheLocatedErrorAndExitsOne() throws Exception {
        Path context = Files.createDirectories(tmp.resolve("failing"));
        Files.writeString(context.resolve("Dockerfile"), "FROM berth-example/busybox:latest\nRUN echo going down && exit 5\n");
        BerthDist.Result failed = berth("build", "-t", "never", context.toString());
        assertEquals(1, failed.exitCode(), describe(failed));
        assertTrue(failed.out().contains("going down"), describe(failed));
        assertTrue(failed.err().contains("Dockerfile:2: The command '/bin/sh -c echo going down && exit 5' returned a non-zero code: 5"),
                describe(failed));
        assertNotEquals(0, berth("inspect", "never").exitCode(), "no image was made");
        BerthDist.Result missing = berth("build", tmp.resolve("nowhere").toString());
        assertEquals(1, missing.exitCode(), describe(missing));
        assertTrue(missing.err().contains("unable to prepare context: path"), describe(missing));
    }

    @Test
    void buildNetworkChoosesTheRunStepsNetworkAndTheDefaultHasNoRawSockets() throws Exception {
        Path context = Files.createDirectories(tmp.resolve("network"));
        Files.writeString(context.resolve("Dockerfile"), "FROM berth-example/busybox:latest\n"
                + "RUN cat /proc/net/dev | cut -d: -f1 | tail -n +3 | tr -d ' ' | sort | tr '\\n' ' ' && echo\n"
                + "RUN ping -c1 -W1 127.0.0.1 >/dev/null 2>&1 && echo raw socket opened || echo raw socket refused\n");
        BerthDist.Result none = berth("build", "--no-cache", "--network", "none", context.toString());
        assertEquals(0, none.exitCode(), describe(none));
        assertTrue(none.out().contains("\nlo \n"), "only the loopback interface: " + describe(none));
        BerthDist.Result byDefault = berth("build", "--no-cache", context.toString());
        assertEquals(0, byDefault.exitCode(), describe(byDefault));
        assertTrue(byDefault.out().contains("raw socket refused"), describe(byDefault));
        BerthDist.Result host = berth("build", "--no-cache", "--network", "host", context.toString());
        assertEquals(0, host.exitCode(), describe(host));
        assertTrue(host.out().contains("raw socket opened"), describe(host));
        BerthDist.Result bad = berth("build", "--network", "overlay", context.toString());
        assertEquals(1, bad.exitCode(), describe(bad));
        assertTrue(bad.err().contains("--network=overlay is not supported: use default, host or none"), describe(bad));
    }
}
