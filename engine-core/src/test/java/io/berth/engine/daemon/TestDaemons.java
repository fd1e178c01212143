package io.berth.engine.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Shared set-up for tests that run a real daemon: temp roots, plugin directories, child processes. */
public final class TestDaemons {
    private TestDaemons() {}

    /** The installation built by {@code mvn package} (target/dist at the repository root). */
    public static Path dist() {
        String configured = System.getProperty("berth.dist");
        Path dist = configured != null ? Path.of(configured) : Path.of("..", "target", "dist");
        return dist.toAbsolutePath().normalize();
    }

    /** Copies the built plugin jars into {@code dir}; fails when the build has not produced them. */
    public static List<Path> copyBuiltPlugins(Path dir) throws IOException {
        Path built = dist().resolve("plugins");
        if (!Files.isDirectory(built)) {
            throw new IllegalStateException("no built plugins at " + built + ": run mvn package (or verify) first");
        }
        Files.createDirectories(dir);
        List<Path> copied = new ArrayList<>();
        try (Stream<Path> jars = Files.list(built)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                copied.add(Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING));
            }
        }
        return copied;
    }

    /** Writes a jar holding only a manifest with the given main attributes. */
    public static Path manifestOnlyJar(Path file, Map<String, String> attributes) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((k, v) -> manifest.getMainAttributes().putValue(k, v));
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return file;
    }

    public static DaemonOptions options(Path root, Path pluginsDir) {
        return new DaemonOptions(root, root.resolve("berth.sock"), root.resolve("berth.pid"), List.of(pluginsDir),
                DaemonOptions.DEFAULT_SNAPSHOT_EVERY, Map.of(), DaemonOptions.DEFAULT_PARALLEL_DOWNLOADS);
    }

    /** Starts {@code berth daemon} in a child JVM with this test's class path. */
    public static Process startChildDaemon(Path root, Path pluginsDir, Path logFile) throws IOException {
        return startChildDaemon(root, pluginsDir, logFile, List.of());
    }

    /** Starts {@code berth daemon} in a child JVM with this test's class path and more flags; output appended to {@code logFile}. */
    public static Process startChildDaemon(Path root, Path pluginsDir, Path logFile, List<String> moreFlags) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(chronicleJvmArgs());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonMain.class.getName(),
                "--root", root.toString(), "-H", "unix://" + root.resolve("berth.sock"),
                "--pidfile", root.resolve("berth.pid").toString(), "--plugins-dir", pluginsDir.toString()));
        command.addAll(moreFlags);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(moreFlags.isEmpty() ? ProcessBuilder.Redirect.to(logFile.toFile()) : ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
    }

    /** The JVM options this JVM runs with that Chronicle needs (Surefire's argLine). */
    public static List<String> chronicleJvmArgs() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("-Dchronicle"))
                .toList();
    }

    /** Waits until the daemon answers {@code /_ping} or the process ends. */
    public static void awaitPing(Path socket, Process process, Path logFile) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("daemon exited with " + process.exitValue() + ": " + Files.readString(logFile));
            }
            try {
                if (UnixHttp.get(socket, "/_ping").status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("daemon did not answer /_ping within 30 s");
    }

    public static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
