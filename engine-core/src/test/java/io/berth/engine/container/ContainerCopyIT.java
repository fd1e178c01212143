package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Tar;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET|HEAD|PUT /containers/{id}/archive} (what {@code docker cp} calls) on a real daemon, against the
 * defects of issue 15 it guards: a link followed with {@code -L} must name the container's file, never the
 * host's (defect 2); volumes, binds and tmpfs are seen and written as Docker does (defect 9); a copy into a
 * created container works before its start; and a container swapping a directory for a symlink while the
 * host copies in and out cannot make a copy touch anything outside it (the CVE-2018-15664 pattern).
 */
class ContainerCopyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        byte[] etc = Tar.create().directory("etc")
                .file("etc/shadow", 0640, "root:container-shadow:0:0:::::\n".getBytes(StandardCharsets.UTF_8))
                .symlink("sh-link", "/etc/shadow")
                .symlink("x", "/etc")
                .symlink("chained", "/x/shadow")
                .symlink("climbing", "../../../../../../etc/shadow")
                .toBytes();
        TestImages.TestImage busybox = TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(),
                TestImages.Compression.GZIP, List.of(TestImages.busyboxTar(), etc), "");
        registry.push(busybox, "cp/busybox", "1");
        image = registry.host() + "/cp/busybox:1";
        root = Files.createTempDirectory("berth-cp-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        UnixHttp.Response pulled = UnixHttp.post(socket(), "/images/create?fromImage=" + enc(registry.host() + "/cp/busybox") + "&tag=1", "");
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
        String mounts = Files.readString(Path.of("/proc/self/mounts"));
        try {
            assertFalse(mounts.contains(root.toString()), "no mount under the test root is left: " + mounts);
            List<String> helpers = ProcessHandle.current().descendants().map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains("unshare")).toList();
            assertTrue(helpers.isEmpty(), "no mount-namespace helper is left: " + helpers);
            for (String id : ids) {
                try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
                    for (Path controller : controllers.toList()) {
                        assertFalse(Files.exists(controller.resolve("berth").resolve(id)), "cgroup left: " + controller + "/berth/" + id);
                    }
                }
            }
        } finally {
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    // ---- defect 2: a link is resolved inside the container

    @Test
    void defect2_theStatOfALinkNamesItsTargetResolvedInsideTheContainer() throws Exception {
        String id = create("{\"Cmd\":[\"true\"]}", null);
        assertEquals(0, run(id));
        // Docker's path-stat header carries the link's target fully evaluated in the container's root, which
        // is what docker cp -L then asks for: a chain through another link, and a relative climb past the root
        assertEquals("/etc/shadow", stat(id, "/sh-link").path("linkTarget").asText());
        assertEquals("/etc/shadow", stat(id, "/chained").path("linkTarget").asText());
        assertEquals("/etc/shadow", stat(id, "/climbing").path("linkTarget").asText());
        assertEquals("root:container-shadow:0:0:::::\n", entries(get(id, stat(id, "/chained").path("linkTarget").asText())).get("shadow"));
        // a trailing slash on a link to a directory follows it, as Docker does
        Map<String, String> etc = entries(get(id, "/x/"));
        assertEquals("root:container-shadow:0:0:::::\n", etc.get("x/shadow"), etc.keySet().toString());
    }

    // ---- defect 9: volumes, binds and tmpfs

    @Test
    void defect9_aFileInAVolumeOfAStoppedContainerIsCopiedOut() throws Exception {
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"echo in-the-volume > /data/f\"],\"HostConfig\":{\"Binds\":[\"cp-out-vol:/data\"]}}", null);
        assertEquals(0, run(id));
        UnixHttp.Response out = UnixHttp.get(socket(), "/containers/" + id + "/archive?path=/data/f");
        assertEquals(200, out.status(), out.body());
        assertEquals("in-the-volume\n", entries(out.bytes()).get("f"));
        assertEquals("in-the-volume\n", entries(get(id, "/data")).get("data/f"), "the directory too");
    }

    @Test
    void defect9_aCopyIntoAVolumeOfAStoppedContainerLandsInTheVolume() throws Exception {
        String id = create("{\"Cmd\":[\"true\"],\"HostConfig\":{\"Binds\":[\"cp-in-vol:/data\"]}}", null);
        assertEquals(0, run(id));
        put(id, "/data", tarOf("copied", "into the volume\n"));
        Path mountpoint = Path.of(JSON.readTree(UnixHttp.get(socket(), "/volumes/cp-in-vol").body()).path("Mountpoint").asText());
        assertEquals("into the volume\n", Files.readString(mountpoint.resolve("copied")));
        String reader = create("{\"Cmd\":[\"cat\",\"/data/copied\"],\"HostConfig\":{\"Binds\":[\"cp-in-vol:/data\"]}}", null);
        assertEquals(0, run(reader));
        assertEquals("into the volume\n", logs(reader));
    }

    @Test
    void defect9_aRunningContainersVolumeBindAndTmpfsAreSeenAndWritten() throws Exception {
        Path bind = Files.createDirectories(root.resolve("bind-source"));
        Files.writeString(bind.resolve("from-host"), "host side\n");
        String id = create("{\"Cmd\":[\"sh\",\"-c\",\"echo v > /data/v && echo t > /scratch/t && sleep 300\"],"
                + "\"HostConfig\":{\"Binds\":[\"cp-run-vol:/data\",\"" + bind + ":/bnd\"],\"Tmpfs\":{\"/scratch\":\"\"}}}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        waitFor(id, "/scratch/t");
        assertEquals("v\n", entries(get(id, "/data/v")).get("v"));
        assertEquals("t\n", entries(get(id, "/scratch/t")).get("t"));
        assertEquals("host side\n", entries(get(id, "/bnd/from-host")).get("from-host"));

        put(id, "/bnd", tarOf("from-container-cp", "through the bind\n"));
        assertEquals("through the bind\n", Files.readString(bind.resolve("from-container-cp")));
        put(id, "/data", tarOf("w", "volume\n"));
        Path mountpoint = Path.of(JSON.readTree(UnixHttp.get(socket(), "/volumes/cp-run-vol").body()).path("Mountpoint").asText());
        assertEquals("volume\n", Files.readString(mountpoint.resolve("w")));
        put(id, "/scratch", tarOf("u", "tmpfs\n"));
        assertEquals("tmpfs\n", entries(get(id, "/scratch/u")).get("u"));
        assertFalse(Files.exists(rootfsUpper(id).resolve("scratch/u")), "the tmpfs, not the container's own layer");

        // the kernel's files are not the container's: never read or written with the daemon's privileges
        UnixHttp.Response environ = UnixHttp.get(socket(), "/containers/" + id + "/archive?path=/proc/1/environ");
        assertEquals(404, environ.status(), environ.body());
        assertTrue(environ.body().contains("/proc/1/environ"), environ.body());
        assertEquals(Map.of("proc/", ""), entries(get(id, "/proc")));
        UnixHttp.Response intoSys = UnixHttp.send(socket(), "PUT", "/containers/" + id + "/archive?path=/sys/fs/cgroup",
                tarOf("x", "x\n"), "application/x-tar", Map.of());
        assertEquals(400, intoSys.status(), intoSys.body());
        Map<String, String> everything = entries(get(id, "/"));
        assertTrue(everything.containsKey("rootfs/proc/") && everything.containsKey("rootfs/sys/"), everything.keySet().toString());
        assertTrue(everything.keySet().stream().noneMatch(n -> n.startsWith("rootfs/proc/") && !n.equals("rootfs/proc/")
                || n.startsWith("rootfs/sys/") && !n.equals("rootfs/sys/")), "nothing below /proc or /sys");
        assertEquals("v\n", everything.get("rootfs/data/v"), "the volume, in the copy of the whole root");
        UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null);
    }

    @Test
    void aCopyIntoAReadOnlyRootfsOrVolumeIsRefusedAsDockerRefusesIt() throws Exception {
        String id = create("{\"Cmd\":[\"true\"],\"HostConfig\":{\"ReadonlyRootfs\":true,"
                + "\"Binds\":[\"cp-ro-vol:/ro:ro\",\"cp-rw-vol:/rw\"]}}", null);
        assertEquals(0, run(id));
        UnixHttp.Response rootfs = UnixHttp.send(socket(), "PUT", "/containers/" + id + "/archive?path=/tmp", tarOf("x", "x\n"), "application/x-tar", Map.of());
        assertEquals(400, rootfs.status(), rootfs.body());
        assertEquals("{\"message\":\"container rootfs is marked read-only\"}", rootfs.body().strip());
        UnixHttp.Response ro = UnixHttp.send(socket(), "PUT", "/containers/" + id + "/archive?path=/ro", tarOf("x", "x\n"), "application/x-tar", Map.of());
        assertEquals(400, ro.status(), ro.body());
        assertTrue(ro.body().contains("mounted volume is marked read-only"), ro.body());
        put(id, "/rw", tarOf("x", "into the writable volume\n"));
        Path mountpoint = Path.of(JSON.readTree(UnixHttp.get(socket(), "/volumes/cp-rw-vol").body()).path("Mountpoint").asText());
        assertEquals("into the writable volume\n", Files.readString(mountpoint.resolve("x")));
    }

    // ---- before the start

    @Test
    void aCopyIntoACreatedContainerWorksBeforeItsStart() throws Exception {
        String id = create("{\"Cmd\":[\"cat\",\"/etc/copied-before-start\"]}", null);
        put(id, "/etc", tarOf("copied-before-start", "there before the start\n"));
        assertEquals("there before the start\n", entries(get(id, "/etc/copied-before-start")).get("copied-before-start"));
        assertEquals(0, run(id));
        assertEquals("there before the start\n", logs(id));
    }

    @Test
    void defect9_aCopyIntoACreatedContainersExistingVolumeAndBindLandsInThem() throws Exception {
        assertEquals(201, UnixHttp.post(socket(), "/volumes/create", "{\"Name\":\"cp-pre-vol\"}").status());
        Path bind = Files.createDirectories(root.resolve("pre-bind"));
        String id = create("{\"Cmd\":[\"cat\",\"/data/early\",\"/bnd/early\"],"
                + "\"HostConfig\":{\"Binds\":[\"cp-pre-vol:/data\",\"" + bind + ":/bnd\"]}}", null);
        put(id, "/data", tarOf("early", "volume before the start\n"));
        put(id, "/bnd", tarOf("early", "bind before the start\n"));
        Path mountpoint = Path.of(JSON.readTree(UnixHttp.get(socket(), "/volumes/cp-pre-vol").body()).path("Mountpoint").asText());
        assertEquals("volume before the start\n", Files.readString(mountpoint.resolve("early")));
        assertEquals("bind before the start\n", Files.readString(bind.resolve("early")));
        assertEquals(0, run(id));
        assertEquals("volume before the start\nbind before the start\n", logs(id));
    }

    // ---- the race: a container swapping a directory and a symlink while the host copies

    @Test
    void cpRace_aContainerSwappingADirectoryAndASymlinkNeverMakesACopyTouchTheHost() throws Exception {
        Path sentinel = Files.createDirectories(root.resolve("sentinel"));
        Files.writeString(sentinel.resolve("secret"), "HOST-SECRET\n");
        Files.createDirectories(sentinel.resolve("sub"));
        Files.writeString(sentinel.resolve("sub/file"), "host file\n");
        String before = hashTree(sentinel);
        // inside the container the same path exists and holds the container's own secret: a copy resolved in the
        // container reads that; one resolved on the host through the swapped link would read the sentinel's
        // each state is made afresh (a copy in may have created /race/d meanwhile) and held a millisecond, so the
        // copies meet both and every moment in between
        String swap = "busybox mkdir -p " + sentinel + " && echo container-secret > " + sentinel + "/secret"
                + " && while true; do busybox rm -rf /race/d; busybox mkdir -p /race/d; echo dir-side > /race/d/secret;"
                + " busybox usleep 1000; busybox rm -rf /race/d; busybox ln -s " + sentinel + " /race/d; busybox usleep 1000; done";
        String id = create("{\"Cmd\":[\"sh\",\"-c\"," + JSON.writeValueAsString(swap) + "]}", null);
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        long deadline = System.nanoTime() + 40_000_000_000L;
        int answered = 0;
        int refused = 0;
        int throughDirectory = 0;
        int throughLink = 0;
        byte[] planted = tarOf("planted", "PLANTED\n");
        for (int i = 0; i < 1000 && System.nanoTime() < deadline; i++) {
            UnixHttp.Response r = i % 2 == 0
                    ? UnixHttp.get(socket(), "/containers/" + id + "/archive?path=/race/d/secret")
                    : UnixHttp.send(socket(), "PUT", "/containers/" + id + "/archive?path=/race/d", planted, "application/x-tar", Map.of());
            if (r.status() == 200) {
                answered++;
                assertFalse(r.body().contains("HOST-SECRET"), "copy " + i + " read the host's file");
                throughDirectory += r.body().contains("dir-side") ? 1 : 0;
                throughLink += r.body().contains("container-secret") ? 1 : 0;
            } else {
                refused++;
                // a refusal, in one line; a 500 where the tree changed under an operation is a refusal too
                assertTrue(r.status() == 404 || r.status() == 400 || r.status() == 409 || r.status() == 500, r.status() + " " + r.body());
                assertTrue(r.body().startsWith("{\"message\":") && r.body().strip().lines().count() == 1, r.body());
            }
        }
        System.out.printf("cp race: %d copies, %d answered (%d through the directory, %d through the link), %d refused%n",
                answered + refused, answered, throughDirectory, throughLink, refused);
        assertEquals(1000, answered + refused, "1,000 copies within the time bound");
        assertTrue(throughDirectory > 0 && throughLink > 0, "the swap was met both ways: through the directory "
                + throughDirectory + ", through the link (resolved in the container) " + throughLink);
        assertEquals(before, hashTree(sentinel), "nothing outside the container changed");
        assertFalse(Files.exists(sentinel.resolve("planted")));
        assertFalse(Files.exists(Path.of("/planted")));
        UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null);
    }

    // ---- helpers

    private static Path socket() {
        return root.resolve("berth.sock");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String create(String bodyJson, String name) throws IOException {
        ObjectNode body = (ObjectNode) JSON.readTree(bodyJson);
        body.put("Image", image);
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create" + (name == null ? "" : "?name=" + name), body.toString());
        assertEquals(201, created.status(), created.body());
        return JSON.readTree(created.body()).get("Id").asText();
    }

    private static int run(String id) throws IOException {
        UnixHttp.Response started = UnixHttp.post(socket(), "/containers/" + id + "/start", "");
        assertEquals(204, started.status(), started.body());
        return JSON.readTree(UnixHttp.post(socket(), "/containers/" + id + "/wait", "").body()).get("StatusCode").asInt();
    }

    private static String logs(String id) throws IOException {
        byte[] framed = UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&stderr=1").bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i + 8 <= framed.length) {
            int size = ((framed[i + 4] & 0xff) << 24) | ((framed[i + 5] & 0xff) << 16) | ((framed[i + 6] & 0xff) << 8) | (framed[i + 7] & 0xff);
            out.write(framed, i + 8, size);
            i += 8 + size;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode stat(String id, String path) throws IOException {
        UnixHttp.Response head = UnixHttp.send(socket(), "HEAD", "/containers/" + id + "/archive?path=" + enc(path), null);
        assertEquals(200, head.status(), path + ": " + head.body());
        return JSON.readTree(Base64.getDecoder().decode(head.headers().get("x-docker-container-path-stat")));
    }

    private static byte[] get(String id, String path) throws IOException {
        UnixHttp.Response out = UnixHttp.get(socket(), "/containers/" + id + "/archive?path=" + enc(path));
        assertEquals(200, out.status(), path + ": " + out.body());
        return out.bytes();
    }

    private static void put(String id, String path, byte[] tar) throws IOException {
        UnixHttp.Response in = UnixHttp.send(socket(), "PUT", "/containers/" + id + "/archive?path=" + enc(path), tar, "application/x-tar", Map.of());
        assertEquals(200, in.status(), path + ": " + in.body());
    }

    /** The files of a tar, name to content (a link as {@code -> target}). */
    private static Map<String, String> entries(byte[] tar) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                entries.put(entry.getName(), entry.isSymbolicLink() ? "-> " + entry.getLinkName() : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }

    private static byte[] tarOf(String name, String content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(data.length);
            entry.setMode(0644);
            tar.putArchiveEntry(entry);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static void waitFor(String id, String path) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (UnixHttp.send(socket(), "HEAD", "/containers/" + id + "/archive?path=" + enc(path), null).status() == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " did not appear in " + id);
    }

    /** The writable layer's directory of the container (the overlayfs plugin's upper directory). */
    private static Path rootfsUpper(String id) throws IOException {
        try (Stream<Path> walk = Files.walk(root, 6)) {
            return walk.filter(p -> p.getFileName().toString().equals("upper") && p.getParent().getFileName().toString().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no upper directory for " + id));
        }
    }

    /** A digest over every path, type, mode and content under {@code dir}, links not followed. */
    private static String hashTree(Path dir) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted().toList()) {
                digest.update(dir.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                if (Files.isSymbolicLink(p)) {
                    digest.update(("-> " + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8));
                } else if (Files.isRegularFile(p)) {
                    digest.update(Files.readAllBytes(p));
                }
                digest.update(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
