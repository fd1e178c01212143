package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A daemon of the installed berth ({@code target/dist}) on a private root and socket, with the example's tiny
 * image {@code berth-example/busybox:latest} loaded (made from the host's busybox by
 * {@code examples/demo/base-image.sh}), for tests that drive it with Docker's own clients. Those clients get
 * {@code DOCKER_HOST} pointing at this socket in their environment (failsafe's own {@code DOCKER_HOST} names
 * another test's socket).
 */
final class ClientDaemon implements AutoCloseable {
    static final String IMAGE = "berth-example/busybox:latest";

    final BerthDist berth;
    final Path dir;
    final Path root;
    final String host;

    /** A command's outcome. */
    record Result(int code, String out, String err) {
        String describe() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private ClientDaemon(BerthDist berth, Path dir) {
        this.berth = berth;
        this.dir = dir;
        this.root = dir.resolve("root");
        this.host = "unix://" + dir.resolve("berth.sock");
    }

    /** Starts a daemon in {@code target/NAME} (cleared first) and loads the tiny image through the CLI. */
    static ClientDaemon start(String name) throws Exception {
        Path dir = Path.of("target", name).toAbsolutePath();
        ClientDaemon daemon = new ClientDaemon(BerthDist.get(), dir);
        if (Files.exists(daemon.root.resolve("berth.pid"))) {
            BerthDist.stopDaemon(daemon.root.resolve("berth.pid")); // left by an interrupted run
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        Path wrapper = dir.resolve("berth-cmd");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + daemon.berth.launcher + " -H " + daemon.host + " --root " + daemon.root
                + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        Path example = Path.of("..", "examples", "demo", "base-image.sh").toAbsolutePath().normalize();
        Result loaded = daemon.run(dir, 180, example.toString(), wrapper.toString());
        assertEquals(0, loaded.code(), loaded.describe());
        assertTrue(loaded.out().contains("Loaded image: " + IMAGE), loaded.describe());
        return daemon;
    }

    /** Runs a program in {@code cwd} with {@code DOCKER_HOST} set to this daemon; a missing program fails the test. */
    Result run(Path cwd, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        return run(cwd, Map.of(), timeoutSeconds, command);
    }

    Result run(Path cwd, Map<String, String> env, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        if (command[0].startsWith("/") && !Files.isExecutable(Path.of(command[0]))) {
            fail(command[0] + " is missing: setup/host-packages.sh lists what the tests need");
        }
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("DOCKER_HOST", host);
            pb.environment().put("DOCKER_CONFIG", dir.resolve("docker-config").toString());
            pb.environment().remove("DOCKER_BUILDKIT");
            pb.environment().remove("BERTH_HOST");
            pb.environment().remove("BERTH_ROOT");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s; stderr: " + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The installed {@code berth} CLI against this daemon. */
    BerthDist.Result berth(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-H", host, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(Map.of(), null, 120, all.toArray(String[]::new));
    }

    /** Removes every container, stops the daemon and keeps its log beside the test reports. */
    @Override
    public void close() throws Exception {
        try {
            if (Files.exists(root.resolve("berth.pid"))) {
                for (String id : berth("ps", "-aq", "--no-trunc").lines()) {
                    berth("rm", "-f", id);
                }
            }
        } finally {
            BerthDist.stopDaemon(root.resolve("berth.pid"));
            if (Files.exists(root.resolve("daemon.log"))) {
                Files.copy(root.resolve("daemon.log"), dir.resolveSibling(dir.getFileName() + "-daemon.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Files.readString(Path.of("/proc/self/mounts")).contains(dir.toString())) {
                deleteTree(dir);
            }
        }
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
