package io.berth.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.Platform;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Skopeo;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Images end to end on a real daemon (real plugins: the OCI registry client, overlayfs) against a
 * real registry (Distribution on loopback), cross-checked with skopeo.
 */
class ImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Path secondRoot;
    private static Daemon daemon;
    private static Daemon second;
    private static TestImages.TestImage busybox;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        busybox = TestImages.busybox(TestImages.Format.OCI);
        registry.push(busybox, "images/busybox", "1");
        root = Files.createTempDirectory("berth-image-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
    }

    @AfterAll
    static void stop() throws IOException {
        for (Daemon d : new Daemon[] {daemon, second}) {
            if (d != null) {
                d.stop("test finished");
            }
        }
        for (Path r : new Path[] {root, secondRoot}) {
            if (r != null) {
                TestDaemons.deleteTree(r);
            }
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static Path socket() {
        return root.resolve("berth.sock");
    }

    private static List<JsonNode> pull(Path socket, String image, String tag) throws IOException {
        UnixHttp.Response response = UnixHttp.post(socket, "/v1.43/images/create?fromImage=" + enc(image) + "&tag=" + enc(tag), "");
        assertEquals(200, response.status(), response.body());
        return lines(response.body());
    }

    private static List<JsonNode> lines(String body) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode images(Path socket) throws IOException {
        return JSON.readTree(UnixHttp.get(socket, "/images/json").body());
    }

    private static String statuses(List<JsonNode> messages) {
        StringBuilder all = new StringBuilder();
        messages.forEach(m -> all.append(m.path("status").asText(m.path("error").asText(""))).append('\n'));
        return all.toString();
    }

    @Test
    void givenAnImageInARegistryWhenPulledThenItIsListedWithTheRegistrysDigestAndAgainIsUpToDate() throws IOException {
        String name = registry.host() + "/images/busybox";
        List<JsonNode> first = pull(socket(), name, "1");
        String log = statuses(first);
        assertTrue(log.contains("Pull complete"), log);
        assertTrue(log.contains("Status: Downloaded newer image for " + name + ":1"), log);
        assertTrue(first.stream().noneMatch(m -> m.has("error")), log);

        JsonNode listed = null;
        for (JsonNode image : images(socket())) {
            if (image.path("RepoTags").toString().contains(name + ":1")) {
                listed = image;
            }
        }
        assertTrue(listed != null, "images lists the pulled image: " + images(socket()));
        assertEquals(busybox.config().digest(), listed.get("Id").asText());
        assertEquals(name + "@" + busybox.digest(), listed.get("RepoDigests").get(0).asText());

        List<JsonNode> again = pull(socket(), name, "1");
        assertTrue(statuses(again).contains("Status: Image is up to date for " + name + ":1"), statuses(again));

        JsonNode inspect = JSON.readTree(UnixHttp.get(socket(), "/images/" + name + ":1/json").body());
        assertEquals(busybox.config().digest(), inspect.get("Id").asText());
        assertEquals(busybox.diffIds().get(0), inspect.get("RootFS").get("Layers").get(0).asText());
    }

    @Test
    void givenAPulledImageWhenTaggedAndPushedElsewhereThenSkopeoReadsTheSameDigestAndNoLayerIsUploaded() throws Exception {
        String name = registry.host() + "/images/busybox";
        pull(socket(), name, "1");
        String target = registry.host() + "/copies/busybox";
        assertEquals(201, UnixHttp.post(socket(), "/images/" + name + ":1/tag?repo=" + enc(target) + "&tag=2", "").status());
        int uploadsBefore = uploads();
        UnixHttp.Response push = UnixHttp.post(socket(), "/images/" + target + "/push?tag=2", "");
        String log = statuses(lines(push.body()));
        assertFalse(log.contains("error"), log);
        assertTrue(log.contains("digest: " + busybox.digest()), log);
        assertEquals(uploadsBefore, uploads(), "every blob was mounted or already there: nothing uploaded");
        String skopeo = Skopeo.inspectDigest(new ImageReference(registry.host(), "copies/busybox", "2", null), Credentials.anonymous());
        assertEquals(busybox.digest(), skopeo);
    }

    private static int uploads() {
        return (int) registry.requests().stream().filter(r -> r.method().equals("PATCH")
                || (r.method().equals("PUT") && r.uri().contains("/blobs/uploads/"))).count();
    }

    @Test
    void givenAnIndexThenTheHostPlatformIsPulled() throws Exception {
        TestImages.TestImage other = TestImages.fake(new Platform("linux", "arm64", "v8"));
        TestImages.TestImage host = TestImages.fake(TestImages.hostPlatform());
        registry.push(TestImages.index(other, host), "images/multi", "1");
        String log = statuses(pull(socket(), registry.host() + "/images/multi", "1"));
        assertTrue(log.contains("Downloaded newer image"), log);
        JsonNode inspect = JSON.readTree(UnixHttp.get(socket(), "/images/" + registry.host() + "/images/multi:1/json").body());
        assertEquals(host.config().digest(), inspect.get("Id").asText());
    }

    @Test
    void givenAZstdLayerThenItIsPulledAndUnpacked() throws Exception {
        byte[] tar = io.berth.spi.tck.fixtures.Tar.create().file("zstd.txt", 0644,
                "a layer only the zstd test has".getBytes(StandardCharsets.UTF_8)).toBytes();
        TestImages.TestImage zstd = TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(), TestImages.Compression.ZSTD,
                List.of(tar), "");
        registry.push(zstd, "images/zstd", "1");
        String log = statuses(pull(socket(), registry.host() + "/images/zstd", "1"));
        assertTrue(log.contains("Pull complete"), log);
        JsonNode inspect = JSON.readTree(UnixHttp.get(socket(), "/images/" + registry.host() + "/images/zstd:1/json").body());
        assertEquals(zstd.diffIds().get(0), inspect.get("RootFS").get("Layers").get(0).asText(), "the zstd layer's diff id was checked");
    }

    @Test
    void givenATamperedLayerThenThePullFailsNamingTheBlobAndNoImageAppears() throws Exception {
        byte[] tar = io.berth.spi.tck.fixtures.Tar.create().file("only-here.txt", 0644,
                "a layer no other test pulls".getBytes(StandardCharsets.UTF_8)).toBytes();
        TestImages.TestImage image = TestImages.image(TestImages.Format.DOCKER, TestImages.hostPlatform(),
                TestImages.Compression.GZIP, List.of(tar), "");
        registry.push(image, "images/tampered", "1");
        String layer = image.layers().get(0).digest();
        registry.replaceStoredContent(layer, "not the layer".getBytes(StandardCharsets.UTF_8));
        List<JsonNode> messages = pull(socket(), registry.host() + "/images/tampered", "1");
        JsonNode error = messages.getLast();
        assertTrue(error.has("error"), statuses(messages));
        assertTrue(error.get("error").asText().contains(layer), error.toString());
        assertFalse(images(socket()).toString().contains("images/tampered"));
        String events = UnixHttp.get(socket(), "/berth/events?since=0&filters=" + enc("{\"event\":[\"PullFailed\"]}")).body();
        assertTrue(events.contains("images/tampered"), events);
    }

    @Test
    void givenAMissingTagThenThePullFailsWithNotFound() throws Exception {
        List<JsonNode> messages = pull(socket(), registry.host() + "/images/busybox", "no-such-tag");
        assertTrue(messages.getLast().has("error"), statuses(messages));
        UnixHttp.Response bad = UnixHttp.post(socket(), "/images/create?fromImage=" + enc("UPPER/Case!!"), "");
        assertEquals(400, bad.status(), bad.body());
    }

    @Test
    void givenAnImageWhenSavedAndLoadedIntoAnotherDaemonThenItKeepsItsIdDigestAndTag() throws Exception {
        String name = registry.host() + "/images/busybox";
        pull(socket(), name, "1");
        UnixHttp.Response saved = UnixHttp.get(socket(), "/images/get?names=" + enc(name + ":1"));
        assertEquals(200, saved.status());
        secondRoot = Files.createTempDirectory("berth-image-it-2");
        Path plugins = secondRoot.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        second = new Daemon(TestDaemons.options(secondRoot, plugins));
        second.start();
        UnixHttp.Response loaded = UnixHttp.send(secondRoot.resolve("berth.sock"), "POST", "/images/load", saved.bytes(),
                "application/x-tar", Map.of());
        assertTrue(loaded.body().contains("Loaded image: " + name + ":1"), loaded.body());
        JsonNode inspect = JSON.readTree(UnixHttp.get(secondRoot.resolve("berth.sock"), "/images/" + name + ":1/json").body());
        assertEquals(busybox.config().digest(), inspect.get("Id").asText());
        assertEquals(busybox.digest(), inspect.get("Berth").get("ManifestDigest").asText());
    }

    @Test
    void givenAReferenceFilter_thenOnlyImagesWithAMatchingReferenceAreListedWithThoseReferences() throws Exception {
        String name = registry.host() + "/images/busybox";
        pull(socket(), name, "1");
        assertEquals(201, UnixHttp.post(socket(), "/images/" + name + ":1/tag?repo=reffilter/app&tag=v2", "").status());
        try {
            JsonNode byName = JSON.readTree(UnixHttp.get(socket(), "/images/json?filters=" + enc("{\"reference\":[\"reffilter/app\"]}")).body());
            assertEquals(1, byName.size(), byName.toString());
            assertEquals("[\"reffilter/app:v2\"]", byName.get(0).get("RepoTags").toString(), "only the matching tags are shown");
            JsonNode byGlob = JSON.readTree(UnixHttp.get(socket(), "/images/json?filters=" + enc("{\"reference\":[\"reffilter/*:v?\"]}")).body());
            assertEquals(1, byGlob.size(), byGlob.toString());
            JsonNode wrongTag = JSON.readTree(UnixHttp.get(socket(), "/images/json?filters=" + enc("{\"reference\":[\"reffilter/app:v3\"]}")).body());
            assertEquals(0, wrongTag.size(), wrongTag.toString());
            UnixHttp.Response unknown = UnixHttp.get(socket(), "/images/json?filters=" + enc("{\"colour\":[\"red\"]}"));
            assertEquals(400, unknown.status());
            assertEquals("invalid filter 'colour'", JSON.readTree(unknown.body()).get("message").asText());
        } finally {
            UnixHttp.send(socket(), "DELETE", "/images/reffilter/app:v2", null);
        }
    }

    @Test
    void givenATagOnTwoImagesWhenRemovedThenRmiUntagsFirstAndDeletesLastAndGcFreesBlobs() throws Exception {
        String name = registry.host() + "/images/busybox";
        pull(socket(), name, "1");
        assertEquals(201, UnixHttp.post(socket(), "/images/" + name + ":1/tag?repo=extra&tag=x", "").status());
        JsonNode untag = JSON.readTree(UnixHttp.send(socket(), "DELETE", "/images/extra:x", null).body());
        assertEquals("extra:x", untag.get(0).get("Untagged").asText());
        assertEquals(1, untag.size(), "only untagged: the image keeps another tag");
        UnixHttp.Response missing = UnixHttp.send(socket(), "DELETE", "/images/nothing-like-this:7", null);
        assertEquals(404, missing.status());
        assertEquals("No such image: nothing-like-this:7", JSON.readTree(missing.body()).get("message").asText());
        String events = UnixHttp.get(socket(), "/berth/events?since=0&filters=" + enc("{\"type\":[\"image\"]}")).body();
        for (JsonNode event : lines(events)) {
            assertEquals(0, event.get("actor").get("uid").asInt(), "image events carry the caller's uid");
            assertEquals("claimed:berth-test/1", event.get("actor").get("client").asText());
        }
        assertTrue(events.contains("\"ImagePulled\"") && events.contains("\"ImageUntagged\""), events);
        JsonNode replay = JSON.readTree(UnixHttp.post(socket(), "/berth/system/replay", "").body());
        assertTrue(replay.get("Equal").asBoolean(), replay.toString());
    }

    @Test
    void givenNoImagesWhenPrunedAllThenUnreferencedBlobsAreRemoved() throws Exception {
        String name = registry.host() + "/images/prunable";
        byte[] tar = io.berth.spi.tck.fixtures.Tar.create().file("prunable.txt", 0644,
                "only the prune test uses this".getBytes(StandardCharsets.UTF_8)).toBytes();
        registry.push(TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(), TestImages.Compression.GZIP,
                List.of(tar), ""), "images/prunable", "1");
        pull(socket(), name, "1");
        int blobsBefore = daemon.images().content().list().size();
        JsonNode removed = JSON.readTree(UnixHttp.send(socket(), "DELETE", "/images/" + name + ":1", null).body());
        assertTrue(removed.toString().contains("Deleted"), removed.toString());
        JsonNode pruned = JSON.readTree(UnixHttp.post(socket(), "/images/prune", "").body());
        assertTrue(pruned.get("SpaceReclaimed").asLong() > 0, pruned.toString());
        assertNotEquals(blobsBefore, daemon.images().content().list().size());
    }
}
