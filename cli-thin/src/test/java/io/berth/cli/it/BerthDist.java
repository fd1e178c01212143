package io.berth.cli.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The installed berth (system property {@code berth.dist}, set by failsafe to {@code target/dist}), run as
 * processes the way a user runs it: {@code bin/berth …}.
 */
final class BerthDist {
    /** A finished command. */
    record Result(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    final Path dist;
    final Path launcher;

    private BerthDist(Path dist) {
        this.dist = dist;
        this.launcher = dist.resolve("bin/berth");
    }

    /**
     * The installation under test. A missing piece fails the test, never skips it: in CI an end-to-end test
     * that quietly skips because the daemon was not built would hide exactly the breakage it is there for.
     * Build it with {@code mvn -DskipTests package} at the root first.
     */
    static BerthDist get() throws IOException {
        String d = System.getProperty("berth.dist");
        if (d == null) {
            fail("system property berth.dist is not set: run the end-to-end tests through Maven (failsafe sets it"
                    + " to the root's target/dist)");
        }
        Path dist = Path.of(d);
        if (!Files.isExecutable(dist.resolve("bin/berth"))) {
            fail("no launcher at " + dist.resolve("bin/berth") + ": run mvn -DskipTests package at the root first");
        }
        Path engine = dist.resolve("lib/engine");
        boolean hasDaemon;
        try (Stream<Path> jars = Files.isDirectory(engine) ? Files.list(engine) : Stream.empty()) {
            hasDaemon = jars.filter(p -> p.toString().endsWith(".jar")).anyMatch(BerthDist::holdsDaemonMain);
        }
        if (!hasDaemon) {
            fail("the daemon is not installed in " + dist + " (no " + DAEMON_MAIN + " in " + engine
                    + "): run mvn -DskipTests package at the root, not only in cli-thin");
        }
        return new BerthDist(dist);
    }

    private static final String DAEMON_MAIN = "io/berth/engine/daemon/DaemonMain.class";

    private static boolean holdsDaemonMain(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getEntry(DAEMON_MAIN) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code bin/berth ARGS} and waits for it (at most {@code timeoutSeconds}). */
    Result run(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        return run(java.util.Map.of(), null, timeoutSeconds, args);
    }

    /**
     * Runs {@code bin/berth ARGS} with extra environment variables and stdin from a file (or nothing, when
     * {@code stdin} is {@code null}), and waits for it.
     */
    Result run(java.util.Map<String, String> env, Path stdin, int timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("berth-out", ".txt");
        Path err = Files.createTempFile("berth-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("BERTH_HOST");
            pb.environment().remove("BERTH_ROOT");
            pb.environment().putAll(env);
            pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                    : ProcessBuilder.Redirect.from(stdin.toFile()));
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("berth " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s; stderr: "
                        + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Starts {@code bin/berth daemon ARGS} in the background, output appended to {@code log}. */
    Process startDaemon(Path log, String... args) throws IOException {
        return startDaemon(java.util.Map.of(), log, args);
    }

    /** As {@link #startDaemon(Path, String...)}, with extra environment variables. */
    Process startDaemon(java.util.Map<String, String> env, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.add("daemon");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Stops the daemon whose pid is in {@code pidFile} and waits until it is gone. */
    static void stopDaemon(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy(); // SIGTERM: the daemon shuts down cleanly
            try {
                h.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
    }
}
