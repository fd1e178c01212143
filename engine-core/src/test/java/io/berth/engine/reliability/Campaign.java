package io.berth.engine.reliability;

import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Tar;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real parts the reliability campaign runs against: a loopback registry holding a busybox image
 * (the host's busybox plus /etc/passwd and /etc/group, as the container tests make it) and images
 * with random layers to pull, and one berth daemon in a child JVM on a private root and socket, which
 * the fault loop kills with SIGKILL and starts again on the same root. {@link #close} leaves nothing:
 * containers, runc state, conmon, mounts, cgroups and the root are removed even after a failure.
 */
final class Campaign implements AutoCloseable {
    final LocalRegistry registry;
    final Path root;
    final Path socket;
    final Path plugins;
    final Path log;
    final Path config;
    final String base;
    private Process daemon;
    private final Set<String> seenIds = new HashSet<>();

    private Campaign(LocalRegistry registry, Path root, Path workDir) throws IOException {
        this.registry = registry;
        this.root = root;
        this.socket = root.resolve("berth.sock"); // where TestDaemons starts it
        this.plugins = workDir.resolve("plugin-jars");
        this.log = workDir.resolve("daemon.log");
        this.config = Files.writeString(workDir.resolve("daemon.json"), "{}\n");
        TestDaemons.copyBuiltPlugins(plugins);
        byte[] etc = Tar.create().directory("etc")
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .file("etc/group", 0644, "root:x:0:\n".getBytes(StandardCharsets.UTF_8))
                .directory("tmp")
                .toBytes();
        registry.push(TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(), TestImages.Compression.GZIP,
                List.of(TestImages.busyboxTar(), etc), ""), "rel/busybox", "1");
        this.base = registry.host() + "/rel/busybox:1";
    }

    /**
     * A registry and a work directory; the daemon's root is {@code root}, or {@code work/root} when null
     * (the ENOSPC test gives a small mounted file system). Nothing is started yet.
     */
    static Campaign create(Path workDir, Path root) throws IOException {
        LocalRegistry registry = LocalRegistry.start();
        try {
            return new Campaign(registry, root == null ? Files.createDirectories(workDir.resolve("root")) : root, workDir);
        } catch (IOException | RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /** Pushes {@code rel/NAME:1}: busybox plus one layer of {@code randomBytes} incompressible bytes. */
    String pushRandomImage(String name, int randomBytes, long seed) {
        byte[] random = new byte[randomBytes];
        new Random(seed).nextBytes(random);
        byte[] layer = Tar.create().directory("payload").file("payload/" + name + ".bin", 0644, random).toBytes();
        registry.push(TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(), TestImages.Compression.GZIP,
                List.of(TestImages.busyboxTar(), layer), ""), "rel/" + name, "1");
        return registry.host() + "/rel/" + name + ":1";
    }

    /** Starts the daemon (a child JVM) and waits for {@code /_ping}. */
    void start() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            throw new IllegalStateException("the daemon is already running");
        }
        daemon = TestDaemons.startChildDaemon(root, plugins, log, List.of("--config-file", config.toString()));
        TestDaemons.awaitPing(socket, daemon, log);
    }

    long pid() {
        return daemon.pid();
    }

    boolean alive() {
        return daemon != null && daemon.isAlive();
    }

    /** SIGKILL: no shutdown hook, no snapshot, no DaemonStopped. */
    void kill9() throws InterruptedException {
        rememberIds();
        daemon.destroyForcibly(); // SIGKILL on Linux
        daemon.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and a graceful stop; SIGKILL after 30 s. */
    void stop() throws InterruptedException {
        if (daemon == null || !daemon.isAlive()) {
            return;
        }
        daemon.destroy();
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void rememberIds() {
        try {
            seenIds.addAll(new StateAudit(root, socket).ours());
        } catch (IOException | RuntimeException e) {
            // the daemon may already be gone; the runc state and the snapshots still name the rest
        }
    }

    /** Removes every container through the API, stops the daemon, then whatever is left by hand. */
    @Override
    public void close() throws Exception {
        try {
            if (alive()) {
                rememberIds();
                for (String id : new StateAudit(root, socket).containers().keySet()) {
                    UnixHttp.send(socket, "DELETE", "/containers/" + id + "?force=1&v=1", null);
                }
            }
        } catch (IOException | RuntimeException e) {
            // scrubbed below
        } finally {
            try {
                stop();
                scrub();
            } finally {
                keepLog();
                registry.close();
            }
        }
    }

    /** The daemon's log, kept beside the figures (the work directory is deleted). */
    private void keepLog() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "reliability"));
            if (Files.exists(log)) {
                Files.copy(log, dir.resolve(log.getParent().getFileName() + "-daemon.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // the figures matter more than the log
        }
    }

    /** What a daemon killed at the wrong moment could leave: runc containers, conmon, mounts, cgroups. */
    void scrub() throws IOException, InterruptedException {
        StateAudit audit = new StateAudit(root, socket);
        Set<String> ids = new HashSet<>(seenIds);
        ids.addAll(audit.runcList().keySet());
        for (String id : audit.runcList().keySet()) {
            quiet("runc", "--root", audit.runcRoot().toString(), "kill", id, "KILL");
            quiet("runc", "--root", audit.runcRoot().toString(), "delete", "--force", id);
        }
        for (Map.Entry<Long, String> conmon : audit.conmons().entrySet()) {
            ids.add(conmon.getValue());
            ProcessHandle.of(conmon.getKey()).ifPresent(ProcessHandle::destroyForcibly);
        }
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] fields = line.split(" ");
            if (fields.length > 1 && fields[1].startsWith(root.toAbsolutePath() + "/")) {
                mounts.add(fields[1]);
            }
        }
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String mount : mounts) {
            ids.add(Path.of(mount).getParent().getFileName().toString());
            quiet("umount", "-l", mount);
        }
        Path snapshots = root.resolve("plugins-data/store-overlayfs/snapshots");
        if (Files.isDirectory(snapshots)) {
            try (Stream<Path> keys = Files.list(snapshots)) {
                keys.forEach(k -> ids.add(k.getFileName().toString()));
            }
        }
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                for (String id : ids) {
                    Path group = controller.resolve("berth").resolve(id);
                    if (Files.isDirectory(group)) {
                        quiet("rmdir", group.toString());
                    }
                }
            }
        }
    }

    static void quiet(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            // best effort: the caller checks what is left
        }
    }
}
