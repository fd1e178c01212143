package io.berth.cli.training;

import io.berth.cli.http.UnixHttpClient;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training run for the CLI's AOT cache: runs the everyday commands against a daemon socket so the JVM
 * records the classes they load and link. The launcher runs it at build time with the same JVM options and
 * class path it uses for the CLI ({@code BERTH_AOT_TRAIN=1 bin/berth}), which is what makes the cache usable;
 * it lives in the CLI jar because a cache only serves a class path it was trained on. What answers on the
 * socket runs in a process of its own (the build's is the test code's stand-in daemon, whose answers have rows
 * in every list), so no server class is recorded into the cache, which the JVM loads whole at every start.
 */
public final class AotTraining {
    private AotTraining() {
    }

    private static void delete(java.io.File f) {
        java.io.File[] children = f.listFiles();
        if (children != null) {
            for (java.io.File c : children) {
                delete(c);
            }
        }
        f.delete();
    }

    /**
     * The everyday commands only. With the JDK's AOT cache every class in it is loaded and linked when the JVM
     * starts, so training help, error and rarely used paths would make every command start slower (measured:
     * docs/PERFORMANCE.md, "CLI start-up"); those paths load their classes from the jar.
     */
    static String[][] everydayRuns(String host, Path dir) throws IOException {
        // A small build context like a real one: a Dockerfile, a .dockerignore and files in a directory.
        Path context = dir.resolve("context");
        Files.createDirectories(context.resolve("files"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nCOPY files/ /app/\n");
        Files.writeString(context.resolve(".dockerignore"), "*.tmp\n");
        for (int i = 0; i < 8; i++) {
            Files.writeString(context.resolve("files").resolve("file-" + i + ".txt"), "line " + i + "\n");
        }
        return new String[][] {
                {"-H", host, "version"},
                {"-H", host, "version", "--format", "json"},
                {"-H", host, "info"},
                {"-H", host, "info", "--format", "json"},
                {"-H", host, "events", "--since", "0"},
                {"-H", host, "events", "--since", "seq:1", "--follow"},
                {"-H", host, "plugin", "ls"},
                {"-H", host, "system", "replay"},
                {"-H", host, "images"},
                {"-H", host, "images", "--digests", "--no-trunc"},
                {"-H", host, "images", "-q"},
                {"-H", host, "image", "ls"},
                {"-H", host, "image", "inspect", "busybox"},
                {"-H", host, "inspect", "busybox"},
                {"-H", host, "history", "busybox"},
                {"-H", host, "pull", "busybox"},
                {"-H", host, "tag", "busybox", "x/y:z"},
                {"-H", host, "rmi", "busybox"},
                {"-H", host, "ps"},
                {"-H", host, "ps", "-a"},
                {"-H", host, "ps", "-aq"},
                {"-H", host, "container", "ls", "-a"},
                {"-H", host, "volume", "ls"},
                {"-H", host, "network", "ls"},
                {"-H", host, "build", "-q", "-t", "x/y:z", context.toString()},
                {"-H", host, "build", "-t", "x/y:z", context.toString()},
                // create, start, the followed log, wait and delete: the path of every foreground run
                {"-H", host, "run", "--rm", "busybox", "true"},
                {"-H", host, "run", "--rm", "--network", "none", "-e", "A=b", "busybox", "sh", "-c", "echo log"},
                {"-H", host, "run", "-d", "busybox", "true"},
        };
    }

    /**
     * The command lines {@code QuickCommands} reads without picocli: the launcher runs them with a cache of their
     * own ({@code lib/cli/berth-quick.aot}), trained on these alone, because the JVM loads and links every class
     * of a cache at start and these commands need neither picocli nor the other commands' classes (~500 classes,
     * ~5 ms of CPU per command: docs/PERFORMANCE.md, "Start-up side by side"). Templates and {@code --format json}
     * of the lists are left out: their java.time formatters, regular expressions and lambdas would be loaded by
     * every plain {@code ps} too.
     */
    static String[][] quickRuns(String host) {
        return new String[][] {
                {"-H", host, "version"},
                {"-H", host, "version", "--format", "json"},
                {"-H", host, "images"},
                {"-H", host, "images", "--digests", "--no-trunc"},
                {"-H", host, "images", "-q"},
                {"-H", host, "image", "ls"},
                {"-H", host, "ps"},
                {"-H", host, "ps", "-a"},
                {"-H", host, "ps", "-aq"},
                {"-H", host, "ps", "-a", "--filter", "status=exited"},
                {"-H", host, "container", "ls", "-a"},
        };
    }

    /** The CLI as the training runs it: {@code Main.run} with the given environment and streams. */
    @FunctionalInterface
    public interface Cli {
        /** Runs one command line and answers its exit code. */
        int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err);
    }

    /**
     * Runs the training workload; prints nothing on success. The entry point passes itself in ({@code warmUp},
     * {@code cli}), so this package does not depend on the one that starts it.
     *
     * @param host     the socket of a running daemon, {@code unix:///path}
     * @param workload {@code quick} for the everyday commands {@code QuickCommands} reads (see {@link #quickRuns}),
     *                 anything else for every everyday command
     * @param warmUp   the CLI's background warm-up, as {@code Main.main} starts it
     * @param cli      runs one command
     */
    public static void train(String host, String workload, Runnable warmUp, Cli cli) throws IOException {
        if (!host.startsWith("unix://")) {
            System.err.println("AOT training needs -Dberth.aot.host=unix:///path/to/daemon.sock");
            System.exit(2);
        }
        boolean quick = "quick".equals(workload);
        // The quick commands need no files; a temporary directory would also record the SecureRandom that names
        // it, and with it the security providers' ~50 classes, into a cache the JVM loads whole at every start.
        Path dir = quick ? Path.of("/nonexistent/berth-aot") : Files.createTempDirectory("berth-aot");
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, java.nio.charset.StandardCharsets.UTF_8);
        // A launcher that cannot start anything: the daemon answers, so the auto-start code is loaded, never run.
        Map<String, String> env = Map.of("BERTH_LAUNCHER", "/nonexistent/bin/berth",
                "DOCKER_CONFIG", dir.resolve("docker").toString());
        String[][] runs = quick ? quickRuns(host) : everydayRuns(host, dir);
        if (quick) {
            UnixHttpClient.useAttachLibrary(); // as Main.main for these commands
        } else {
            warmUp.run();
        }
        // Main.main reads the process's environment; without this its classes (ProcessEnvironment and the
        // rest) are not archived and every command loads them from the JDK's module image.
        System.getenv();
        try {
            for (int round = 0; round < 2; round++) {
                for (String[] run : runs) {
                    cli.run(run, env, sink, sink);
                }
            }
        } finally {
            if (!quick) {
                delete(dir.toFile());
            }
        }
    }
}
