package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
 * BuildKit's build options through the installed CLI and daemon ({@code target/dist}, private root
 * and socket), on the example's busybox base: {@code --secret} from a file and from the environment,
 * {@code --ssh} without an agent, {@code --output} of both types, several {@code -t} with
 * {@code --iidfile}, {@code --target}, {@code --platform}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildKitCliIT {
    private Path tmp;
    private BerthDist berth;
    private Path root;
    private String host;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("berth-buildkit-cli-it");
        berth = BerthDist.get();
        root = tmp.resolve("root");
        host = "unix://" + tmp.resolve("berth.sock");
        Path example = Path.of("..", "examples", "demo").toAbsolutePath().normalize();
        Path launcher = Path.of(System.getProperty("berth.dist"), "bin", "berth");
        Path wrapper = tmp.resolve("berth-cmd");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + launcher + " -H " + host + " --root " + root + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        Process p = new ProcessBuilder(example.resolve("base-image.sh").toString(), wrapper.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
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

    private BerthDist.Result berth(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-H", host, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(env, null, 300, all.toArray(String[]::new));
    }

    private BerthDist.Result berth(String... args) throws Exception {
        return berth(Map.of(), args);
    }

    private static String describe(BerthDist.Result r) {
        return "exit " + r.exitCode() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err();
    }

    private Path context(String name, String dockerfile) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("Dockerfile"), dockerfile);
        return dir;
    }

    @Test
    void givenSecretsFromAFileAndTheEnvironmentThenRunReadsThemAndTheImageDoesNot() throws Exception {
        Path secretFile = tmp.resolve("token.txt");
        Files.writeString(secretFile, "file-secret-4711");
        Path dir = context("secrets", """
                FROM berth-example/busybox
                RUN --mount=type=secret,id=tok cat /run/secrets/tok | wc -c > /tok-len
                RUN --mount=type=secret,id=api,env=API_KEY sh -c 'echo "$API_KEY" | cut -c1-3 > /api-head'
                """);
        BerthDist.Result built = berth(Map.of("MY_API", "env-secret-0815"), "build", "-t", "secrets", "--secret",
                "id=tok,src=" + secretFile, "--secret", "id=api,env=MY_API", dir.toString());
        assertEquals(0, built.exitCode(), describe(built));
        BerthDist.Result seen = berth("run", "--rm", "--network", "none", "secrets", "cat", "/tok-len", "/api-head");
        assertEquals("16\nenv\n", seen.out(), describe(seen));
        BerthDist.Result history = berth("history", "--no-trunc", "secrets");
        assertFalse(history.out().contains("file-secret-4711") || history.out().contains("env-secret-0815"), describe(history));
        BerthDist.Result missing = berth("build", "--secret", "id=x,src=" + tmp.resolve("nope"), dir.toString());
        assertEquals(1, missing.exitCode(), describe(missing));
        assertTrue(missing.err().contains("secret x: cannot read"), describe(missing));
    }

    @Test
    void givenAnSshMountWithoutAnAgentThenTheBuildSaysHowToGiveOne() throws Exception {
        Path dir = context("ssh", "FROM berth-example/busybox\nRUN --mount=type=ssh true\n");
        BerthDist.Result refused = berth("build", dir.toString());
        assertEquals(1, refused.exitCode(), describe(refused));
        assertTrue(refused.err().contains("no SSH agent socket default was given to the build (build --ssh default"), describe(refused));
        BerthDist.Result notASocket = berth("build", "--ssh", "default=/etc/passwd", dir.toString());
        assertEquals(1, notASocket.exitCode(), describe(notASocket));
        assertTrue(notASocket.err().contains("--ssh default=/etc/passwd: /etc/passwd is not a socket"), describe(notASocket));
    }

    @Test
    void givenOutputsThenTheLastStagesFilesAreWrittenAsADirectoryOrATar() throws Exception {
        Path dir = context("outputs", """
                FROM berth-example/busybox AS build
                RUN mkdir -p /out && echo artifact > /out/app.txt
                FROM scratch
                COPY --from=build /out/ /
                """);
        Path local = tmp.resolve("local-out");
        BerthDist.Result toDir = berth("build", "--output", "type=local,dest=" + local, dir.toString());
        assertEquals(0, toDir.exitCode(), describe(toDir));
        assertEquals("artifact\n", Files.readString(local.resolve("app.txt")));
        try (var files = Files.list(local)) {
            assertEquals(List.of("app.txt"), files.map(f -> f.getFileName().toString()).toList(), "only the image's files");
        }
        Path tarFile = tmp.resolve("out.tar");
        BerthDist.Result toTar = berth("build", "--output", "type=tar,dest=" + tarFile, dir.toString());
        assertEquals(0, toTar.exitCode(), describe(toTar));
        Process list = new ProcessBuilder("tar", "-tf", tarFile.toString()).start();
        assertEquals("app.txt\n", new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        BerthDist.Result toStdout = berth("build", "-o", "-", dir.toString());
        assertEquals(0, toStdout.exitCode(), describe(toStdout));
        assertTrue(toStdout.out().contains("artifact\n") && toStdout.out().startsWith("app.txt"), "a tar on stdout: " + describe(toStdout));
        assertTrue(toStdout.err().contains("Successfully built"), "progress on stderr: " + describe(toStdout));
        BerthDist.Result badType = berth("build", "--output", "type=registry,dest=x", dir.toString());
        assertEquals(1, badType.exitCode(), describe(badType));
        assertTrue(badType.err().contains("type registry is not supported"), describe(badType));
    }

    @Test
    void givenSeveralTagsAnIidfileATargetAndAPlatformThenEachApplies() throws Exception {
        Path dir = context("tags", """
                FROM berth-example/busybox AS first
                RUN echo first > /stage
                FROM berth-example/busybox AS second
                RUN echo second > /stage
                """);
        Path iid = tmp.resolve("tags.iid");
        BerthDist.Result built = berth("build", "-t", "one:1", "-t", "two:2", "--iidfile", iid.toString(), "--target", "first",
                "--platform", "linux/amd64", dir.toString());
        assertEquals(0, built.exitCode(), describe(built));
        String id = Files.readString(iid);
        assertTrue(id.startsWith("sha256:"), id);
        for (String tag : List.of("one:1", "two:2")) {
            BerthDist.Result inspect = berth("image", "inspect", "--format", "{{.Id}}", tag);
            assertEquals(id, inspect.out().strip(), describe(inspect));
        }
        assertEquals("first\n", berth("run", "--rm", "--network", "none", "one:1", "cat", "/stage").out());
        BerthDist.Result arm = berth("build", "--platform", "linux/arm64", dir.toString());
        assertEquals(1, arm.exitCode(), describe(arm));
        assertEquals(1, arm.err().strip().lines().count(), describe(arm));
        assertTrue(arm.err().contains("linux/arm64"), describe(arm));
    }
}
