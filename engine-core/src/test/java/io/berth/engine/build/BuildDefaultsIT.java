package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Tar;
import io.berth.spi.tck.fixtures.TestImages;
import io.berth.spi.tck.fixtures.Tools;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Docker's build defaults, checked against Docker's own legacy builder: a private dockerd 20.10
 * (Debian {@code docker.io}: its own data root, exec root, pid file and socket, no bridge) and berth
 * build the same Dockerfile on the same base image — one berth pulls from a loopback registry and
 * saves, and Docker loads offline — driven by the same {@code docker} CLI ({@code DOCKER_BUILDKIT=0})
 * on each socket. Compared: the default PATH under {@code ENV PATH=/x:$PATH} on a base without PATH,
 * a RUN user's groups, SHELL and CMD in the config and the history, which steps carry a layer, and
 * every layer's entries (name, kind, mode,
 * owner, size, link): WORKDIR's directory, {@code COPY --chown}'s parent directories and RUN layers
 * that hold only what the command changed (no /proc, /dev, /sys or /etc mount points).
 */
class BuildDefaultsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = """
            FROM %s
            ENV PATH=/x:$PATH
            RUN echo "extra:x:2000:app" >> /etc/group
            USER app
            RUN echo "groups: $(id -G)"
            USER root
            RUN true
            WORKDIR /made/deep
            WORKDIR /tmp
            COPY --chown=app:staff f.txt /a/b/c/
            COPY --chown=1000 f.txt /d/e/f.txt
            USER app
            WORKDIR /w2
            USER root
            RUN busybox touch /tmp/x && mkdir -p /srv/data && chmod 711 /etc
            USER app
            SHELL ["/bin/sh", "-e", "-c"]
            RUN echo "shell set"
            CMD echo "$PATH"
            """;

    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static Path docker;
    private static Process dockerd;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("dockerd", "docker.io");
        Tools.require("docker", "docker.io");
        byte[] users = Tar.create().directory("etc")
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .file("etc/group", 0644, "root:x:0:\nstaff:x:50:app\napp:x:1000:\n".getBytes(StandardCharsets.UTF_8))
                .toBytes();
        registry = LocalRegistry.start();
        // no Env at all: the builders must add PATH themselves
        registry.push(TestImages.withContainerConfig(List.of(TestImages.busyboxTar(), users), "{\"Cmd\":[\"sh\"]}"), "defaults/base", "1");
        base = registry.host() + "/defaults/base:1";
        root = Files.createTempDirectory("berth-build-defaults-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        UnixHttp.Response pulled = UnixHttp.post(root.resolve("berth.sock"), "/images/create?fromImage="
                + URLEncoder.encode(registry.host() + "/defaults/base", StandardCharsets.UTF_8) + "&tag=1", "");
        assertTrue(pulled.body().contains("Downloaded newer image"), pulled.body());

        docker = Files.createTempDirectory("berth-build-defaults-dockerd");
        dockerd = new ProcessBuilder("dockerd", "--data-root", docker.resolve("data").toString(), "--exec-root",
                docker.resolve("exec").toString(), "--pidfile", docker.resolve("docker.pid").toString(), "-H", dockerHost(),
                "--bridge=none", "--iptables=false", "--ip-masq=false", "--userland-proxy=false")
                .redirectErrorStream(true).redirectOutput(docker.resolve("dockerd.log").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (cli(dockerHost(), "version").exitCode() != 0) {
            assertTrue(dockerd.isAlive() && System.nanoTime() < deadline, "dockerd did not start: " + Files.readString(docker.resolve("dockerd.log")));
            Thread.sleep(200);
        }
        Path saved = docker.resolve("base.tar");
        Ran save = cli(berthHost(), "save", "-o", saved.toString(), base);
        assertEquals(0, save.exitCode(), save.stderr());
        Ran load = cli(dockerHost(), "load", "-i", saved.toString());
        assertEquals(0, load.exitCode(), load.stderr());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (dockerd != null) {
                dockerd.destroy(); // SIGTERM: dockerd unmounts what it mounted
                if (!dockerd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    dockerd.destroyForcibly().waitFor();
                }
                run(List.of("umount", "-R", docker.resolve("exec").toString())); // nothing left: a non-zero exit is fine
                run(List.of("umount", "-R", docker.resolve("data").toString()));
            }
            if (daemon != null) {
                daemon.stop("test finished");
            }
        } finally {
            if (docker != null) {
                run(List.of("rm", "-rf", docker.toString()));
            }
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    private static String dockerHost() {
        return "unix://" + docker.resolve("docker.sock");
    }

    private static String berthHost() {
        return "unix://" + root.resolve("berth.sock");
    }

    /** What a command did. */
    private record Ran(int exitCode, String out, String stderr) {}

    /** The docker CLI of docker.io (20.10) on a socket, with the legacy builder; never throws on a non-zero exit. */
    private static Ran cli(String host, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker", "-H", host));
        command.addAll(List.of(args));
        return run(command);
    }

    private static Ran run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("berth-defaults", ".out");
        Path err = Files.createTempFile("berth-defaults", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().put("DOCKER_BUILDKIT", "0");
            Process p = builder.start();
            if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 300 s");
            }
            return new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** What one engine built: the build's output, the image's config, its history lines and each layer's entries. */
    private record Built(String output, JsonNode config, List<String> history, List<List<String>> layers) {}

    private static Built build(String host, Path context, String tag) throws IOException, InterruptedException {
        Ran built = cli(host, "build", "--no-cache", "-t", tag, context.toString());
        assertEquals(0, built.exitCode(), host + ": " + built.out() + built.stderr());
        Ran inspected = cli(host, "image", "inspect", tag);
        assertEquals(0, inspected.exitCode(), inspected.stderr());
        Path saved = context.resolve(tag + ".tar");
        Ran save = cli(host, "save", "-o", saved.toString(), tag);
        assertEquals(0, save.exitCode(), save.stderr());
        Ran history = cli(host, "history", "--no-trunc", "--format", "{{.CreatedBy}}", tag);
        assertEquals(0, history.exitCode(), history.stderr());
        return new Built(built.out(), JSON.readTree(inspected.out()).get(0), history.out().lines().toList(), layers(saved));
    }

    /** Each layer of a saved image (docker-archive manifest), as sorted lines: name kind mode uid:gid size link. */
    private static List<List<String>> layers(Path archive) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(archive))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isFile()) {
                    files.put(entry.getName().replaceFirst("^\\./", ""), tar.readAllBytes());
                }
            }
        }
        List<List<String>> layers = new ArrayList<>();
        for (JsonNode layer : JSON.readTree(files.get("manifest.json")).get(0).get("Layers")) {
            byte[] bytes = files.get(layer.asText());
            InputStream in = new BufferedInputStream(new java.io.ByteArrayInputStream(bytes));
            if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                in = new GZIPInputStream(in);
            }
            List<String> entries = new ArrayList<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    String kind = entry.isDirectory() ? "dir" : entry.isSymbolicLink() ? "symlink" : entry.isLink() ? "hardlink" : "file";
                    entries.add(entry.getName().replaceFirst("^\\./", "").replaceFirst("/$", "") + " " + kind + " "
                            + Integer.toOctalString(entry.getMode() & 07777) + " " + entry.getLongUserId() + ":" + entry.getLongGroupId()
                            + " " + (entry.isDirectory() ? 0 : entry.getSize()) + " " + entry.getLinkName());
                }
            }
            entries.sort(null);
            layers.add(entries);
        }
        return layers;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void givenTheSameDockerfileThenPathGroupsWorkdirChownParentsAndRunLayersAreDockers() throws Exception {
        Path context = Files.createTempDirectory(root, "context");
        Files.writeString(context.resolve("Dockerfile"), DOCKERFILE.formatted(base));
        Files.writeString(context.resolve("f.txt"), "hi\n");
        Built theirs = build(dockerHost(), context, "defaults-docker");
        Built ours = build(berthHost(), context, "defaults-berth");

        // ENV PATH=/x:$PATH on a base without PATH: the builder's default PATH is there to extend
        assertEquals(List.of("PATH=/x:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                strings(theirs.config().path("Config").path("Env")), "Docker's own answer");
        assertEquals(strings(theirs.config().path("Config").path("Env")), strings(ours.config().path("Config").path("Env")));
        assertEquals(theirs.config().path("Config").path("WorkingDir").asText(), ours.config().path("Config").path("WorkingDir").asText());
        assertEquals(theirs.config().path("Config").path("User").asText(), ours.config().path("Config").path("User").asText());
        assertEquals(strings(theirs.config().path("Config").path("Cmd")), strings(ours.config().path("Config").path("Cmd")));
        assertEquals(strings(theirs.config().path("Config").path("Shell")), strings(ours.config().path("Config").path("Shell")));
        // history lines as Docker writes them (SHELL's own line already under the new shell, CMD quoted as Go's %q);
        // COPY lines name a digest of the sources that each builder computes its own way
        assertEquals(theirs.history().stream().filter(l -> !l.contains(" COPY ")).toList(),
                ours.history().stream().filter(l -> !l.contains(" COPY ")).toList());

        // a RUN user's groups: the primary one, then its memberships in the image's /etc/group
        String theirGroups = theirs.output().lines().filter(l -> l.startsWith("groups: ")).findFirst().orElseThrow();
        String ourGroups = ours.output().lines().filter(l -> l.startsWith("groups: ")).findFirst().orElseThrow(() ->
                new AssertionError(ours.output()));
        assertEquals("groups: 1000 50 2000", theirGroups, "Docker's own answer");
        assertEquals(theirGroups, ourGroups);

        // the same steps carry layers, and each layer holds the same entries (times aside: berth clamps them)
        assertEquals(theirs.config().path("RootFS").path("Layers").size(), ours.config().path("RootFS").path("Layers").size(),
                "layers: Docker " + theirs.layers() + "\nberth " + ours.layers());
        assertEquals(theirs.layers(), ours.layers());
        assertTrue(ours.layers().stream().flatMap(List::stream).noneMatch(e -> e.startsWith("proc ") || e.startsWith("dev ")
                || e.startsWith("sys ") || e.startsWith("etc/hosts ") || e.startsWith("etc/resolv.conf ")), ours.layers().toString());
    }
}
