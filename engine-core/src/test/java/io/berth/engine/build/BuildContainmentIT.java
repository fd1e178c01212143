package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.LayerTar;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Tar;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Builds that try to reach the host through what they copy, on a real daemon: device nodes in a
 * {@code COPY --from} image (defect 7 of issue 15), and an {@code ADD}ed local tar whose links lead
 * out. A sentinel directory stands for the host's files and must not change.
 */
class BuildContainmentIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Path sentinel;
    private static Daemon daemon;
    private static String base;
    private static String devices;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        registry.push(TestImages.busybox(TestImages.Format.OCI), "contain/busybox", "1");
        base = registry.host() + "/contain/busybox:1";
        byte[] nodes = LayerTar.create().dir("nodes").charDevice("nodes/null", 1, 3, 0666).fifo("nodes/fifo", 0644)
                .file("nodes/plain", "plain\n").bytes();
        registry.push(TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(), TestImages.Compression.GZIP,
                List.of(nodes), ""), "contain/devices", "1");
        devices = registry.host() + "/contain/devices:1";
        root = Files.createTempDirectory("berth-containment-it");
        sentinel = Files.createDirectories(root.resolve("host/sub"));
        sentinel = root.resolve("host");
        Files.writeString(sentinel.resolve("secret"), "host secret\n");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root.resolve("daemon"), plugins));
        daemon.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.stop("test finished");
        }
        String mounts = Files.readString(Path.of("/proc/self/mounts"));
        try {
            assertFalse(mounts.contains(root.toString()), "no mount under the test root is left: " + mounts);
        } finally {
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    private static Path socket() {
        return root.resolve("daemon/berth.sock");
    }

    private static String hostTree() throws IOException {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> all = Files.walk(sentinel)) {
            for (Path p : all.sorted().toList()) {
                b.append(sentinel.relativize(p)).append(' ')
                        .append(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readString(p) : "dir").append('\n');
            }
        }
        return b.toString();
    }

    /** Builds a context tar; returns the image id, or the error line. */
    private static String[] build(byte[] context) throws IOException {
        UnixHttp.Response r = UnixHttp.send(socket(), "POST", "/build", context, "application/x-tar", Map.of());
        assertEquals(200, r.status(), r.body());
        String image = "";
        String error = "";
        for (String line : r.body().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode m = JSON.readTree(line);
            if (m.path("aux").has("ID")) {
                image = m.path("aux").get("ID").asText();
            }
            if (m.has("error")) {
                error = m.get("error").asText();
            }
        }
        return new String[]{image, error, r.body()};
    }

    private static String runIn(String image, String script) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Image", image);
        body.putArray("Entrypoint").add("/bin/sh").add("-c").add(script);
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create", body.toString());
        assertEquals(201, created.status(), created.body());
        String id = JSON.readTree(created.body()).get("Id").asText();
        try {
            assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
            UnixHttp.post(socket(), "/containers/" + id + "/wait", "");
            byte[] framed = UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&stderr=1").bytes();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int i = 0;
            while (i + 8 <= framed.length) {
                int size = ((framed[i + 4] & 0xff) << 24) | ((framed[i + 5] & 0xff) << 16) | ((framed[i + 6] & 0xff) << 8) | (framed[i + 7] & 0xff);
                out.write(framed, i + 8, size);
                i += 8 + size;
            }
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1&v=1", null);
        }
    }

    @Test
    void defect7_givenDeviceNodesInACopyFromImage_whenCopied_thenTheNodesAreMadeAndNoDeviceContentIsCopied() throws IOException {
        String dockerfile = "FROM " + base + "\n"
                + "COPY --from=" + devices + " /nodes/ /copied/\n"
                + "COPY --from=" + devices + " /nodes/null /single\n";
        byte[] context = Tar.create().file("Dockerfile", 0644, dockerfile.getBytes(StandardCharsets.UTF_8)).toBytes();
        String[] built = build(context);
        assertEquals("", built[1], built[2]);
        String listing = runIn(built[0], "for f in /single /copied/null /copied/fifo; do ls -ln $f; done; cat /copied/plain");
        String[] lines = listing.split("\n");
        assertTrue(lines[0].startsWith("c") && lines[0].matches(".*\\b1,\\s+3\\b.*"), "a character device 1,3, not its contents: " + listing);
        assertTrue(lines[1].startsWith("c") && lines[1].matches(".*\\b1,\\s+3\\b.*"), listing);
        assertTrue(lines[2].startsWith("p"), "the fifo is a fifo: " + listing);
        assertEquals("plain", lines[3], listing);
    }

    @Test
    void givenAnAddedTarWhoseLinksLeadOut_whenUnpacked_thenNothingOnTheHostChanges() throws IOException {
        String before = hostTree();
        ByteArrayOutputStream evil = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(evil)) {
            TarArchiveEntry link = new TarArchiveEntry("l", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(sentinel.toString());
            t.putArchiveEntry(link);
            t.closeArchiveEntry();
            byte[] pwned = "pwned\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry file = new TarArchiveEntry("l/sub/pwned");
            file.setSize(pwned.length);
            t.putArchiveEntry(file);
            t.write(pwned);
            t.closeArchiveEntry();
            TarArchiveEntry hard = new TarArchiveEntry("leak", TarArchiveEntry.LF_LINK);
            hard.setLinkName("l/secret");
            t.putArchiveEntry(hard);
            t.closeArchiveEntry();
        }
        String dockerfile = "FROM " + base + "\nADD evil.tar /dst/\n";
        byte[] context = Tar.create().file("Dockerfile", 0644, dockerfile.getBytes(StandardCharsets.UTF_8))
                .file("evil.tar", 0644, evil.toByteArray()).toBytes();
        String[] built = build(context);
        assertEquals(before, hostTree(), "the host's files are unchanged");
        assertTrue(built[1].contains("ADD failed: archive evil.tar: entry \"leak\""), built[2]);
        assertFalse(built[1].contains("host secret"), built[1]);
    }
}
