package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.Daemon;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Docker's verbs on a real daemon with real runc, conmon, overlayfs and cgroups: pause/unpause through the
 * freezer, stats from the cgroup, top from the runtime's process list, update applied to the live cgroup, commit,
 * export and import, system df, and the list and prune filters. Every answer's shape is checked against the fields
 * Docker's reference (moby's api/swagger.yaml) marks required, or, where it marks none, against what its CLI reads.
 * Nothing is left behind: no mounts, cgroups or runc containers (checked in {@link #stop}).
 */
class ContainerVerbsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        byte[] etc = Tar.create().directory("etc")
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .file("etc/group", 0644, "root:x:0:\n".getBytes(StandardCharsets.UTF_8))
                .toBytes();
        TestImages.TestImage busybox = TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(),
                TestImages.Compression.GZIP, List.of(TestImages.busyboxTar(), etc), "");
        registry.push(busybox, "verbs/busybox", "1");
        image = registry.host() + "/verbs/busybox:1";
        root = Files.createTempDirectory("berth-verbs-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        UnixHttp.Response pulled = UnixHttp.post(socket(), "/images/create?fromImage=" + enc(registry.host() + "/verbs/busybox") + "&tag=1", "");
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

    private static Path socket() {
        return root.resolve("berth.sock");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String runSleeper(String name, String labelsJson) throws IOException {
        String body = "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"300\"],\"Labels\":" + labelsJson
                + ",\"HostConfig\":{\"NetworkMode\":\"none\"}}";
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create?name=" + name, body);
        assertEquals(201, created.status(), created.body());
        String id = JSON.readTree(created.body()).get("Id").asText();
        UnixHttp.Response started = UnixHttp.post(socket(), "/containers/" + id + "/start", "");
        assertEquals(204, started.status(), started.body());
        return id;
    }

    private static JsonNode get(String path) throws IOException {
        UnixHttp.Response r = UnixHttp.get(socket(), path);
        assertEquals(200, r.status(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static void assertFields(JsonNode node, String where, String... fields) {
        for (String f : fields) {
            assertTrue(node.has(f), where + " lacks " + f + ": " + node);
        }
    }

    /** The container's cgroup file on this host: the v1 controller's directory, else the v2 one. */
    private static Path cgroupFile(String id, String v1Controller, String v1File, String v2File) {
        Path v1 = Path.of("/sys/fs/cgroup", v1Controller, "berth", id, v1File);
        return Files.exists(v1) ? v1 : Path.of("/sys/fs/cgroup/berth", id, v2File);
    }

    @Test
    void givenRunningContainer_whenPausedAndUnpaused_thenFreezerStateInspectAndEventsFollow() throws Exception {
        String id = runSleeper("verbs-pause", "{}");
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/pause", "").status());
        JsonNode state = get("/containers/" + id + "/json").get("State");
        assertEquals("paused", state.get("Status").asText());
        assertTrue(state.get("Paused").asBoolean() && state.get("Running").asBoolean());
        Path freezer = Path.of("/sys/fs/cgroup/freezer/berth", id, "freezer.state");
        if (Files.exists(freezer)) {
            assertEquals("FROZEN", Files.readString(freezer).strip(), "the cgroup freezer holds it");
        }
        assertEquals(409, UnixHttp.post(socket(), "/containers/" + id + "/pause", "").status(), "pausing twice is Docker's 409");
        assertTrue(get("/info").path("ContainersPaused").asInt() >= 1, "/info counts it as paused");
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/unpause", "").status());
        assertEquals("running", get("/containers/" + id + "/json").path("State").path("Status").asText());
        if (Files.exists(freezer)) {
            assertEquals("THAWED", Files.readString(freezer).strip());
        }
        assertEquals(409, UnixHttp.post(socket(), "/containers/" + id + "/unpause", "").status());
        String events = UnixHttp.get(socket(), "/events?since=0&until=" + (System.currentTimeMillis() / 1000 + 1)
                + "&filters=" + enc("{\"container\":[\"" + id + "\"]}")).body();
        assertTrue(events.contains("\"Action\":\"pause\"") && events.contains("\"Action\":\"unpause\""), events);
    }

    @Test
    void givenRunningContainer_whenStatsAsked_thenDockersShapeFromTheCgroup() throws Exception {
        String id = runSleeper("verbs-stats", "{}");
        JsonNode one = get("/containers/" + id + "/stats?stream=false");
        assertFields(one, "stats", "read", "preread", "pids_stats", "blkio_stats", "num_procs", "storage_stats", "cpu_stats",
                "precpu_stats", "memory_stats", "name", "id");
        assertEquals("/verbs-stats", one.get("name").asText());
        assertTrue(one.path("cpu_stats").path("cpu_usage").path("total_usage").asLong() > 0, one.toString());
        assertTrue(one.path("precpu_stats").path("cpu_usage").path("total_usage").asLong() > 0,
                "without one-shot the answer carries the sample before: " + one);
        assertTrue(one.path("cpu_stats").path("system_cpu_usage").asLong() > one.path("precpu_stats").path("system_cpu_usage").asLong());
        assertTrue(one.path("cpu_stats").path("online_cpus").asInt() >= 1);
        assertTrue(one.path("memory_stats").path("usage").asLong() > 0);
        assertTrue(one.path("memory_stats").path("limit").asLong() > 0);
        assertEquals(1, one.path("pids_stats").path("current").asInt(), "sleep is the only process");
        assertFalse(one.has("networks"), "a container on --network none has no interface to count");
        JsonNode shot = get("/containers/" + id + "/stats?stream=false&one-shot=true");
        assertEquals(0, shot.path("precpu_stats").path("cpu_usage").path("total_usage").asLong(), "one-shot: no earlier sample");
        // a stream sends one document per second
        List<JsonNode> streamed = streamedDocuments("/containers/" + id + "/stats", 2);
        assertEquals(streamed.get(0).path("cpu_stats").path("system_cpu_usage"), streamed.get(1).path("precpu_stats").path("system_cpu_usage"),
                "each streamed document's earlier sample is the one sent before it");
    }

    /** The first {@code count} JSON documents of a streamed answer (one per line, in HTTP chunks), then the connection is dropped. */
    private static List<JsonNode> streamedDocuments(String path, int count) throws IOException {
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.connect(java.net.UnixDomainSocketAddress.of(socket()));
            channel.write(java.nio.ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: berth\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            StringBuilder text = new StringBuilder();
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 16);
            List<JsonNode> documents = new ArrayList<>();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (documents.size() < count && System.nanoTime() < deadline && channel.read(buffer) >= 0) {
                buffer.flip();
                text.append(StandardCharsets.UTF_8.decode(buffer));
                buffer.clear();
                documents.clear();
                for (String line : text.toString().split("\r?\n")) {
                    if (line.startsWith("{") && line.endsWith("}")) {
                        documents.add(JSON.readTree(line));
                    }
                }
            }
            assertTrue(documents.size() >= count, "streamed: " + text);
            return documents;
        }
    }

    @Test
    void givenContainerOnANetwork_whenStatsAsked_thenItsInterfaceIsCountedButNotLoopback() throws Exception {
        // a network of this test's own (bridge name and subnet), so no other daemon on the host is in the way
        UnixHttp.Response network = UnixHttp.post(socket(), "/networks/create", "{\"Name\":\"verbs-stats-net\",\"IPAM\":{\"Config\":"
                + "[{\"Subnet\":\"10.213.178.0/24\"}]},\"Options\":{\"com.docker.network.bridge.name\":\"bvstats0\"}}");
        assertEquals(201, network.status(), network.body());
        try {
            String body = "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"300\"],\"HostConfig\":{\"NetworkMode\":\"verbs-stats-net\"}}";
            UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create?name=verbs-stats-net-user", body);
            assertEquals(201, created.status(), created.body());
            String id = JSON.readTree(created.body()).get("Id").asText();
            assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
            JsonNode stats = get("/containers/" + id + "/stats?stream=false&one-shot=true");
            JsonNode eth0 = stats.path("networks").path("eth0");
            assertFields(eth0, "networks.eth0", "rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "tx_bytes", "tx_packets",
                    "tx_errors", "tx_dropped");
            assertFalse(stats.path("networks").has("lo"), stats.path("networks").toString());
            UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null);
        } finally {
            UnixHttp.send(socket(), "DELETE", "/networks/verbs-stats-net", null);
        }
    }

    @Test
    void givenRunningContainer_whenTop_thenTheRuntimesProcessesAsPsShowsThem() throws Exception {
        String id = runSleeper("verbs-top", "{}");
        JsonNode top = get("/containers/" + id + "/top");
        assertFields(top, "top", "Titles", "Processes");
        assertEquals(1, top.get("Processes").size(), top.toString());
        List<String> titles = new ArrayList<>();
        top.get("Titles").forEach(t -> titles.add(t.asText()));
        int cmd = titles.indexOf("CMD");
        assertEquals("sleep 300", top.get("Processes").get(0).get(cmd).asText());
        JsonNode custom = get("/containers/" + id + "/top?ps_args=" + enc("-o pid,comm"));
        assertEquals("[\"PID\",\"COMMAND\"]", custom.get("Titles").toString());
    }

    /**
     * The runtime answers which processes are the container's (runc reads its cgroup, v1 or v2), so a
     * process the container's init started is listed too, and the engine reads no cgroup path itself.
     */
    @Test
    void givenAContainerWhoseInitStartedAChild_whenTop_thenBothProcessesOfItsCgroupAreListed() throws Exception {
        String body = "{\"Image\":\"" + image + "\",\"Cmd\":[\"sh\",\"-c\",\"sleep 301 & exec sleep 300\"],"
                + "\"HostConfig\":{\"NetworkMode\":\"none\"}}";
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create?name=verbs-top-child", body);
        assertEquals(201, created.status(), created.body());
        String id = JSON.readTree(created.body()).get("Id").asText();
        try {
            assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
            List<String> commands = new ArrayList<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                JsonNode top = get("/containers/" + id + "/top?ps_args=" + enc("-o pid,args"));
                commands.clear();
                top.get("Processes").forEach(p -> commands.add(p.get(1).asText()));
                if (commands.containsAll(List.of("sleep 300", "sleep 301"))) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(List.of("sleep 300", "sleep 301"), commands.stream().sorted().toList());
        } finally {
            UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null);
        }
    }

    @Test
    void givenRunningContainer_whenUpdated_thenTheLiveCgroupInspectAndTheLogAgree() throws Exception {
        String id = runSleeper("verbs-update", "{}");
        UnixHttp.Response updated = UnixHttp.post(socket(), "/containers/" + id + "/update",
                "{\"Memory\":67108864,\"PidsLimit\":50,\"CpuShares\":512,\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}");
        assertEquals(200, updated.status(), updated.body());
        assertEquals("[]", JSON.readTree(updated.body()).get("Warnings").toString());
        assertEquals("67108864", Files.readString(cgroupFile(id, "memory", "memory.limit_in_bytes", "memory.max")).strip());
        assertEquals("50", Files.readString(cgroupFile(id, "pids", "pids.max", "pids.max")).strip());
        JsonNode host = get("/containers/" + id + "/json").get("HostConfig");
        assertEquals(67108864, host.get("Memory").asLong());
        assertEquals(50, host.get("PidsLimit").asLong());
        assertEquals(512, host.get("CpuShares").asLong());
        assertEquals("on-failure", host.path("RestartPolicy").path("Name").asText());
        assertEquals(3, host.path("RestartPolicy").path("MaximumRetryCount").asInt());
        UnixHttp.Response tooSmall = UnixHttp.post(socket(), "/containers/" + id + "/update", "{\"Memory\":1024}");
        assertEquals(400, tooSmall.status(), tooSmall.body());
        assertEquals(67108864, get("/containers/" + id + "/json").path("HostConfig").path("Memory").asLong(),
                "a refused update changes nothing");
    }

    @Test
    void givenChangedContainer_whenCommittedExportedAndImported_thenBothImagesHoldTheChange() throws Exception {
        String id = runSleeper("verbs-commit", "{}");
        UnixHttp.Response exec = UnixHttp.post(socket(), "/containers/" + id + "/exec", "{\"Cmd\":[\"sh\",\"-c\",\"echo made > /marker\"]}");
        String execId = JSON.readTree(exec.body()).get("Id").asText();
        UnixHttp.post(socket(), "/exec/" + execId + "/start", "{\"Detach\":false}");
        UnixHttp.Response committed = UnixHttp.post(socket(), "/commit?container=" + id + "&repo=verbs/committed&tag=2&author=me&comment=note"
                + "&changes=" + enc("ENV A=1") + "&changes=" + enc("CMD [\"cat\",\"/marker\"]"), "");
        assertEquals(201, committed.status(), committed.body());
        String imageId = JSON.readTree(committed.body()).get("Id").asText();
        JsonNode inspect = get("/images/verbs/committed:2/json");
        assertEquals(imageId, inspect.get("Id").asText());
        assertEquals("me", inspect.get("Author").asText());
        assertEquals("[\"cat\",\"/marker\"]", inspect.path("Config").path("Cmd").toString());
        assertTrue(inspect.path("Config").path("Env").toString().contains("A=1"));
        assertEquals(3, inspect.path("RootFS").path("Layers").size(), "the image's two layers and the container's");
        assertEquals("running", get("/containers/" + id + "/json").path("State").path("Status").asText(), "thawed after the commit");
        assertEquals("made\n", runAndLog("verbs/committed:2", null));

        byte[] exported = UnixHttp.get(socket(), "/containers/" + id + "/export").bytes();
        assertTrue(new String(exported, StandardCharsets.ISO_8859_1).contains("marker"), "the export holds the file");
        UnixHttp.Response imported = UnixHttp.send(socket(), "POST", "/images/create?fromSrc=-&repo=verbs/imported&tag=1&changes="
                + enc("CMD [\"cat\",\"/marker\"]"), exported, "application/x-tar", java.util.Map.of());
        assertEquals(200, imported.status(), imported.body());
        assertTrue(imported.body().contains("sha256:"), imported.body());
        assertEquals(1, get("/images/verbs/imported:1/json").path("RootFS").path("Layers").size());
        assertEquals("made\n", runAndLog("verbs/imported:1", null));
    }

    /** Runs an image's default command to its end; its output. */
    private static String runAndLog(String ref, String cmdJson) throws IOException {
        String body = "{\"Image\":\"" + ref + "\"" + (cmdJson == null ? "" : ",\"Cmd\":" + cmdJson) + ",\"HostConfig\":{\"NetworkMode\":\"none\"}}";
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create", body);
        assertEquals(201, created.status(), created.body());
        String id = JSON.readTree(created.body()).get("Id").asText();
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        UnixHttp.post(socket(), "/containers/" + id + "/wait", "");
        byte[] framed = UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&stderr=1").bytes();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i + 8 <= framed.length) {
            int size = ((framed[i + 4] & 0xff) << 24) | ((framed[i + 5] & 0xff) << 16) | ((framed[i + 6] & 0xff) << 8) | (framed[i + 7] & 0xff);
            out.append(new String(framed, i + 8, size, StandardCharsets.UTF_8));
            i += 8 + size;
        }
        UnixHttp.send(socket(), "DELETE", "/containers/" + id, null);
        return out.toString();
    }

    @Test
    void givenLabelledObjects_whenListedAndPrunedWithFilters_thenOnlyTheChosenOnes() throws Exception {
        // volumes: name, label, dangling, driver; rm -f of one in use is 409
        assertEquals(201, UnixHttp.post(socket(), "/volumes/create", "{\"Name\":\"vf-keep\",\"Labels\":{\"keep\":\"yes\"}}").status());
        assertEquals(201, UnixHttp.post(socket(), "/volumes/create", "{\"Name\":\"vf-drop\",\"Labels\":{\"keep\":\"no\"}}").status());
        JsonNode byLabel = get("/volumes?filters=" + enc("{\"label\":[\"keep=yes\"]}"));
        assertEquals(1, byLabel.get("Volumes").size());
        assertEquals("vf-keep", byLabel.get("Volumes").get(0).get("Name").asText());
        assertEquals(2, get("/volumes?filters=" + enc("{\"name\":[\"vf-\"],\"driver\":[\"local\"]}")).get("Volumes").size());
        assertEquals(0, get("/volumes?filters=" + enc("{\"driver\":[\"other\"]}")).get("Volumes").size());
        assertEquals(400, UnixHttp.get(socket(), "/volumes?filters=" + enc("{\"colour\":[\"red\"]}")).status());
        String user = "{\"Image\":\"" + image + "\",\"Cmd\":[\"sleep\",\"300\"],\"HostConfig\":{\"NetworkMode\":\"none\",\"Binds\":[\"vf-keep:/data\"]}}";
        String userId = JSON.readTree(UnixHttp.post(socket(), "/containers/create?name=vf-user", user).body()).get("Id").asText();
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + userId + "/start", "").status());
        List<String> dangling = new ArrayList<>();
        get("/volumes?filters=" + enc("{\"dangling\":[\"true\"]}")).get("Volumes").forEach(v -> dangling.add(v.get("Name").asText()));
        assertTrue(dangling.contains("vf-drop") && !dangling.contains("vf-keep"), dangling.toString());
        assertEquals(409, UnixHttp.send(socket(), "DELETE", "/volumes/vf-keep?force=1", null).status());
        // volume prune: named volumes only with all=true, and label! keeps what it names
        JsonNode notAll = JSON.readTree(UnixHttp.post(socket(), "/volumes/prune", "").body());
        assertFalse(notAll.get("VolumesDeleted").toString().contains("vf-drop"), "without all, named volumes stay: " + notAll);
        JsonNode spared = JSON.readTree(UnixHttp.post(socket(), "/volumes/prune?filters=" + enc("{\"all\":[\"true\"],\"label!\":[\"keep=no\"]}"), "").body());
        assertFalse(spared.get("VolumesDeleted").toString().contains("vf-drop"), spared.toString());
        JsonNode pruned = JSON.readTree(UnixHttp.post(socket(), "/volumes/prune?filters=" + enc("{\"all\":[\"1\"],\"label\":[\"keep\"]}"), "").body());
        assertEquals("[\"vf-drop\"]", pruned.get("VolumesDeleted").toString(), "the volume in use stays");
        assertEquals(201, UnixHttp.post(socket(), "/volumes/create", "{\"Name\":\"vf-old-client\"}").status());
        JsonNode oldClient = JSON.readTree(UnixHttp.post(socket(), "/v1.41/volumes/prune", "").body());
        assertEquals("[\"vf-old-client\"]", oldClient.get("VolumesDeleted").toString(),
                "before API 1.42 a prune takes named volumes too, as Docker 20.10's did");

        // containers: prune by label and until
        String a = createOnly("pf-a", "{\"prune\":\"yes\"}");
        String b = createOnly("pf-b", "{\"prune\":\"no\"}");
        JsonNode old = JSON.readTree(UnixHttp.post(socket(), "/containers/prune?filters=" + enc("{\"until\":[\"1h\"]}"), "").body());
        assertEquals("[]", old.get("ContainersDeleted").toString(), "nothing here is an hour old");
        JsonNode byLabelPrune = JSON.readTree(UnixHttp.post(socket(), "/containers/prune?filters=" + enc("{\"label\":[\"prune=yes\"]}"), "").body());
        assertEquals("[\"" + a + "\"]", byLabelPrune.get("ContainersDeleted").toString());
        assertEquals(200, UnixHttp.get(socket(), "/containers/" + b + "/json").status());
        UnixHttp.send(socket(), "DELETE", "/containers/" + b, null);

        // images: dangling, label, before/since
        String imageId = get("/images/" + image + "/json").get("Id").asText();
        assertEquals(0, get("/images/json?filters=" + enc("{\"dangling\":[\"true\"]}")).size());
        assertTrue(get("/images/json?filters=" + enc("{\"dangling\":[\"false\"]}")).toString().contains(imageId));
        assertEquals(0, get("/images/json?filters=" + enc("{\"label\":[\"nobody\"]}")).size());
        assertFalse(get("/images/json?filters=" + enc("{\"before\":[\"" + image + "\"]}")).toString().contains(imageId),
                "an image is not before itself");
        assertEquals(404, UnixHttp.get(socket(), "/images/json?filters=" + enc("{\"since\":[\"no/such:image\"]}")).status());
        assertEquals(400, UnixHttp.get(socket(), "/images/json?filters=" + enc("{\"dangling\":[\"maybe\"]}")).status());
    }

    private static String createOnly(String name, String labelsJson) throws IOException {
        String body = "{\"Image\":\"" + image + "\",\"Cmd\":[\"true\"],\"Labels\":" + labelsJson + ",\"HostConfig\":{\"NetworkMode\":\"none\"}}";
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create?name=" + name, body);
        assertEquals(201, created.status(), created.body());
        return JSON.readTree(created.body()).get("Id").asText();
    }

    @Test
    void givenObjects_whenSystemDf_thenDockersShapeWithSizesAndCounts() throws Exception {
        runSleeper("verbs-df", "{}");
        JsonNode df = get("/system/df");
        assertFields(df, "df", "LayersSize", "Images", "Containers", "Volumes", "BuildCache");
        assertTrue(df.get("LayersSize").asLong() > 0);
        JsonNode busybox = null;
        for (JsonNode i : df.get("Images")) {
            if (i.get("RepoTags").toString().contains("verbs/busybox:1")) {
                busybox = i;
            }
        }
        assertTrue(busybox != null, df.toString());
        // ImageSummary's required fields in Docker's reference
        assertFields(busybox, "image", "Id", "ParentId", "RepoTags", "RepoDigests", "Created", "Size", "SharedSize", "Labels", "Containers");
        assertTrue(busybox.get("Containers").asInt() >= 1);
        for (JsonNode c : df.get("Containers")) {
            assertFields(c, "container", "Id", "Names", "Image", "ImageID", "Command", "Created", "SizeRw", "SizeRootFs", "State", "Status");
        }
        JsonNode onlyVolumes = get("/system/df?type=volume");
        assertTrue(onlyVolumes.has("Volumes") && !onlyVolumes.has("Images"), onlyVolumes.toString());
        assertEquals(400, UnixHttp.get(socket(), "/system/df?type=everything").status());
    }

    @Test
    void givenDockersOtherEndpoints_whenAsked_thenSearchIs404AndVersionPrefixesAreChecked() throws Exception {
        assertEquals(404, UnixHttp.get(socket(), "/images/search?term=busybox").status());
        assertEquals(200, UnixHttp.get(socket(), "/v1.24/version").status());
        assertEquals(200, UnixHttp.get(socket(), "/v1.43/version").status());
        UnixHttp.Response old = UnixHttp.get(socket(), "/v1.23/version");
        assertEquals(400, old.status());
        assertTrue(old.body().contains("client version 1.23 is too old. Minimum supported API version is 1.24"), old.body());
        assertEquals(400, UnixHttp.get(socket(), "/v1.44/version").status());
        JsonNode distribution = get("/distribution/" + image + "/json");
        assertTrue(distribution.path("Descriptor").path("digest").asText().startsWith("sha256:"), distribution.toString());
        assertEquals("linux", distribution.path("Platforms").get(0).path("os").asText());
        JsonNode pruned = JSON.readTree(UnixHttp.post(socket(), "/build/prune", "").body());
        assertFields(pruned, "build prune", "CachesDeleted", "SpaceReclaimed");
    }
}
