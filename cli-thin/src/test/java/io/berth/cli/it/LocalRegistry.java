package io.berth.cli.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real OCI registry for tests: CNCF Distribution (Debian's {@code docker-registry}) on 127.0.0.1 at a
 * free port, storing in a directory of the test. Also the helpers that put a test image into it: a
 * one-layer busybox image written as an OCI layout and copied there with skopeo.
 */
final class LocalRegistry implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private LocalRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a registry storing under {@code dir} and waits until it accepts connections. */
    static LocalRegistry start(Path dir) throws IOException, InterruptedException {
        for (String tool : List.of("docker-registry", "skopeo", "tar", "gzip")) {
            requireTool(tool);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path storage = Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(storage, port));
        Path log = dir.resolve("registry.log");
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("docker-registry exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return new LocalRegistry(p, port, log);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        fail("docker-registry did not listen on 127.0.0.1:" + port + " within 15 s:\n" + Files.readString(log));
        return null;
    }

    /** {@code 127.0.0.1:PORT}. */
    String host() {
        return "127.0.0.1:" + port;
    }

    private static void requireTool(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        fail(tool + " is not installed; the image end-to-end tests need docker-registry, skopeo, tar, gzip"
                + " (Debian: apt-get install docker-registry skopeo busybox-static)");
    }

    /**
     * Writes a one-layer image as an OCI layout under {@code dir}: the host's static busybox as
     * {@code /bin/busybox} plus the applet links {@code sh}, {@code echo}, {@code ls}, {@code cat},
     * {@code true}; tagged {@code 1} in the layout's index. Returns the layout directory.
     */
    static Path busyboxLayout(Path dir) throws IOException, InterruptedException {
        return busyboxLayout(dir, List.of("sh", "echo", "ls", "cat", "true"));
    }

    /** As {@link #busyboxLayout(Path)}, with these applet links in {@code /bin}. */
    static Path busyboxLayout(Path dir, List<String> applets) throws IOException, InterruptedException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            fail("/bin/busybox is missing (Debian: apt-get install busybox-static)");
        }
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(busybox, rootfs.resolve("busybox"));
        for (String applet : applets) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        Path tar = dir.resolve("layer.tar");
        exec(dir, "tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                "-C", dir.resolve("rootfs").toString(), "-cf", tar.toString(), "bin");
        exec(dir, "gzip", "-n", "-k", tar.toString());
        Path layout = dir.resolve("oci");
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        byte[] layer = Files.readAllBytes(dir.resolve("layer.tar.gz"));
        String layerDigest = put(blobs, layer);
        String diffId = sha256(Files.readAllBytes(tar));
        byte[] config = """
                {"architecture":"amd64","os":"linux","created":"2026-11-01T00:00:00Z",\
                "config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},\
                "history":[{"created":"2026-11-01T00:00:00Z","created_by":"ADD busybox /bin/busybox"}]}"""
                .formatted(diffId).getBytes(StandardCharsets.UTF_8);
        String configDigest = put(blobs, config);
        byte[] manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}"""
                .formatted(configDigest, config.length, layerDigest, layer.length).getBytes(StandardCharsets.UTF_8);
        String manifestDigest = put(blobs, manifest);
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), """
                {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}"""
                .formatted(manifestDigest, manifest.length));
        return layout;
    }

    /** Copies tag {@code 1} of an OCI layout to {@code host/repo:tag} with skopeo. */
    void push(Path layout, String repoAndTag) throws IOException, InterruptedException {
        exec(layout.getParent(), "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":1",
                "docker://" + host() + "/" + repoAndTag);
    }

    /** {@code skopeo inspect}'s JSON for {@code host/repo:tag}. */
    String inspect(String repoAndTag) throws IOException, InterruptedException {
        return exec(log.getParent(), "skopeo", "inspect", "--tls-verify=false", "docker://" + host() + "/" + repoAndTag);
    }

    static String exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "exec", ".out");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 120 s");
        }
        String text = Files.readString(out);
        Files.delete(out);
        if (p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    private static String put(Path blobs, byte[] content) throws IOException {
        String digest = sha256(content);
        Files.write(blobs.resolve(digest), content);
        return digest;
    }

    static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
