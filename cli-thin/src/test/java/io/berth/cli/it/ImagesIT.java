package io.berth.cli.it;

import io.berth.text.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image commands end to end: the installed CLI and daemon ({@code target/dist}, private root and socket)
 * against a real registry (CNCF Distribution on loopback) holding a busybox image built by the test, with
 * skopeo as the independent reader of what berth pushes. The tests run in order and share the daemon: pull,
 * pull again, tag and push, save and load, events, rmi.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImagesIT {
    private Path tmp;
    private BerthDist berth;
    private LocalRegistry registry;
    private String host;
    private Path root;
    private Map<String, String> env;
    private String image;
    private String registryDigest;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("berth-images-it");
        berth = BerthDist.get();
        registry = LocalRegistry.start(Files.createDirectories(tmp.resolve("registry")));
        Path layout = LocalRegistry.busyboxLayout(Files.createDirectories(tmp.resolve("image")));
        registry.push(layout, "busybox:1");
        registryDigest = Json.text(Json.parse(registry.inspect("busybox:1")), "Digest");
        assertTrue(registryDigest.startsWith("sha256:"), registryDigest);
        image = registry.host() + "/busybox:1";
        root = tmp.resolve("root");
        host = "unix://" + tmp.resolve("berth.sock");
        // A Docker config directory of the test's own, so the user's logins are neither read nor changed.
        env = Map.of("DOCKER_CONFIG", tmp.resolve("docker-config").toString());
    }

    @AfterAll
    void stop() throws Exception {
        BerthDist.stopDaemon(root.resolve("berth.pid"));
        if (registry != null) {
            registry.close();
        }
        try (var walk = Files.walk(tmp)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private BerthDist.Result berth(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-H", host, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(env, null, 180, all.toArray(String[]::new));
    }

    /** The image's ID from {@code image inspect}, which prints a JSON array, as Docker's does. */
    private String inspectedId() throws Exception {
        return Json.text(((List<?>) Json.parse(berth("image", "inspect", image).out())).getFirst(), "Id");
    }

    private static String describe(BerthDist.Result r) {
        return "exit " + r.exitCode() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err();
    }

    @Test
    @Order(1)
    void givenImageInRegistry_whenPulled_thenProgressIsShownAndImagesListsItWithTheRegistryDigest() throws Exception {
        BerthDist.Result pull = berth("pull", image);
        assertEquals(0, pull.exitCode(), describe(pull));
        List<String> lines = pull.lines();
        // Not a terminal: plain lines, Docker's messages, then the full reference.
        assertEquals("1: Pulling from busybox", lines.getFirst().replace(registry.host() + "/", ""), pull.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("[0-9a-f]{12}: Pull complete")), pull.out());
        assertTrue(lines.contains("Digest: " + registryDigest), pull.out());
        assertTrue(lines.contains("Status: Downloaded newer image for " + image), pull.out());
        assertEquals(image, lines.getLast());
        assertFalse(pull.out().contains("\u001b["), "no cursor movement when stdout is not a terminal");

        BerthDist.Result images = berth("images", "--digests");
        assertEquals(0, images.exitCode(), describe(images));
        assertEquals(List.of("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"),
                List.of(images.lines().getFirst().split("\\s{2,}")));
        String row = images.lines().stream().filter(l -> l.startsWith(registry.host() + "/busybox ")).findFirst()
                .orElseThrow(() -> new AssertionError("no busybox row:\n" + images.out()));
        List<String> cells = List.of(row.split("\\s{2,}"));
        assertEquals("1", cells.get(1), row);
        assertEquals(registryDigest, cells.get(2), row);
        assertTrue(cells.get(3).matches("[0-9a-f]{12}"), row);
        assertTrue(cells.get(4).endsWith(" ago"), row);
        assertTrue(cells.get(5).matches("[0-9.]+[kMG]?B"), row);

        BerthDist.Result json = berth("images", "--format", "json");
        assertEquals(0, json.exitCode(), describe(json));
        Object first = Json.parse(json.lines().getFirst());
        assertEquals(registry.host() + "/busybox", Json.text(first, "Repository"));
        assertEquals("1", Json.text(first, "Tag"));
    }

    @Test
    @Order(2)
    void givenImagePulled_whenPulledAgain_thenImageIsUpToDate() throws Exception {
        BerthDist.Result pull = berth("pull", image);
        assertEquals(0, pull.exitCode(), describe(pull));
        assertTrue(pull.lines().contains("Status: Image is up to date for " + image), pull.out());
        assertFalse(pull.out().contains("Pull complete"), pull.out());

        BerthDist.Result quiet = berth("pull", "-q", image);
        assertEquals(0, quiet.exitCode(), describe(quiet));
        assertEquals(image + "\n", quiet.out());
    }

    @Test
    @Order(3)
    void givenImagePulled_whenTaggedAndPushedToAnotherRepository_thenSkopeoReadsTheSameImage() throws Exception {
        String target = registry.host() + "/copies/busybox:pushed";
        BerthDist.Result tag = berth("tag", image, target);
        assertEquals(0, tag.exitCode(), describe(tag));
        assertEquals("", tag.out());

        BerthDist.Result push = berth("push", target);
        assertEquals(0, push.exitCode(), describe(push));
        assertTrue(push.lines().getFirst().startsWith("The push refers to repository [" + registry.host()
                + "/copies/busybox]"), push.out());
        String last = push.lines().getLast();
        assertTrue(last.matches("pushed: digest: sha256:[0-9a-f]{64} size: \\d+"), push.out());
        String pushedDigest = last.split(" ")[2];

        Object pushed = Json.parse(registry.inspect("copies/busybox:pushed"));
        assertEquals(pushedDigest, Json.text(pushed, "Digest"));
        Object original = Json.parse(registry.inspect("busybox:1"));
        assertEquals(Json.list(original, "Layers"), Json.list(pushed, "Layers"), "the same layers");
        assertEquals(registryDigest, pushedDigest, "pushing an unchanged pulled image keeps its manifest");
    }

    @Test
    @Order(4)
    void givenImagePulled_whenSavedRemovedAndLoaded_thenItIsBackWithTheSameId() throws Exception {
        String id = inspectedId();
        assertTrue(id.startsWith("sha256:"), id);
        Path archive = tmp.resolve("busybox.tar");
        BerthDist.Result save = berth("save", "-o", archive.toString(), image);
        assertEquals(0, save.exitCode(), describe(save));
        assertTrue(Files.size(archive) > 100_000, "the archive holds the layer");

        BerthDist.Result rmi = berth("rmi", "-f", image, registry.host() + "/copies/busybox:pushed");
        assertEquals(0, rmi.exitCode(), describe(rmi));
        assertTrue(rmi.lines().contains("Untagged: " + image), rmi.out());
        assertTrue(rmi.lines().contains("Deleted: " + id), rmi.out());
        BerthDist.Result gone = berth("image", "inspect", image);
        assertEquals(1, gone.exitCode(), describe(gone));
        assertEquals("[]\n", gone.out());

        BerthDist.Result load = berth.run(env, archive, 180, "-H", host, "--root", root.toString(), "load");
        assertEquals(0, load.exitCode(), describe(load));
        assertTrue(load.lines().contains("Loaded image: " + image), load.out());
        String loadedId = inspectedId();
        assertEquals(id, loadedId);
    }

    @Test
    @Order(5)
    void givenPullHappened_whenImageEventsAreListed_thenThePullsEventsNameTheCaller() throws Exception {
        BerthDist.Result events = berth("events", "--since", "0", "--filter", "type=image", "--format", "json");
        assertEquals(0, events.exitCode(), describe(events));
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        List<String> types = new ArrayList<>();
        for (String line : events.lines()) {
            Object envelope = Json.parse(line);
            types.add(Json.text(envelope, "type"));
            assertEquals(Long.toString(uid), Json.text(envelope, "actor", "uid"), line);
        }
        assertTrue(types.contains("PullStarted"), types.toString());
        assertTrue(types.contains("ImagePulled"), types.toString());
    }

    @Test
    @Order(6)
    void givenNoSuchImage_whenRemovedOrInspected_thenErrorResponseAndExit1() throws Exception {
        BerthDist.Result rmi = berth("rmi", "nosuch:never");
        assertEquals(1, rmi.exitCode(), describe(rmi));
        assertTrue(rmi.err().startsWith("Error response from daemon: "), rmi.err());

        BerthDist.Result pull = berth("pull", registry.host() + "/nosuch:never");
        assertEquals(1, pull.exitCode(), describe(pull));
        assertFalse(pull.err().isBlank(), "the stream's error is printed");
    }
}
