package io.berth.engine.containment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.Digests;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Tar;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 on a real daemon (real runc, conmon, overlayfs, a real registry): modes of the data root
 * (defect 5), bounds on what a client sends (defect 8), no lost log lines and no unverified layer
 * (defect 9). Each test names the defect it guards.
 */
@org.junit.jupiter.api.Timeout(300)
class ContainmentIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Path plugins;
    private static Daemon daemon;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        byte[] etc = Tar.create().directory("etc")
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .file("etc/group", 0644, "root:x:0:\n".getBytes(StandardCharsets.UTF_8))
                .toBytes();
        registry.push(TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(), TestImages.Compression.GZIP,
                List.of(TestImages.busyboxTar(), etc), ""), "containment/busybox", "1");
        image = registry.host() + "/containment/busybox:1";
        root = Files.createTempDirectory("berth-containment-it");
        plugins = Files.createTempDirectory("berth-containment-plugins");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        UnixHttp.Response pulled = UnixHttp.post(socket(), "/images/create?fromImage=" + enc(registry.host() + "/containment/busybox") + "&tag=1", "");
        assertTrue(pulled.body().contains("Downloaded newer image"), pulled.body());
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> ids = daemon == null ? List.of() : daemon.containers().list().stream().map(c -> c.id()).toList();
        for (String id : ids) {
            UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1&v=1", null);
        }
        if (daemon != null) {
            daemon.stop("test finished");
        }
        try {
            if (root != null) {
                String mounts = Files.readString(Path.of("/proc/self/mounts"));
                assertFalse(mounts.contains(root.toString()), "no mount under the test root is left: " + mounts);
            }
        } finally {
            if (root != null) {
                TestDaemons.deleteTree(root);
                TestDaemons.deleteTree(plugins);
            }
            if (registry != null) {
                registry.close();
            }
        }
    }

    private static Path socket() {
        return root.resolve("berth.sock");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String create(String bodyJson) throws IOException {
        ObjectNode body = (ObjectNode) JSON.readTree(bodyJson);
        body.put("Image", image);
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create", body.toString());
        assertEquals(201, created.status(), created.body());
        return JSON.readTree(created.body()).get("Id").asText();
    }

    private static int run(String id) throws IOException {
        UnixHttp.Response started = UnixHttp.post(socket(), "/containers/" + id + "/start", "");
        assertEquals(204, started.status(), started.body());
        return JSON.readTree(UnixHttp.post(socket(), "/containers/" + id + "/wait", "").body()).get("StatusCode").asInt();
    }

    /** stdout of Docker's framed log stream. */
    private static String stdout(byte[] framed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i + 8 <= framed.length) {
            int size = ((framed[i + 4] & 0xff) << 24) | ((framed[i + 5] & 0xff) << 16) | ((framed[i + 6] & 0xff) << 8) | (framed[i + 7] & 0xff);
            if (framed[i] == 1) {
                out.write(framed, i + 8, size);
            }
            i += 8 + size;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Paths under {@code dir} another host user could read (a file) or enter (a directory). */
    private static List<String> openToOthers(Path dir) throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.toList()) {
                String mode = mode(p);
                if (mode.charAt(6) == 'r' || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && mode.charAt(8) == 'x') {
                    open.add(root.relativize(p) + " " + mode);
                }
            }
        }
        return open;
    }

    private static long lastSequence(Path socket) throws IOException {
        String events = UnixHttp.get(socket, "/berth/events?since=0").body();
        List<String> lines = events.lines().filter(l -> !l.isBlank()).toList();
        return JSON.readTree(lines.getLast()).get("sequence").asLong();
    }

    @Test
    void defect9_logsOfAContainerThatWroteTwoHundredThousandLinesReturnEveryOneAndTailReadsItsEnd() throws Exception {
        // seq, in the shell: the test image's busybox has no seq applet
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"i=1; while [ $i -le 200000 ]; do echo $i; i=$((i+1)); done\"]}");
        assertEquals(0, run(id));
        List<String> lines = stdout(UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&stderr=1").bytes()).lines().toList();
        assertEquals(200_000, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).equals(Integer.toString(i + 1))) {
                throw new AssertionError("line " + (i + 1) + " is " + lines.get(i));
            }
        }
        assertEquals("199998\n199999\n200000\n", stdout(UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&tail=3").bytes()));
    }

    @Test
    void defect5_theDataRootIs0710AndNothingUnderEventsSnapshotsOrVolumesIsOpenToOthers() throws Exception {
        UnixHttp.Response volume = UnixHttp.post(socket(), "/volumes/create", "{\"Name\":\"modes15\"}");
        assertEquals(201, volume.status(), volume.body());
        assertEquals("rwx--x---", mode(root));
        assertEquals(List.of(), openToOthers(root.resolve("events")));
        assertEquals("rwx------", mode(root.resolve("volumes")));
        assertEquals("rwx------", mode(root.resolve("builds")));
        UnixHttp.post(socket(), "/berth/system/note", "{\"Text\":\"a note after the start\"}");
        assertEquals(List.of(), openToOthers(root.resolve("events")));
    }

    @Test
    void defect5_aRootAnOlderBerthLeftOpenIsNarrowedWhenTheDaemonStarts() throws Exception {
        Path old = Files.createTempDirectory("berth-containment-old");
        Path emptyPlugins = Files.createDirectories(old.resolve("no-plugins"));
        try {
            Daemon first = new Daemon(TestDaemons.options(old, emptyPlugins));
            first.start();
            first.stop("made an old root"); // writes a snapshot too
            Files.createDirectories(old.resolve("volumes/v/_data"));
            try (Stream<Path> paths = Files.walk(old)) {
                for (Path p : paths.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            try (Stream<Path> snapshots = Files.list(old.resolve("snapshots"))) {
                assertTrue(snapshots.findAny().isPresent(), "the stop wrote a snapshot");
            }
            Daemon again = new Daemon(TestDaemons.options(old, emptyPlugins));
            again.start();
            try {
                assertEquals("rwx--x---", mode(old));
                for (String dir : List.of("events", "snapshots")) {
                    List<String> open = new ArrayList<>();
                    try (Stream<Path> paths = Files.walk(old.resolve(dir))) {
                        for (Path p : paths.toList()) {
                            String m = mode(p);
                            if (m.charAt(3) != '-' || m.charAt(6) != '-' || m.charAt(4) != '-' || m.charAt(7) != '-') {
                                open.add(p + " " + m);
                            }
                        }
                    }
                    assertEquals(List.of(), open, dir);
                }
                assertEquals("rwx------", mode(old.resolve("volumes")));
            } finally {
                again.stop("test finished");
            }
        } finally {
            TestDaemons.deleteTree(old);
        }
    }

    @Test
    void defect5_aVolumeIsMountedNodev() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"grep ' /data ' /proc/mounts\"],\"HostConfig\":{\"Binds\":[\"nodev15:/data\"]}}");
        assertEquals(0, run(id));
        String mount = stdout(UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1").bytes());
        assertTrue(List.of(mount.strip().split(" ")[3].split(",")).contains("nodev"), mount);
    }

    @Test
    void defect8_changesOfAContainerThatWroteAFileLargerThanAnArrayCanHoldAreListed() throws Exception {
        // 2.2 GB, sparse: the diff carries every byte of it; buffered whole it cannot fit in one array (2 GiB at most)
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"dd if=/dev/zero of=/big bs=1 count=0 seek=2200000000 && echo > /small\"]}");
        assertEquals(0, run(id));
        UnixHttp.Response changes = UnixHttp.get(socket(), "/containers/" + id + "/changes");
        assertEquals(200, changes.status(), changes.body());
        List<String> added = new ArrayList<>();
        for (JsonNode change : JSON.readTree(changes.body())) {
            if (change.get("Kind").asInt() == 1) {
                added.add(change.get("Path").asText());
            }
        }
        assertTrue(added.containsAll(List.of("/big", "/small")), changes.body());
    }

    @Test
    void defect8_aJsonBodyOverTheCapIsRefusedWith413InOneLineAndNothingIsRecorded() throws Exception {
        long before = lastSequence(socket());
        String huge = "{\"Image\":\"" + image + "\",\"Env\":[\"X=" + "x".repeat(9 << 20) + "\"]}";
        // the daemon answers before it has read the body (and then closes): send the body on the side, as a
        // client would, and read the answer meanwhile
        String answer;
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket()))) {
            byte[] body = huge.getBytes(StandardCharsets.UTF_8);
            channel.write(java.nio.ByteBuffer.wrap(("POST /containers/create HTTP/1.1\r\nHost: berth\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    channel.write(java.nio.ByteBuffer.wrap(body));
                } catch (IOException closedByTheDaemon) {
                    // expected once the daemon has answered
                }
            });
            answer = readAnswer(java.nio.channels.Channels.newInputStream(channel));
            sender.join(10_000);
        }
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer.lines().findFirst().orElse(""));
        String message = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).get("message").asText();
        assertEquals("request body of POST /containers/create is larger than 8 MiB, the limit for a JSON body", message);
        // an earlier test's container may still be noticed exiting or being removed meanwhile: what must not be in
        // the log is anything this refused request would have recorded
        List<String> since = eventsAfter(socket(), before);
        assertTrue(since.stream().noneMatch(type -> type.equals("ContainerCreated")), "recorded after the refusal: " + since);
    }

    /** The types of the events recorded after {@code sequence}. */
    private static List<String> eventsAfter(Path socket, long sequence) throws IOException {
        List<String> types = new ArrayList<>();
        for (String line : UnixHttp.get(socket, "/berth/events?since=0").body().lines().filter(l -> !l.isBlank()).toList()) {
            JsonNode event = JSON.readTree(line);
            if (event.get("sequence").asLong() > sequence) {
                types.add(event.path("type").asText());
            }
        }
        return types;
    }

    @Test
    void defect9_aLayerWhoseBytesDoNotMatchItsDiffIdIsNeverVisibleUnderItsChainId() throws Exception {
        byte[] tar = Tar.create().file("mismatch.txt", 0644, "the bytes the registry serves".getBytes(StandardCharsets.UTF_8)).toBytes();
        String claimed = Digests.sha256("the bytes the config describes".getBytes(StandardCharsets.UTF_8));
        TestImages.Blob layer = TestImages.Blob.of(MediaTypes.OCI_LAYER_GZIP, TestImages.gzip(tar));
        String config = "{\"architecture\":\"" + TestImages.hostPlatform().architecture() + "\",\"os\":\"linux\","
                + "\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + claimed + "\"]}}";
        TestImages.Blob configBlob = TestImages.Blob.of(MediaTypes.OCI_CONFIG, config.getBytes(StandardCharsets.UTF_8));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + json(configBlob.descriptor())
                + ",\"layers\":[" + json(layer.descriptor()) + "]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        TestImages.TestImage lying = new TestImages.TestImage(
                new Descriptor(MediaTypes.OCI_MANIFEST, Digests.sha256(manifestBytes), manifestBytes.length, List.of(), null, TestImages.hostPlatform()),
                manifestBytes, configBlob, List.of(layer), List.of(claimed), TestImages.hostPlatform());
        registry.push(lying, "containment/lying", "1");

        // one layer: its chain id is its diff id; watch the driver's layer directory for that name appearing at all
        Path layers = root.resolve("plugins-data/store-overlayfs/layers");
        String name = Digests.hex(claimed);
        List<String> appeared = new ArrayList<>();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            layers.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            UnixHttp.Response pulled = UnixHttp.post(socket(), "/images/create?fromImage=" + enc(registry.host() + "/containment/lying") + "&tag=1", "");
            List<String> lines = pulled.body().lines().filter(l -> !l.isBlank()).toList();
            String error = JSON.readTree(lines.getLast()).path("error").asText();
            assertTrue(error.contains("does not match its config: uncompressed it hashes to " + Digests.sha256(tar)
                    + ", the config says " + claimed), pulled.body());
            WatchKey key;
            while ((key = watch.poll(500, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
                for (WatchEvent<?> event : key.pollEvents()) {
                    appeared.add(String.valueOf(event.context()));
                }
                key.reset();
            }
        }
        assertFalse(appeared.contains(name), "the unverified layer appeared under its chain id: " + appeared);
        assertFalse(Files.exists(layers.resolve(name)));
        String unpacked = UnixHttp.get(socket(), "/berth/events?since=0&filters=" + enc("{\"event\":[\"LayerUnpacked\"]}")).body();
        assertFalse(unpacked.contains(claimed), unpacked);
    }

    /** One HTTP answer with a Content-Length body, read without waiting for the connection to close. */
    private static String readAnswer(java.io.InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String headText = head.toString(StandardCharsets.US_ASCII);
        long length = headText.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                .mapToLong(l -> Long.parseLong(l.substring(15).strip())).findFirst().orElse(0);
        return headText + new String(in.readNBytes((int) Math.min(length, 1 << 20)), StandardCharsets.UTF_8);
    }

    private static String json(Descriptor d) {
        return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}";
    }
}
