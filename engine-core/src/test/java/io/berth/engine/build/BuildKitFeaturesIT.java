package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * BuildKit's Dockerfile features on a real daemon (runc under conmon, overlayfs, a busybox base
 * from a real registry): the syntax directive, {@code RUN --mount} of every type, build secrets
 * and SSH agent sockets. Each test asserts what the image holds, seen from a container, and what
 * the log recorded.
 */
class BuildKitFeaturesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        byte[] etc = Tar.create().directory("etc")
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .file("etc/group", 0644, "root:x:0:\napp:x:1000:\n".getBytes(StandardCharsets.UTF_8))
                .directory("tmp").directory("var")
                .toBytes();
        TestImages.TestImage busybox = TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(),
                TestImages.Compression.GZIP, List.of(TestImages.busyboxTar(), etc), "");
        registry.push(busybox, "buildkit/busybox", "1");
        base = registry.host() + "/buildkit/busybox:1";
        root = Files.createTempDirectory("berth-buildkit-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (JsonNode c : JSON.readTree(UnixHttp.get(socket(), "/containers/json?all=1").body())) {
            UnixHttp.send(socket(), "DELETE", "/containers/" + c.get("Id").asText() + "?force=1&v=1", null);
        }
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
        return root.resolve("berth.sock");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A build's answer, read from Docker's JSON-lines stream. */
    record Built(String output, String imageId, String buildId, String error, String raw) {
        JsonNode record() throws IOException {
            return JSON.readTree(UnixHttp.get(socket(), "/berth/builds/" + buildId).body());
        }
    }

    static Map<String, byte[]> files(String... namesAndContents) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            files.put(namesAndContents[i], namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    static Built build(Map<String, byte[]> files, String query, Map<String, String> headers) throws IOException {
        return buildOn(socket(), files, query, headers);
    }

    static Built buildOn(Path socket, Map<String, byte[]> files, String query, Map<String, String> headers) throws IOException {
        Tar tar = Tar.create();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            tar.file(f.getKey(), 0644, f.getValue());
        }
        UnixHttp.Response r = UnixHttp.send(socket, "POST", "/build" + (query.isEmpty() ? "" : "?" + query), tar.toBytes(),
                "application/x-tar", headers);
        assertEquals(200, r.status(), r.body());
        StringBuilder output = new StringBuilder();
        String image = "";
        String buildId = "";
        String error = "";
        for (String line : r.body().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode m = JSON.readTree(line);
            output.append(m.path("stream").asText(""));
            if (m.path("aux").has("ID")) {
                image = m.path("aux").get("ID").asText();
            }
            if (m.path("aux").has("BuildID")) {
                buildId = m.path("aux").get("BuildID").asText();
            }
            if (m.has("error")) {
                error = m.get("error").asText();
            }
        }
        return new Built(output.toString(), image, buildId, error, r.body());
    }

    static Built build(Map<String, byte[]> files, String query) throws IOException {
        return build(files, query, Map.of());
    }

    static Built ok(Built built) {
        assertEquals("", built.error(), built.output());
        assertTrue(built.imageId().startsWith("sha256:"), built.output());
        return built;
    }

    /** Runs {@code sh -c script} in the image as root; its output (stdout and stderr). */
    static String runIn(String image, String script) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Image", image);
        body.put("User", "0");
        body.putArray("Entrypoint").add("/bin/sh").add("-c").add(script);
        body.putObject("HostConfig").put("NetworkMode", "none");
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

    /** Every event of the log, as the API streams them (one JSON object per line). */
    static String allEvents() throws IOException {
        return UnixHttp.get(socket(), "/berth/events?since=0").body();
    }

    /** Each layer of an image as a tar: entry names to contents (directories with empty contents). */
    static List<Map<String, byte[]>> layers(String image) throws IOException {
        UnixHttp.Response response = UnixHttp.get(socket(), "/images/get?names=" + enc(image));
        assertEquals(200, response.status(), response.body());
        byte[] saved = response.bytes();
        List<Map<String, byte[]>> layers = new ArrayList<>();
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(saved))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) {
                    blobs.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        Map<String, byte[]> rest = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> blob : blobs.entrySet()) {
            byte[] bytes = blob.getValue();
            boolean gzip = bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
            boolean tar = bytes.length > 262 && new String(bytes, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
            if (!gzip && !tar) {
                rest.put(blob.getKey(), bytes); // the config, manifests, index
                continue;
            }
            InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(bytes)) : new ByteArrayInputStream(bytes);
            Map<String, byte[]> entries = new LinkedHashMap<>();
            try (TarArchiveInputStream layer = new TarArchiveInputStream(in)) {
                TarArchiveEntry e;
                while ((e = layer.getNextEntry()) != null) {
                    entries.put(e.getName(), e.isFile() ? layer.readAllBytes() : new byte[0]);
                }
            }
            layers.add(entries);
        }
        assertTrue(layers.size() >= 2, "the saved image has its layers: " + blobs.keySet() + " of " + saved.length + " bytes");
        layers.add(rest); // scanned as one more "layer"
        return layers;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Every regular file under the daemon's root that holds {@code needle}: the log, the stores, the build directories. */
    static List<Path> filesHolding(byte[] needle) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                try {
                    if (contains(Files.readAllBytes(p), needle)) {
                        found.add(p);
                    }
                } catch (IOException e) {
                    // a file removed while walking
                }
            }
        }
        return found;
    }

    static Map<String, String> secretHeader(Map<String, String> secrets) throws IOException {
        Map<String, String> encoded = new LinkedHashMap<>();
        secrets.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return Map.of("X-Berth-Build-Secrets", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(encoded)));
    }

    // ---- the syntax directive

    @Test
    void givenTheOfficialSyntaxDirectiveThenBerthBuildsTheFileAndAnyOtherFrontendIsRefusedNamingIt() throws Exception {
        Built built = ok(build(files("Dockerfile", "# syntax=docker/dockerfile:1.7\nFROM " + base + "\nRUN echo parsed > /syntax.txt\n"),
                "t=syntax:1"));
        assertEquals("parsed\n", runIn(built.imageId(), "cat /syntax.txt"));
        Built refused = build(files("Dockerfile", "# syntax=example.invalid/custom/frontend:1\nFROM " + base + "\n"), "");
        assertTrue(refused.error().startsWith("Dockerfile:1:1: unsupported frontend \"example.invalid/custom/frontend:1\""),
                refused.error());
        assertEquals(1, refused.error().lines().count());
    }

    // ---- cache mounts

    @Test
    void givenACacheMountThenItsContentSurvivesNoCacheBuildsAndNeverEntersTheImage() throws Exception {
        String dockerfile = "FROM " + base + "\n"
                + "RUN --mount=type=cache,target=/var/cache/x sh -c 'echo run >> /var/cache/x/runs; wc -l < /var/cache/x/runs > /runs.txt'\n";
        Built first = ok(build(files("Dockerfile", dockerfile), "nocache=1"));
        Built second = ok(build(files("Dockerfile", dockerfile), "nocache=1"));
        assertEquals("1", runIn(first.imageId(), "cat /runs.txt").strip());
        assertEquals("2", runIn(second.imageId(), "cat /runs.txt").strip(), "the second --no-cache build saw the first one's cache");
        assertEquals("gone\n", runIn(second.imageId(), "test -e /var/cache/x || echo gone"), "the mount point is not in the image");
        for (Map<String, byte[]> layer : layers(second.imageId())) {
            assertFalse(layer.keySet().stream().anyMatch(n -> n.contains("var/cache")), "no layer holds the cache: " + layer.keySet());
        }
        // recorded: created by the first build, used by the second
        List<JsonNode> uses = new ArrayList<>();
        for (String line : allEvents().split("\n")) {
            if (line.contains("\"BuildCacheMountUsed\"")) {
                uses.add(JSON.readTree(line));
            }
        }
        JsonNode created = uses.stream().filter(e -> e.toString().contains(first.buildId())).findFirst().orElseThrow();
        JsonNode used = uses.stream().filter(e -> e.toString().contains(second.buildId())).findFirst().orElseThrow();
        assertTrue(created.toString().contains("\"created\":true"), created.toString());
        assertTrue(used.toString().contains("\"created\":false"), used.toString());
        assertTrue(used.toString().contains("/var/cache/x"), used.toString());
        assertTrue(second.record().toString().contains("/var/cache/x at /var/cache/x (shared)"), second.record().toString());
        // kept by id under the daemon's root, until a build prune removes it
        assertTrue(Files.isDirectory(root.resolve("builds/cache-mounts")));
        JsonNode pruned = JSON.readTree(UnixHttp.post(socket(), "/build/prune", "").body());
        assertTrue(pruned.get("CachesDeleted").toString().contains("\"cache-mount:/var/cache/x\""), pruned.toString());
        assertTrue(pruned.get("SpaceReclaimed").asLong() > 0, pruned.toString());
        Built afterPrune = ok(build(files("Dockerfile", dockerfile), "nocache=1"));
        assertEquals("1", runIn(afterPrune.imageId(), "cat /runs.txt").strip(), "a pruned cache starts empty again");
    }

    @Test
    void givenCacheMountOptionsThenIdModeOwnerAndAStageSeedApply() throws Exception {
        String dockerfile = "FROM " + base + " AS seed\n"
                + "RUN mkdir -p /seed && echo seeded > /seed/first.txt\n"
                + "FROM " + base + "\n"
                + "RUN --mount=type=cache,id=shared-" + UUID.randomUUID() + ",target=/c,from=seed,source=/seed,mode=0700,uid=1000,gid=1000 "
                + "sh -c 'cat /c/first.txt > /seen.txt; stat -c \"%a %u %g\" /c > /meta.txt'\n";
        Built built = ok(build(files("Dockerfile", dockerfile), ""));
        assertEquals("seeded\n", runIn(built.imageId(), "cat /seen.txt"));
        assertEquals("700 1000 1000\n", runIn(built.imageId(), "cat /meta.txt"));
    }

    // ---- tmpfs and bind

    @Test
    void givenATmpfsMountThenTheStepWritesToMemoryAndTheImageHasNothingThere() throws Exception {
        Built built = ok(build(files("Dockerfile", "FROM " + base + "\n"
                + "RUN --mount=type=tmpfs,target=/scratch,size=1m sh -c 'echo x > /scratch/f && grep \" /scratch tmpfs \" /proc/mounts > /mounted.txt'\n"),
                ""));
        assertTrue(runIn(built.imageId(), "cat /mounted.txt").contains("size=1024k"), runIn(built.imageId(), "cat /mounted.txt"));
        assertEquals("gone\n", runIn(built.imageId(), "test -e /scratch || echo gone"));
    }

    @Test
    void givenBindMountsThenContextAndStageFilesAreSeenReadOnlyByDefaultAndRwWritesAreDiscarded() throws Exception {
        String dockerfile = "FROM " + base + " AS tools\n"
                + "RUN echo tool > /tool.txt\n"
                + "FROM " + base + "\n"
                + "RUN --mount=type=bind,source=data,target=/src sh -c 'cat /src/a.txt > /from-context.txt; touch /src/new 2>/dev/null && echo writable > /ro.txt || echo read-only > /ro.txt'\n"
                + "RUN --mount=type=bind,from=tools,source=/tool.txt,target=/t/tool.txt cat /t/tool.txt > /from-stage.txt\n"
                + "RUN --mount=type=bind,source=data,target=/rw,rw sh -c 'echo changed > /rw/a.txt && cat /rw/a.txt > /rw-seen.txt'\n"
                + "RUN --mount=type=bind,source=data,target=/again cat /again/a.txt > /after-rw.txt\n";
        Built built = ok(build(files("Dockerfile", dockerfile, "data/a.txt", "alpha\n"), ""));
        String id = built.imageId();
        assertEquals("alpha\n", runIn(id, "cat /from-context.txt"));
        assertEquals("read-only\n", runIn(id, "cat /ro.txt"));
        assertEquals("tool\n", runIn(id, "cat /from-stage.txt"));
        assertEquals("changed\n", runIn(id, "cat /rw-seen.txt"));
        assertEquals("alpha\n", runIn(id, "cat /after-rw.txt"), "a rw bind's writes are discarded");
        assertEquals("gone\n", runIn(id, "test -e /src || test -e /t || test -e /rw || echo gone"));
        // the bound files are part of the step's cache key: changed content runs the step again
        Built cached = ok(build(files("Dockerfile", dockerfile, "data/a.txt", "alpha\n"), ""));
        assertEquals(id, cached.imageId());
        Built changed = ok(build(files("Dockerfile", dockerfile, "data/a.txt", "beta\n"), ""));
        assertEquals("beta\n", runIn(changed.imageId(), "cat /from-context.txt"));
    }

    // ---- secrets

    @Test
    void givenASecretThenTheStepReadsItAndItIsInNoLayerEventRecordOutputOrConfig() throws Exception {
        String value = "s3cr3t-" + HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)).substring(0, 24);
        String dockerfile = "FROM " + base + "\n"
                + "RUN --mount=type=secret,id=token sh -c 'test -s /run/secrets/token && sha256sum < /run/secrets/token | cut -c1-64 > /default-sha.txt'\n"
                + "RUN --mount=type=secret,id=token,target=/opt/token,mode=0440,uid=1000,gid=1000 sh -c 'stat -c \"%a %u %g\" /opt/token > /secret-meta.txt; sha256sum < /opt/token | cut -c1-64 > /secret-sha.txt'\n"
                + "RUN --mount=type=secret,id=token,env=TOKEN sh -c 'echo \"printed: $TOKEN\"; echo ${#TOKEN} > /secret-len.txt'\n";
        Built built = ok(build(files("Dockerfile", dockerfile), "t=secret:1", secretHeader(Map.of("token", value))));
        String id = built.imageId();
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        assertEquals(sha + "\n", runIn(id, "cat /default-sha.txt"), "read at /run/secrets/ID");
        assertEquals(sha + "\n", runIn(id, "cat /secret-sha.txt"), "read at its target");
        assertEquals("440 1000 1000\n", runIn(id, "cat /secret-meta.txt"));
        assertEquals(value.length() + "\n", runIn(id, "cat /secret-len.txt"), "read from the environment");
        assertEquals("gone\n", runIn(id, "test -e /run/secrets || test -e /opt/token || echo gone"));
        byte[] secret = value.getBytes(StandardCharsets.UTF_8);
        assertFalse(built.raw().contains(value), "the build's stream does not carry it");
        assertTrue(built.output().contains("printed: ****"), built.output());
        for (Map<String, byte[]> layer : layers(id)) {
            for (Map.Entry<String, byte[]> entry : layer.entrySet()) {
                assertFalse(contains(entry.getValue(), secret) || entry.getKey().contains(value), "not in " + entry.getKey());
            }
        }
        assertFalse(allEvents().contains(value), "no event holds it");
        assertFalse(built.record().toString().contains(value), "the build record does not hold it");
        assertFalse(UnixHttp.get(socket(), "/berth/builds/" + built.buildId() + "/logs").body().contains(value), "nor its kept output");
        assertFalse(UnixHttp.get(socket(), "/images/" + enc(id) + "/json").body().contains(value));
        assertFalse(UnixHttp.get(socket(), "/images/" + enc(id) + "/history").body().contains(value));
        assertEquals(List.of(), filesHolding(secret), "no file under the daemon's root (log, stores, layers, build records) holds it");
    }

    @Test
    void givenARequiredSecretThatWasNotGivenThenTheStepFailsNamingItAndAnOptionalOneIsAbsent() throws Exception {
        Built failed = build(files("Dockerfile", "FROM " + base + "\nRUN --mount=type=secret,id=missing,required=true true\n"), "");
        assertTrue(failed.error().contains("secret missing is required but was not given"), failed.error());
        assertTrue(failed.error().startsWith("Dockerfile:2"), failed.error());
        Built optional = ok(build(files("Dockerfile", "FROM " + base
                + "\nRUN --mount=type=secret,id=missing sh -c 'test -e /run/secrets/missing && echo there > /optional.txt || echo absent > /optional.txt'\n"), ""));
        assertEquals("absent\n", runIn(optional.imageId(), "cat /optional.txt"));
    }

    // ---- ssh

    @Test
    void givenAnSshMountThenItNeedsAnAgentSocketAndSeesTheGivenOne() throws Exception {
        String dockerfile = "FROM " + base + "\nRUN --mount=type=ssh sh -c 'test -S \"$SSH_AUTH_SOCK\" && echo \"$SSH_AUTH_SOCK\" > /agent.txt'\n";
        Built refused = build(files("Dockerfile", dockerfile), "");
        assertTrue(refused.error().contains("no SSH agent socket default was given to the build"), refused.error());
        Path agent = Files.createTempDirectory("berth-buildkit-agent").resolve("agent.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(agent));
            Map<String, String> header = Map.of("X-Berth-Build-Ssh",
                    Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(Map.of("default", agent.toString()))));
            Built built = ok(build(files("Dockerfile", dockerfile), "", header));
            assertEquals("/run/buildkit/ssh_agent.0\n", runIn(built.imageId(), "cat /agent.txt"));
            assertEquals("gone\n", runIn(built.imageId(), "test -e /run/buildkit || echo gone"));
            Map<String, String> notASocket = Map.of("X-Berth-Build-Ssh",
                    Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(Map.of("default", "/etc/passwd"))));
            UnixHttp.Response r = UnixHttp.send(socket(), "POST", "/build", Tar.create().file("Dockerfile", 0644,
                    dockerfile.getBytes(StandardCharsets.UTF_8)).toBytes(), "application/x-tar", notASocket);
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("/etc/passwd: not a socket"), r.body());
        } finally {
            Files.deleteIfExists(agent);
            Files.deleteIfExists(agent.getParent());
        }
    }

    @Test
    void givenAnUnknownMountOptionThenTheErrorNamesIt() throws Exception {
        Built failed = build(files("Dockerfile", "FROM " + base + "\nRUN --mount=type=cache,target=/c,colour=blue true\n"), "");
        assertTrue(failed.error().startsWith("Dockerfile:2"), failed.error());
        assertTrue(failed.error().contains("unexpected key 'colour'"), failed.error());
        assertNotEquals("", failed.buildId());
    }

    // ---- COPY --link, --parents, --exclude

    @Test
    void givenCopyParentsThenSourceDirectoriesAreKeptUnderTheDestinationFromThePivot() throws Exception {
        String dockerfile = "FROM " + base + "\n"
                + "COPY ./x/a.txt ./y/b.txt /no_parents/\n"
                + "COPY --parents ./x/a.txt ./y/b.txt /parents/\n"
                + "COPY --parents ./x/./y/*.txt /pivot/\n"
                + "COPY --parents x/sub /dirs/\n"
                + "COPY --link --parents y/b.txt /linked/\n";
        Built built = ok(build(files("Dockerfile", dockerfile, "x/a.txt", "a\n", "y/b.txt", "b\n", "x/y/c.txt", "c\n",
                "x/y/d.txt", "d\n", "x/sub/e.txt", "e\n"), ""));
        assertEquals("""
                /dirs/x/sub/e.txt
                /linked/y/b.txt
                /no_parents/a.txt
                /no_parents/b.txt
                /parents/x/a.txt
                /parents/y/b.txt
                /pivot/y/c.txt
                /pivot/y/d.txt
                """, runIn(built.imageId(), "find /dirs /linked /no_parents /parents /pivot -type f | sort"));
    }

    @Test
    void givenCopyExcludeThenMatchingFilesAreNeitherCopiedNorPartOfTheCacheKey() throws Exception {
        String dockerfile = "FROM " + base + "\n"
                + "COPY --exclude=*.txt --exclude=*.md hom* /mydir/\n"
                + "COPY --exclude=*.log --exclude=**/secret app/ /app/\n";
        Map<String, byte[]> context = files("Dockerfile", dockerfile, "home.sh", "sh\n", "home.txt", "t\n", "homer.md", "m\n",
                "app/main.c", "c\n", "app/debug.log", "l\n", "app/deep/x/secret", "s\n", "app/deep/x/keep", "k\n");
        Built built = ok(build(context, ""));
        assertEquals("""
                /app/deep/x/keep
                /app/main.c
                /mydir/home.sh
                """, runIn(built.imageId(), "find /mydir /app -type f | sort"));
        // an excluded file's change does not invalidate the step
        context.put("app/debug.log", "other\n".getBytes(StandardCharsets.UTF_8));
        context.put("home.txt", "other\n".getBytes(StandardCharsets.UTF_8));
        Built again = ok(build(context, ""));
        assertEquals(built.imageId(), again.imageId(), again.output());
        assertTrue(again.output().contains("Using cache"), again.output());
    }

    // ---- ADD of Git repositories and ADD --checksum

    /** Runs a command in a directory; its standard output, or the test fails with its error. */
    static String sh(Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@example.invalid", "GIT_COMMITTER_NAME", "t",
                "GIT_COMMITTER_EMAIL", "t@example.invalid", "HOME", dir.toString()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    @Test
    void givenGitSourcesOverHttpAndTheGitProtocolThenAddChecksOutTheRefWithoutGitDirAndWithTheReferencesModes() throws Exception {
        Path work = Files.createTempDirectory("berth-buildkit-git");
        com.sun.net.httpserver.HttpServer http = null;
        Process daemonProcess = null;
        try {
            Path src = Files.createDirectories(work.resolve("src"));
            sh(src, "git", "init", "--quiet", "-b", "main");
            Files.createDirectories(src.resolve("sub"));
            Files.writeString(src.resolve("sub/tool.sh"), "#!/bin/sh\necho v1\n");
            Files.setPosixFilePermissions(src.resolve("sub/tool.sh"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
            Files.writeString(src.resolve("README"), "version one\n");
            Files.setPosixFilePermissions(src.resolve("README"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
            sh(src, "git", "add", "-A");
            sh(src, "git", "commit", "--quiet", "-m", "one");
            sh(src, "git", "tag", "v1");
            String v1 = sh(src, "git", "rev-parse", "HEAD").strip();
            Files.writeString(src.resolve("README"), "version two\n");
            sh(src, "git", "commit", "--quiet", "-am", "two");
            Path served = work.resolve("served");
            Files.createDirectories(served);
            sh(work, "git", "clone", "--quiet", "--bare", src.toString(), served.resolve("repo.git").toString());
            sh(served.resolve("repo.git"), "git", "update-server-info");
            // the reference's https://…/repo.git form, over plain HTTP on loopback (git's "dumb" protocol: static files)
            http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", exchange -> {
                Path file = served.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                if (!file.startsWith(served) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    byte[] body = Files.readAllBytes(file);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            http.start();
            String httpUrl = "http://127.0.0.1:" + http.getAddress().getPort() + "/repo.git";
            int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            daemonProcess = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", "--port=" + port,
                    "--base-path=" + served, served.toString()).redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile()).start();
            for (int i = 0; i < 100; i++) {
                try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                    break;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            String gitUrl = "git://127.0.0.1:" + port + "/repo.git";
            String dockerfile = "FROM " + base + "\n"
                    + "ADD " + httpUrl + "#v1:sub /from-tag/\n"
                    + "ADD " + gitUrl + " /head/\n"
                    + "ADD --keep-git-dir=true " + gitUrl + "#main /kept/\n"
                    + "ADD --checksum=" + v1.substring(0, 10) + " " + httpUrl + "#v1 /pinned/\n";
            Built built = ok(build(files("Dockerfile", dockerfile), ""));
            String id = built.imageId();
            assertEquals("v1\n", runIn(id, "/from-tag/tool.sh"));
            assertEquals("755 644\n", runIn(id, "echo $(stat -c %a /from-tag/tool.sh /head/README)"));
            assertEquals("version two\n", runIn(id, "cat /head/README"));
            assertEquals("no git dir\n", runIn(id, "test -e /head/.git || echo no git dir"));
            assertEquals("kept\n", runIn(id, "test -d /kept/.git && echo kept"));
            assertEquals("version one\n", runIn(id, "cat /pinned/README"));
            assertTrue(built.record().toString().contains("#" + v1), "the commit is the source's identity: " + built.record());
            Built mismatch = build(files("Dockerfile", "FROM " + base + "\nADD --checksum=0000000 " + httpUrl + "#v1 /x/\n"), "");
            assertTrue(mismatch.error().contains("checksum mismatch: expected commit 0000000, got " + v1), mismatch.error());
            Built noRef = build(files("Dockerfile", "FROM " + base + "\nADD " + gitUrl + "#nope /x/\n"), "");
            assertTrue(noRef.error().contains("no branch, tag or commit nope"), noRef.error());
        } finally {
            if (http != null) {
                http.stop(0);
            }
            if (daemonProcess != null) {
                daemonProcess.destroy();
                daemonProcess.waitFor();
            }
            TestDaemons.deleteTree(work);
        }
    }

    @Test
    void givenAddChecksumForAUrlThenTheDownloadIsVerifiedAndALocalSourceIsRefused() throws Exception {
        byte[] body = "pinned download\n".getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/file.txt", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/file.txt";
            Built ok = ok(build(files("Dockerfile", "FROM " + base + "\nADD --checksum=" + digest + " " + url + " /pinned.txt\n"), ""));
            assertEquals("pinned download\n", runIn(ok.imageId(), "cat /pinned.txt"));
            String wrong = "sha256:" + "0".repeat(64);
            Built bad = build(files("Dockerfile", "FROM " + base + "\nADD --checksum=" + wrong + " " + url + " /pinned.txt\n"), "");
            assertTrue(bad.error().contains("checksum mismatch: expected " + wrong + ", got " + digest), bad.error());
            Built local = build(files("Dockerfile", "FROM " + base + "\nADD --checksum=" + digest + " a.txt /a.txt\n", "a.txt", "a\n"), "");
            assertTrue(local.error().contains("checksum can't be specified for non-HTTP(S) sources"), local.error());
        } finally {
            http.stop(0);
        }
    }

    // ---- --cache-from

    @Test
    void givenCacheFromAnImageBuiltElsewhereThenItsHistoryServesTheStepsOnAnotherDaemon() throws Exception {
        String dockerfile = "FROM " + base + "\n"
                + "COPY app.txt /app.txt\n"
                + "RUN cat /proc/sys/kernel/random/uuid > /built-once\n"
                + "CMD [\"cat\", \"/built-once\"]\n";
        Map<String, byte[]> context = files("Dockerfile", dockerfile, "app.txt", "app\n");
        Built original = ok(build(context, "t=" + enc("cachefrom/app:1")));
        String firstRun = runIn(original.imageId(), "cat /built-once");
        byte[] saved = UnixHttp.get(socket(), "/images/get?names=" + enc("cachefrom/app:1")).bytes();
        Path otherRoot = Files.createTempDirectory("berth-buildkit-it-2");
        Daemon other = null;
        try {
            Path plugins = otherRoot.resolve("plugin-jars");
            TestDaemons.copyBuiltPlugins(plugins);
            other = new Daemon(TestDaemons.options(otherRoot, plugins));
            other.start();
            Path otherSocket = otherRoot.resolve("berth.sock");
            UnixHttp.Response loaded = UnixHttp.send(otherSocket, "POST", "/images/load", saved, "application/x-tar", Map.of());
            assertTrue(loaded.body().contains("cachefrom/app:1"), loaded.body());
            Built served = buildOn(otherSocket, context, "cachefrom=" + enc("[\"cachefrom/app:1\"]"), Map.of());
            assertEquals("", served.error(), served.output());
            assertEquals(original.imageId(), served.imageId(), "every step served by the image: the same image " + served.output());
            assertEquals(3, served.output().split(" ---> Using cache", -1).length - 1, served.output());
            JsonNode record = JSON.readTree(UnixHttp.get(otherSocket, "/berth/builds/" + served.buildId()).body());
            assertTrue(record.toString().contains("--cache-from"), record.toString());
            // without it, the other daemon has no cache: the RUN runs again
            Built rebuilt = buildOn(otherSocket, context, "", Map.of());
            assertEquals("", rebuilt.error(), rebuilt.output());
            assertNotEquals(original.imageId(), rebuilt.imageId());
            // a changed source breaks the chain at its step
            Map<String, byte[]> changed = files("Dockerfile", dockerfile, "app.txt", "changed\n");
            Built partly = buildOn(otherSocket, changed, "nocache=0&cachefrom=" + enc("[\"cachefrom/app:1\"]"), Map.of());
            assertEquals("", partly.error(), partly.output());
            assertEquals(0, partly.output().split(" ---> Using cache", -1).length - 1, partly.output());
            Built missing = buildOn(otherSocket, context, "cachefrom=" + enc("[\"nowhere/none:1\"]"), Map.of());
            assertTrue(missing.output().contains("--cache-from nowhere/none:1: no such image here"), missing.output());
        } finally {
            if (other != null) {
                other.stop("test finished");
            }
            TestDaemons.deleteTree(otherRoot);
        }
        assertEquals(firstRun, runIn(original.imageId(), "cat /built-once"));
    }
}
