package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.Digests;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Tar;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Builds end to end on a real daemon: RUN in real runc containers under conmon on overlayfs
 * snapshots, a busybox base pulled from a real registry, a loopback HTTP server for ADD URLs. Every
 * test asserts what the image holds (config, files seen from a container), the build record and
 * the events. Nothing is left mounted afterwards (checked in {@link #stop}).
 */
class BuildIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static String base;
    private static HttpServer http;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        byte[] etc = Tar.create().directory("etc")
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n".getBytes(StandardCharsets.UTF_8))
                .file("etc/group", 0644, "root:x:0:\napp:x:1000:\nstaff:x:50:\n".getBytes(StandardCharsets.UTF_8))
                .directory("tmp")
                .toBytes();
        TestImages.TestImage busybox = TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(),
                TestImages.Compression.GZIP, List.of(TestImages.busyboxTar(), etc), "");
        registry.push(busybox, "build/busybox", "1");
        base = registry.host() + "/build/busybox:1";
        root = Files.createTempDirectory("berth-build-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/files/hello.txt", exchange -> {
            byte[] body = "hello over http\n".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (JsonNode c : JSON.readTree(UnixHttp.get(socket(), "/containers/json?all=1").body())) {
            UnixHttp.send(socket(), "DELETE", "/containers/" + c.get("Id").asText() + "?force=1&v=1", null);
        }
        if (http != null) {
            http.stop(0);
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
    record Built(String output, String imageId, String buildId, String error) {
        JsonNode record() throws IOException {
            return JSON.readTree(UnixHttp.get(socket(), "/berth/builds/" + buildId).body());
        }

        JsonNode step(int n) throws IOException {
            for (JsonNode s : record().get("steps")) {
                if (s.get("step").asInt() == n) {
                    return s;
                }
            }
            throw new AssertionError("no step " + n + " in " + record());
        }
    }

    private static Built build(Map<String, byte[]> files, String query) throws IOException {
        Tar tar = Tar.create();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            tar.file(f.getKey(), f.getKey().endsWith(".sh") ? 0755 : 0644, f.getValue());
        }
        return buildTar(tar.toBytes(), query);
    }

    private static Built buildTar(byte[] tar, String query) throws IOException {
        UnixHttp.Response r = UnixHttp.send(socket(), "POST", "/build" + (query.isEmpty() ? "" : "?" + query), tar,
                "application/x-tar", Map.of());
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
                assertEquals(error, m.path("errorDetail").path("message").asText());
            }
        }
        return new Built(output.toString(), image, buildId, error);
    }

    private static Map<String, byte[]> files(String... namesAndContents) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            files.put(namesAndContents[i], namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    private static Built ok(Built built) {
        assertEquals("", built.error(), built.output());
        assertTrue(built.imageId().startsWith("sha256:"), built.output());
        return built;
    }

    private static JsonNode inspectImage(String id) throws IOException {
        return JSON.readTree(UnixHttp.get(socket(), "/images/" + id + "/json").body());
    }

    /** Runs {@code sh -c script} in the image; its output (stdout and stderr). */
    private static String runIn(String image, String script) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Image", image);
        body.put("User", "0");
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

    private static byte[] gzipTar(Tar tar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(tar.toBytes());
        }
        return out.toByteArray();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void givenEveryInstructionThenTheImageConfigFilesAndHistoryAreDockers() throws Exception {
        Tar assets = Tar.create().directory("css").file("css/site.css", 0644, "body{}\n".getBytes(StandardCharsets.UTF_8))
                .file("logo.txt", 0600, "logo\n".getBytes(StandardCharsets.UTF_8));
        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/files/hello.txt";
        String dockerfile = """
                ARG BASE=%s
                FROM ${BASE}
                LABEL a.b="one two" c=$BASE_LABEL
                MAINTAINER someone <x@example.invalid>
                ARG WHO=world
                ENV GREETING="hello ${WHO}" PLAIN=plain
                ENV LEGACY value with spaces
                WORKDIR /srv
                WORKDIR app
                COPY --chown=app:staff --chmod=0640 conf/app.conf conf/
                COPY conf/ /etc/demo/
                COPY *.txt ./texts/
                COPY <<EOF /srv/app/quoted.txt
                say "hi $WHO" 'as is'
                EOF
                ADD assets.tar.gz /srv/assets/
                ADD %s /srv/downloaded/
                RUN echo "$GREETING from $(pwd) as $(id -u)" > /srv/app/said.txt && echo "proxy=$HTTP_PROXY" >> /srv/app/said.txt
                SHELL ["/bin/sh", "-e", "-c"]
                RUN echo shell-form > /srv/app/shell.txt
                RUN ["/bin/sh", "-c", "echo exec-form > /srv/app/exec.txt"]
                RUN <<EOT
                echo heredoc line 1 > /srv/app/heredoc.txt
                echo heredoc line 2 >> /srv/app/heredoc.txt
                EOT
                EXPOSE 80 443/tcp 7000-7001/udp
                VOLUME ["/data", "/logs"]
                USER app:staff
                STOPSIGNAL SIGINT
                HEALTHCHECK --interval=5s --timeout=2s --start-period=1m --retries=4 CMD ["true"]
                ONBUILD RUN echo child
                ENTRYPOINT ["/bin/sh", "-c"]
                CMD ["echo default"]
                """.formatted(base, url);
        Map<String, byte[]> context = files("Dockerfile", dockerfile, "conf/app.conf", "port=1\n", "one.txt", "1\n", "two.txt", "2\n");
        context.put("assets.tar.gz", gzipTar(assets));
        Built built = ok(build(context, "t=every:1&buildargs=" + enc("{\"WHO\":\"berth\",\"HTTP_PROXY\":\"http://proxy.invalid:3128\"}")));

        JsonNode image = inspectImage(built.imageId());
        JsonNode config = image.get("Config");
        assertEquals(List.of("every:1"), strings(image.get("RepoTags")));
        assertEquals("someone <x@example.invalid>", image.get("Author").asText());
        List<String> env = strings(config.get("Env"));
        assertTrue(env.contains("GREETING=hello berth"), env.toString());
        assertTrue(env.contains("PLAIN=plain") && env.contains("LEGACY=value with spaces"), env.toString());
        assertTrue(env.stream().noneMatch(e -> e.startsWith("HTTP_PROXY") || e.startsWith("WHO")), "args are not in the config: " + env);
        assertEquals("/srv/app", config.get("WorkingDir").asText());
        assertEquals("app:staff", config.get("User").asText());
        assertEquals(List.of("/bin/sh", "-c"), strings(config.get("Entrypoint")));
        assertEquals(List.of("echo default"), strings(config.get("Cmd")));
        assertEquals(List.of("443/tcp", "7000/udp", "7001/udp", "80/tcp"), iterable(config.get("ExposedPorts")));
        assertEquals(List.of("/data", "/logs"), iterable(config.get("Volumes")));
        assertEquals("one two", config.get("Labels").get("a.b").asText());
        assertEquals("", config.get("Labels").get("c").asText(), "an unset variable expands to nothing");
        assertEquals("SIGINT", config.get("StopSignal").asText());
        JsonNode health = config.get("Healthcheck");
        assertEquals(List.of("CMD", "true"), strings(health.get("Test")));
        assertEquals(5_000_000_000L, health.get("Interval").asLong());
        assertEquals(2_000_000_000L, health.get("Timeout").asLong());
        assertEquals(60_000_000_000L, health.get("StartPeriod").asLong());
        assertEquals(4, health.get("Retries").asInt());
        assertEquals(List.of("RUN echo child"), strings(config.get("OnBuild")));
        assertEquals(List.of("/bin/sh", "-e", "-c"), strings(config.get("Shell")));

        // one history row per instruction after FROM, layers only for COPY/ADD/RUN and a WORKDIR that makes its directory
        JsonNode history = JSON.readTree(UnixHttp.get(socket(), "/images/" + built.imageId() + "/history").body());
        JsonNode baseConfig = JSON.readTree(Files.readAllBytes(root.resolve("content/blobs/sha256/"
                + Digests.hex(inspectImage(base).get("Id").asText()))));
        assertEquals(26 + baseConfig.path("history").size(), history.size(), history.toString());
        JsonNode blob = JSON.readTree(Files.readAllBytes(root.resolve("content/blobs/sha256/" + Digests.hex(built.imageId()))));
        int layers = 0;
        for (int i = baseConfig.path("history").size(); i < blob.get("history").size(); i++) {
            if (!blob.get("history").get(i).path("empty_layer").asBoolean(false)) {
                layers++;
            }
        }
        assertEquals(12, layers, "6 COPY/ADD, 4 RUN and 2 WORKDIR layers (a WORKDIR that makes its directory has one, as in Docker)");
        assertEquals(baseConfig.get("rootfs").get("diff_ids").size() + 12, blob.get("rootfs").get("diff_ids").size());
        assertEquals("1970-01-01T00:00:00Z", blob.get("created").asText(), "the default epoch dates the image");
        String history0 = blob.get("history").toString();
        assertFalse(history0.contains("proxy.invalid"), "proxy build-args stay out of the history: " + history0);

        String seen = runIn(built.imageId(), """
                cat /srv/app/said.txt /srv/app/shell.txt /srv/app/exec.txt /srv/app/heredoc.txt /srv/app/quoted.txt
                stat -c '%n %u:%g %a' /srv/app/conf/app.conf /etc/demo/app.conf /srv/app/texts/one.txt /srv/downloaded/hello.txt
                cat /srv/app/texts/two.txt /srv/assets/css/site.css /srv/downloaded/hello.txt
                stat -c '%n %a' /srv/assets/logo.txt
                date -u -r /srv/downloaded/hello.txt +%Y
                """);
        assertEquals("""
                hello berth from /srv/app as 0
                proxy=http://proxy.invalid:3128
                shell-form
                exec-form
                heredoc line 1
                heredoc line 2
                say "hi berth" 'as is'
                /srv/app/conf/app.conf 1000:50 640
                /etc/demo/app.conf 0:0 644
                /srv/app/texts/one.txt 0:0 644
                /srv/downloaded/hello.txt 0:0 600
                2
                body{}
                hello over http
                /srv/assets/logo.txt 600
                1970
                """, seen);
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }

    @Test
    void givenATargetThenOnlyTheStagesItNeedsAreBuilt() throws Exception {
        String dockerfile = """
                FROM %s AS never
                RUN echo never-built && exit 3
                FROM %s AS first
                RUN echo first > /first.txt
                FROM scratch AS parts
                COPY part.txt /
                FROM first AS wanted
                COPY --from=parts /part.txt /from-parts.txt
                COPY --from=1 /first.txt /copied-first.txt
                RUN cat /first.txt /from-parts.txt /copied-first.txt > /all.txt
                FROM %s AS after
                RUN exit 4
                """.formatted(base, base, base);
        Built built = ok(build(files("Dockerfile", dockerfile, "part.txt", "part\n"), "target=wanted"));
        assertFalse(built.output().contains("never-built"), built.output());
        assertEquals("first\npart\nfirst\n", runIn(built.imageId(), "cat /all.txt"));
        List<String> stages = new ArrayList<>();
        for (JsonNode step : built.record().get("steps")) {
            stages.add(step.get("stage").asText());
        }
        assertFalse(stages.contains("never") || stages.contains("after"), "skipped stages have no steps: " + stages);

        Built unknown = build(files("Dockerfile", "FROM " + base + "\nCOPY --from=nosuchstage /x /x\n"), "");
        assertTrue(unknown.error().startsWith("Dockerfile:2: "), unknown.error());
        assertTrue(unknown.error().contains("no stage or image named nosuchstage"), unknown.error());
        Built badTarget = build(files("Dockerfile", "FROM " + base + " AS a\n"), "target=b");
        assertEquals("failed to reach build target b in Dockerfile", badTarget.error());
        Built cycle = build(files("Dockerfile", "FROM " + base + " AS a\nCOPY --from=b /etc/passwd /x\nFROM " + base
                + " AS b\nCOPY --from=a /etc/passwd /y\n"), "");
        // a stage may use only the stages before it (as Docker's builder), so a cycle is refused at its first forward edge
        assertEquals("Dockerfile:2: COPY --from=b: stage b is not defined before this stage", cycle.error());
        assertFalse(cycle.error().contains("\n"), "one line: " + cycle.error());
    }

    @Test
    void givenABaseWithOnbuildTriggersThenTheyRunFirstInTheChild() throws Exception {
        Built parent = ok(build(files("Dockerfile", "FROM " + base + "\nONBUILD COPY marker.txt /marker.txt\nONBUILD RUN echo triggered > /trigger.txt\n",
                "marker.txt", "parent\n"), "t=onbuild-parent"));
        assertEquals(2, inspectImage(parent.imageId()).get("Config").get("OnBuild").size());
        Built child = ok(build(files("Dockerfile", "FROM onbuild-parent\nRUN cat /marker.txt /trigger.txt > /both.txt\n",
                "marker.txt", "child context\n"), ""));
        assertTrue(child.output().contains("# Executing 2 build triggers"), child.output());
        assertEquals("child context\ntriggered\n", runIn(child.imageId(), "cat /both.txt"));
        assertTrue(inspectImage(child.imageId()).get("Config").path("OnBuild").isMissingNode()
                || inspectImage(child.imageId()).get("Config").path("OnBuild").isEmpty(), "triggers are not inherited");
    }

    @Test
    void givenARebuildThenTheCacheIsUsedAndEachMissSaysWhy() throws Exception {
        String dockerfile = "FROM " + base + "\nARG FLAVOUR=plain\nCOPY a.txt b.txt /in/\nRUN cat /in/a.txt /in/b.txt > /out.txt && echo $FLAVOUR >> /out.txt\nCMD [\"cat\", \"/out.txt\"]\n";
        Built first = ok(build(files("Dockerfile", dockerfile, "a.txt", "a\n", "b.txt", "b\n"), ""));
        Built again = ok(build(files("Dockerfile", dockerfile, "a.txt", "a\n", "b.txt", "b\n"), ""));
        assertEquals(first.imageId(), again.imageId());
        assertEquals(4, again.output().split(" ---> Using cache", -1).length - 1, again.output());
        JsonNode cached = again.step(4);
        assertEquals("cached", cached.get("decision").asText());
        assertEquals(first.buildId(), cached.get("fromBuild").asText());
        assertTrue(cached.get("reason").asText().contains("build " + first.buildId().substring(0, 12) + " step 4"), cached.toString());

        Built changedFile = ok(build(files("Dockerfile", dockerfile, "a.txt", "a\n", "b.txt", "B!\n"), ""));
        JsonNode copy = changedFile.step(3);
        assertEquals("built", copy.get("decision").asText());
        assertTrue(copy.get("reason").asText().startsWith("source changed: context:b.txt"), copy.toString());
        assertTrue(changedFile.step(4).get("reason").asText().startsWith("parent changed: step 3"), changedFile.step(4).toString());

        Built changedArg = ok(build(files("Dockerfile", dockerfile, "a.txt", "a\n", "b.txt", "b\n"), "buildargs=" + enc("{\"FLAVOUR\":\"spicy\"}")));
        assertEquals("cached", changedArg.step(2).get("decision").asText(), "an ARG step does not depend on the value given");
        assertEquals("cached", changedArg.step(3).get("decision").asText());
        assertTrue(changedArg.step(4).get("reason").asText().startsWith("build arg FLAVOUR changed: was 'plain', now 'spicy'"),
                changedArg.step(4).toString());

        Built noCache = ok(build(files("Dockerfile", dockerfile, "a.txt", "a\n", "b.txt", "b\n"), "nocache=1"));
        assertEquals("--no-cache", noCache.step(4).get("reason").asText());
        assertEquals(first.imageId(), noCache.imageId(), "a rebuild without cache gives the same image");

        Built changedRun = ok(build(files("Dockerfile", dockerfile.replace("echo $FLAVOUR", "echo flavour=$FLAVOUR"),
                "a.txt", "a\n", "b.txt", "b\n"), ""));
        assertTrue(changedRun.step(4).get("reason").asText().startsWith("instruction changed: was 'RUN /bin/sh -c cat"),
                changedRun.step(4).toString());
    }

    @Test
    void givenTwoBuildsWithoutCacheThenTheImageIdIsTheSameAndAReplayReproducesEveryLayer() throws Exception {
        String dockerfile = "FROM " + base + "\nCOPY data/ /data/\nRUN mkdir -p /gen && sort /data/words > /gen/sorted && rm /data/remove-me\nENV X=1\n";
        Map<String, byte[]> context = files("Dockerfile", dockerfile, "data/words", "b\na\n", "data/remove-me", "x\n");
        Built one = ok(build(context, "nocache=1"));
        Built two = ok(build(context, "nocache=1"));
        assertEquals(one.imageId(), two.imageId());
        Built dated = ok(build(context, "nocache=1&buildargs=" + enc("{\"SOURCE_DATE_EPOCH\":\"1700000000\"}")));
        assertNotEquals(one.imageId(), dated.imageId(), "SOURCE_DATE_EPOCH dates the image and clamps the layers");
        JsonNode datedConfig = JSON.readTree(Files.readAllBytes(root.resolve("content/blobs/sha256/" + Digests.hex(dated.imageId()))));
        assertEquals("2023-11-14T22:13:20Z", datedConfig.get("created").asText());

        UnixHttp.Response replay = UnixHttp.post(socket(), "/berth/builds/" + one.buildId() + "/replay", "");
        JsonNode result = null;
        for (String line : replay.body().split("\n")) {
            if (!line.isBlank() && JSON.readTree(line).path("aux").has("Replay")) {
                result = JSON.readTree(line).get("aux").get("Replay");
            }
        }
        assertTrue(result != null, replay.body());
        assertTrue(result.get("reproduced").asBoolean(), result.toString());
        assertEquals(one.imageId(), result.get("imageId").asText());
        int layerSteps = 0;
        for (JsonNode step : result.get("steps")) {
            assertTrue(step.get("reproduced").asBoolean(), step.toString());
            if (!step.get("recordedDiffId").asText().isEmpty()) {
                layerSteps++;
            }
        }
        assertEquals(2, layerSteps);
        JsonNode replayRecord = JSON.readTree(UnixHttp.get(socket(), "/berth/builds/" + result.get("replayBuild").asText()).body());
        assertEquals(one.buildId(), replayRecord.get("replayOf").asText());
        // the deleted file is a whiteout in the RUN layer: it is gone in the image
        assertEquals("a\nb\n-\n", runIn(one.imageId(), "cat /gen/sorted; ls /data/remove-me 2>/dev/null || echo -"));
    }

    @Test
    void givenBadInputThenTheBuildFailsWithALocatedErrorAndNoImage() throws Exception {
        int imagesBefore = JSON.readTree(UnixHttp.get(socket(), "/images/json").body()).size();

        Built syntax = build(files("Dockerfile", "FROM " + base + "\nRUNN echo\n"), "");
        assertTrue(syntax.error().startsWith("Dockerfile:2:"), syntax.error());
        assertTrue(syntax.error().toLowerCase().contains("unknown instruction"), syntax.error());

        Built outside = build(files("Dockerfile", "FROM " + base + "\nCOPY ../secret /x\n"), "");
        assertEquals("Dockerfile:2: forbidden path outside the build context: ../secret", outside.error());

        Built missing = build(files("Dockerfile", "FROM " + base + "\nCOPY nothere.txt /x\n"), "");
        assertTrue(missing.error().startsWith("Dockerfile:2: COPY failed: file not found in build context"), missing.error());

        Built failing = build(files("Dockerfile", "FROM " + base + "\nRUN echo first words && echo to stderr >&2 && exit 3\n"), "t=never-made");
        assertEquals("Dockerfile:2: The command '/bin/sh -c echo first words && echo to stderr >&2 && exit 3' returned a non-zero code: 3",
                failing.error());
        assertTrue(failing.output().contains("first words\n") && failing.output().contains("to stderr\n"), failing.output());
        JsonNode failedRecord = failing.record();
        assertEquals("failed", failedRecord.get("status").asText());
        JsonNode failedStep = failing.step(2);
        assertEquals(3, failedStep.get("exitCode").asInt());
        assertTrue(strings(failedStep.get("lastOutput")).containsAll(List.of("first words", "to stderr")), failedStep.toString());
        assertEquals(404, UnixHttp.get(socket(), "/images/never-made/json").status());

        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/files/hello.txt";
        Built mismatch = build(files("Dockerfile", "FROM " + base + "\nADD --checksum=sha256:" + "0".repeat(64) + " " + url + " /x\n"), "");
        assertTrue(mismatch.error().contains("checksum mismatch: expected sha256:" + "0".repeat(64)), mismatch.error());

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Built unreachable = build(files("Dockerfile", "FROM " + base + "\nADD http://127.0.0.1:" + closedPort + "/f.txt /x\n"), "");
        assertTrue(unreachable.error().startsWith("Dockerfile:2: ADD failed: cannot download http://127.0.0.1:" + closedPort + "/f.txt"),
                unreachable.error());

        Built many = build(files("Dockerfile", "FROM " + base + "\nCOPY a b /dest\n", "a", "a", "b", "b"), "");
        assertTrue(many.error().contains("the destination must be a directory and end with a /"), many.error());

        assertEquals(imagesBefore, JSON.readTree(UnixHttp.get(socket(), "/images/json").body()).size(), "no failed build left an image");
    }

    @Test
    void givenABuildThenItsEventsAreOnTheEventStreamWithTypeBuild() throws Exception {
        Built built = ok(build(files("Dockerfile", "FROM " + base + "\nRUN echo evented > /e.txt\n"), "t=evented"));
        String filters = enc("{\"type\":[\"build\"],\"build\":[\"" + built.buildId().substring(0, 12) + "\"]}");
        long now = System.currentTimeMillis() / 1000 + 1;
        UnixHttp.Response events = UnixHttp.get(socket(), "/events?since=0&until=" + now + "&filters=" + filters);
        List<String> types = new ArrayList<>();
        for (String line : events.body().split("\n")) {
            if (!line.isBlank()) {
                JsonNode e = JSON.readTree(line);
                assertEquals("build", e.get("Type").asText());
                assertEquals(built.buildId(), e.get("Actor").get("ID").asText());
                types.add(e.get("Actor").get("Attributes").get("berth.type").asText());
            }
        }
        assertEquals(List.of("BuildStarted", "BuildStepStarted", "BuildStepCompleted", "BuildStepStarted", "BuildStepCompleted",
                "BuildCompleted"), types);
        JsonNode record = built.record();
        assertEquals("completed", record.get("status").asText());
        assertEquals(built.imageId(), record.get("imageId").asText());
        assertFalse(record.get("user").asText().isEmpty());
        // garbage collection keeps what the record needs for audit and replay
        assertEquals(200, UnixHttp.post(socket(), "/images/prune", "").status());
        for (String blob : List.of(record.get("contextDigest").asText(), record.get("dockerfileDigest").asText(), record.get("logDigest").asText())) {
            assertTrue(Files.exists(root.resolve("content/blobs/sha256/" + Digests.hex(blob))), "kept: " + blob);
        }
        String logs = UnixHttp.get(socket(), "/berth/builds/" + built.buildId() + "/logs").body();
        assertTrue(logs.contains("Step 2/2 : RUN echo evented > /e.txt") && logs.contains("Successfully tagged evented:latest"), logs);
    }
}
