package io.berth.spi.tck;

import io.berth.spi.Digests;
import io.berth.spi.Probe;
import io.berth.spi.StorageDriver;
import io.berth.spi.storage.ChainIds;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.Mount;
import io.berth.spi.storage.Snapshot;
import io.berth.spi.storage.StorageException;
import io.berth.spi.storage.StorageException.Reason;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance kit for {@link StorageDriver}s. Extend it in one line:
 *
 * <pre>{@code
 * class MyDriverContractTest extends StorageDriverContract {
 *     @Override protected StorageDriver newExtension(PluginContext ctx) { return new MyDriver(); }
 * }
 * }</pre>
 *
 * <p>Drivers mount filesystems, so the kit runs as root on a host where the driver works; a check
 * whose driver reports itself unusable fails with the probe's summary. After every check the kit
 * insists no mount is left under the test's directory — and detaches any it finds, so that the
 * temporary directory can still be removed.
 *
 * <p>Layers are built in the checks with {@link LayerTar} (Commons Compress) and read back through
 * real mounts with {@link FileTree}. The hostile-tar checks build every escape the kit knows of and
 * insist on {@link Reason#HOSTILE_CONTENT} naming the entry and the layer, and that nothing at all
 * changed under the test's directory, in a sentinel directory the escapes aim at, or in
 * {@code /etc}. Device nodes are expected to be <em>accepted</em> inside a layer (Docker accepts
 * them) and refused anywhere else.
 */
public abstract class StorageDriverContract extends ExtensionContract<StorageDriver> {

    /**
     * The probe on this host, failing the check with the probe's summary if the driver is not
     * usable here.
     *
     * @return the probe
     */
    protected Probe requireUsable() {
        Probe probe = extension.probe();
        if (!probe.usable()) {
            fail("the " + extension.name() + " storage driver is not usable on this host, so the conformance kit cannot check it: "
                    + probe.summary());
        }
        return probe;
    }

    /** Fails the check if it left a mount behind, after detaching it. */
    @AfterEach
    void noMountIsLeftBehind() {
        List<Path> left = Mounts.detachAll(tempDir);
        if (!left.isEmpty()) {
            fail("mounts were left behind (now detached): " + left);
        }
    }

    @Test
    void givenThisHost_whenProbed_thenTheDriverIsUsable() {
        requireUsable();
    }

    @Test
    void givenAProbe_whenItsChecksAreRead_thenUsableMeansNoProblemAndEveryCheckSaysSomething() {
        Probe probe = extension.probe();
        assertEquals(probe.usable(), probe.problems().isEmpty(), "usable() and problems() must agree: " + probe);
        for (Probe.Check check : probe.checks()) {
            assertFalse(check.detail().isBlank(), "check " + check.name() + " must say what it found or what is wrong");
        }
    }

    @Test
    void givenAProbe_whenItReturns_thenNoMountRemainsUnderTheRoot() {
        extension.probe();
        assertEquals(List.of(), Mounts.under(context.rootDirectory()), "probe() must unmount what it mounted");
    }

    @Test
    void givenAProbe_whenProbedAgain_thenTheAnswerIsTheSameAndNoFileWasLeftBehind() throws IOException {
        Probe first = extension.probe();
        List<String> afterFirst = tree(context.dataDirectory());
        Probe second = extension.probe();
        assertEquals(first.usable(), second.usable(), "probing twice must give the same answer: " + first + " / " + second);
        assertEquals(afterFirst, tree(context.dataDirectory()), "probe() must remove what it created to check the host");
    }

    @Test
    void givenALayerThatWasNeverApplied_whenAskedIfPresent_thenNo() {
        String chainId = Digests.sha256("never applied".getBytes(StandardCharsets.UTF_8));
        assertFalse(extension.hasLayer(chainId), "hasLayer must be false for a layer that was never applied");
    }

    @Test
    void givenALayerThatWasNeverApplied_whenAskedIfPresentTwice_thenStillNoAndNothingWasCreated() throws IOException {
        List<String> before = tree(context.dataDirectory());
        String chainId = Digests.sha256("never applied".getBytes(StandardCharsets.UTF_8));
        extension.hasLayer(chainId);
        assertFalse(extension.hasLayer(chainId));
        assertEquals(before, tree(context.dataDirectory()), "hasLayer must not create anything");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"", "../../../etc", "sha256:../../etc/passwd", "sha256:ABCDEF",
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF",
            "md5:0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void givenAMalformedChainId_whenAskedIfPresent_thenIllegalArgumentNamesIt(String chainId) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> extension.hasLayer(chainId),
                "a chain id that is not sha256:<64 hex> must be refused before it touches the file system");
        assertTrue(e.getMessage().contains("\"" + chainId + "\""), "the message must quote the bad chain id: " + e.getMessage());
    }

    // ------------------------------------------------------------------ helpers for the checks below

    /**
     * Applies a layer tar on a parent chain, computing the chain id from the tar's bytes.
     *
     * @param parentChainId the parent, or {@code null}
     * @param tar           the layer
     * @return the new layer's chain id
     * @throws StorageException if the driver refuses it
     */
    protected String apply(String parentChainId, LayerTar tar) throws StorageException {
        String chainId = ChainIds.next(parentChainId, tar.diffId());
        LayerInfo info = extension.applyLayer(chainId, parentChainId, tar.stream());
        assertEquals(chainId, info.chainId(), "applyLayer must return the layer it applied");
        assertEquals(parentChainId, info.parentChainId(), "applyLayer must record the parent");
        return chainId;
    }

    /**
     * Prepares and mounts a snapshot, runs a check on its root, and removes the snapshot whatever
     * happened.
     *
     * @param key           the snapshot key
     * @param parentChainId the chain it sits on
     * @param check         what to do with the mounted root
     * @param <T>           what the check returns
     * @return what the check returned
     * @throws Exception if the check or the driver fails
     */
    protected <T> T mounted(String key, String parentChainId, RootCheck<T> check) throws Exception {
        extension.prepare(key, parentChainId);
        try {
            Mount mount = extension.mount(key);
            return check.on(mount.target());
        } finally {
            extension.removeSnapshot(key);
        }
    }

    /**
     * Something to do with a mounted root.
     *
     * @param <T> what it returns
     */
    @FunctionalInterface
    protected interface RootCheck<T> {
        /**
         * @param root the mounted root
         * @return anything
         * @throws Exception on failure
         */
        T on(Path root) throws Exception;
    }

    /** @return the merged tree a chain shows when mounted */
    private SortedMap<String, String> mergedTree(String chainId) throws Exception {
        return mounted("view-" + UUID.randomUUID(), chainId, FileTree::of);
    }

    private static SortedMap<String, String> expect(String... pathThenDescription) {
        SortedMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < pathThenDescription.length; i += 2) {
            m.put(pathThenDescription[i], pathThenDescription[i + 1]);
        }
        return m;
    }

    private static String sha(String content) {
        return Digests.sha256(content.getBytes(StandardCharsets.UTF_8));
    }

    private static LayerTar busyboxLike() {
        return LayerTar.create()
                .dir("bin").dir("etc").dir("tmp", 01777).dir("root", 0700)
                .file("bin/busybox", 0755, "\u007fELF pretend busybox")
                .symlink("bin/sh", "busybox").symlink("bin/ls", "busybox")
                .hardlink("bin/true", "bin/busybox")
                .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
                .file("etc/group", "root:x:0:\n");
    }

    // ------------------------------------------------------------------ applying and reading back

    @Test
    void givenABusyboxLikeLayer_whenAppliedAndMounted_thenEveryFileReadsBackThroughTheMount() throws Exception {
        requireUsable();
        LayerTar tar = busyboxLike();
        String chainId = apply(null, tar);
        assertTrue(extension.hasLayer(chainId));
        mounted("busybox", chainId, root -> {
            assertEquals("\u007fELF pretend busybox", Files.readString(root.resolve("bin/busybox")));
            assertEquals(Path.of("busybox"), Files.readSymbolicLink(root.resolve("bin/sh")));
            assertEquals("root:x:0:0:root:/root:/bin/sh\n", Files.readString(root.resolve("etc/passwd")));
            assertEquals("\u007fELF pretend busybox", Files.readString(root.resolve("bin/true")));
            SortedMap<String, String> tree = FileTree.of(root);
            assertEquals("d 1777 0:0", tree.get("tmp"));
            assertEquals("d 0700 0:0", tree.get("root"));
            assertEquals("f 0755 0:0 " + sha("\u007fELF pretend busybox"), tree.get("bin/busybox"));
            assertEquals(List.of("bin", "bin/busybox", "bin/ls", "bin/sh", "bin/true", "etc", "etc/group", "etc/passwd", "root", "tmp"),
                    List.copyOf(tree.keySet()));
            return null;
        });
        LayerInfo info = extension.layer(chainId).orElseThrow();
        assertEquals(null, info.parentChainId());
        long content = "\u007fELF pretend busybox".length() + "root:x:0:0:root:/root:/bin/sh\n".length() + "root:x:0:\n".length();
        assertEquals(content, info.size(), "a layer's size is the bytes of file content it holds (a hard link counts once)");
        assertEquals(List.of(info), extension.listLayers());
    }

    @Test
    void givenTwoLayersWithWhiteoutsAndAnOpaqueDirectory_whenMounted_thenTheMergedViewHidesExactlyTheDeletedFiles() throws Exception {
        requireUsable();
        String lower = apply(null, LayerTar.create()
                .dir("etc").file("etc/keep", "k").file("etc/gone", "g")
                .dir("opq").file("opq/old", "o").dir("opq/sub").file("opq/sub/older", "oo")
                .dir("deldir").file("deldir/x", "x").file("top", "t"));
        String upper = apply(lower, LayerTar.create()
                .dir("etc").whiteout("etc/gone")
                .dir("opq").opaque("opq").file("opq/new", "n")
                .whiteout("deldir")
                .file("top", "t2"));
        assertEquals(expect(
                "etc", "d 0755 0:0",
                "etc/keep", "f 0644 0:0 " + sha("k"),
                "opq", "d 0755 0:0",
                "opq/new", "f 0644 0:0 " + sha("n"),
                "top", "f 0644 0:0 " + sha("t2")), mergedTree(upper));
        assertEquals(10, mergedTree(lower).size(), "the lower chain alone must still show everything");
    }

    @Test
    void givenAWhiteoutAndAFileOfTheSameNameInOneLayer_whenMounted_thenTheFileOfThatLayerShows() throws Exception {
        requireUsable();
        String lower = apply(null, LayerTar.create().file("x", "old"));
        String upper = apply(lower, LayerTar.create().whiteout("x").file("x", "new"));
        assertEquals(expect("x", "f 0644 0:0 " + sha("new")), mergedTree(upper));
    }

    @Test
    void givenAnAppliedLayer_whenAppliedAgain_thenTheSameLayerComesBackNothingChangesAndTheStreamIsReadToItsEnd() throws Exception {
        requireUsable();
        LayerTar tar = busyboxLike();
        String chainId = apply(null, tar);
        List<String> before = tree(context.dataDirectory());
        byte[] bytes = tar.bytes();
        byte[] padded = new byte[bytes.length + 10240];
        System.arraycopy(bytes, 0, padded, 0, bytes.length);
        ByteArrayInputStream again = new ByteArrayInputStream(padded);
        LayerInfo info = extension.applyLayer(chainId, null, again);
        assertEquals(chainId, info.chainId());
        assertEquals(-1, again.read(), "applyLayer must read the stream to its end even when the layer is present");
        assertEquals(before, tree(context.dataDirectory()), "applying a present layer must change nothing");
    }

    @Test
    void givenATarWithTrailingRecordPadding_whenApplied_thenTheStreamIsReadToItsEnd() throws Exception {
        requireUsable();
        byte[] bytes = busyboxLike().bytes();
        byte[] padded = new byte[bytes.length + 9216];
        System.arraycopy(bytes, 0, padded, 0, bytes.length);
        ByteArrayInputStream in = new ByteArrayInputStream(padded);
        extension.applyLayer(Digests.sha256(padded), null, in);
        assertEquals(-1, in.read(), "the engine digests what the driver reads: every byte must be read");
    }

    /**
     * The engine checks a layer's diff id at the end of the stream and fails that last read on a
     * mismatch (issue 15): the driver must read to the end before it commits, so a failed last read
     * leaves no layer visible.
     */
    @Test
    void givenAStreamWhoseLastReadFails_whenApplied_thenItIsRefusedAndNoLayerBecomesVisible() throws Exception {
        requireUsable();
        byte[] bytes = busyboxLike().bytes();
        String chainId = Digests.sha256("a layer whose digest check fails".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<String> before = tree(context.dataDirectory());
        java.io.InputStream failingAtTheEnd = new java.io.FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read() throws java.io.IOException {
                int b = super.read();
                if (b < 0) {
                    throw new java.io.IOException("digest mismatch");
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    throw new java.io.IOException("digest mismatch");
                }
                return n;
            }
        };
        assertThrows(StorageException.class, () -> extension.applyLayer(chainId, null, failingAtTheEnd));
        assertFalse(extension.hasLayer(chainId), "a layer whose last read failed must not be visible");
        assertEquals(before, tree(context.dataDirectory()), "nothing of it may stay behind");
    }

    @Test
    void givenNamesWithDotSegmentsAndDoubleSlashes_whenApplied_thenTheyLandWhereTheyPointInsideTheLayer() throws Exception {
        requireUsable();
        String chainId = apply(null, LayerTar.create().file("./a", "a").dir("./d").file("d//b", "b").file("d/../c", "c").file("d/./e", "e"));
        assertEquals(expect(
                "a", "f 0644 0:0 " + sha("a"),
                "c", "f 0644 0:0 " + sha("c"),
                "d", "d 0755 0:0",
                "d/b", "f 0644 0:0 " + sha("b"),
                "d/e", "f 0644 0:0 " + sha("e")), mergedTree(chainId));
    }

    @Test
    void givenOwnersModesTimesXattrsLinksAndSpecialFiles_whenAppliedAndMounted_thenTheMountShowsThemUnchanged() throws Exception {
        requireUsable();
        byte[] binary = {0, 1, (byte) 0x80, (byte) 0xff, 'x'};
        LayerTar tar = LayerTar.create().mtime(1_000_000_000L)
                .dir("dirs")
                .owner(5, 6).dir("dirs/sgid", 02775)
                .owner(0, 0).dir("dirs/sticky", 01777)
                .owner(1000, 2000).file("owned", 0640, "mine")
                .owner(0, 0).file("suid", 04755, "s").file("sgid", 02711, "g")
                .xattr("user.note", "hello".getBytes(StandardCharsets.UTF_8)).file("noted", 0644, "n")
                .xattr("user.binary", binary).file("binary", 0644, "b")
                .owner(7, 8).symlink("link", "some//odd/./target")
                .owner(0, 0).hardlink("hard", "owned")
                .charDevice("null", 1, 3, 0666).blockDevice("loop", 7, 9, 0660).fifo("fifo", 0640);
        String chainId = apply(null, tar);
        mounted("meta", chainId, root -> {
            SortedMap<String, String> t = FileTree.of(root, true);
            assertEquals("d 2775 5:6 @1000000000", t.get("dirs/sgid"));
            assertEquals("d 1777 0:0 @1000000000", t.get("dirs/sticky"));
            assertEquals("f 0640 1000:2000 " + sha("mine") + " @1000000000", t.get("owned"));
            assertEquals("f 4755 0:0 " + sha("s") + " @1000000000", t.get("suid"));
            assertEquals("f 2711 0:0 " + sha("g") + " @1000000000", t.get("sgid"));
            assertEquals("l 7:8 -> some//odd/./target", t.get("link"), "a link target is kept byte for byte, never cleaned");
            assertEquals("c 0666 0:0 1:3 @1000000000", t.get("null"));
            assertEquals("b 0660 0:0 7:9 @1000000000", t.get("loop"));
            assertEquals("p 0640 0:0 @1000000000", t.get("fifo"));
            assertEquals(t.get("owned"), t.get("hard"));
            Object ino = Files.getAttribute(root.resolve("owned"), "unix:ino");
            assertEquals(ino, Files.getAttribute(root.resolve("hard"), "unix:ino"), "a hard link must stay one file");
            assertEquals(2, Files.getAttribute(root.resolve("hard"), "unix:nlink"));
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), xattr(root.resolve("noted"), "note"));
            assertArrayEquals(binary, xattr(root.resolve("binary"), "binary"), "a binary attribute value must survive byte for byte");
            return null;
        });
    }

    private static byte[] xattr(Path file, String userName) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        ByteBuffer buf = ByteBuffer.allocate(view.size(userName));
        view.read(userName, buf);
        return buf.array();
    }

    @Test
    void givenLongAndNonAsciiNames_whenApplied_thenTheyArriveIntact() throws Exception {
        requireUsable();
        // a missing UTF-8 locale fails the check (never skips it): the build sets LC_ALL=C.UTF-8 for tests
        assertTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
                "this check names non-ASCII files as Java paths, which needs a UTF-8 locale (LC_ALL=C.UTF-8)");
        String deep = "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(80);
        String chainId = apply(null, LayerTar.create().file(deep, "deep").file("caf\u00e9-\u65e5\u672c", "utf8")
                .symlink("long-link", "t".repeat(150)));
        mounted("names", chainId, root -> {
            assertEquals("deep", Files.readString(root.resolve(deep)));
            assertEquals("utf8", Files.readString(root.resolve("caf\u00e9-\u65e5\u672c")));
            assertEquals(Path.of("t".repeat(150)), Files.readSymbolicLink(root.resolve("long-link")));
            return null;
        });
    }

    // ------------------------------------------------------------------ hostile tars

    /**
     * A hostile tar for {@link #givenAHostileTar_whenApplied_thenItIsRefusedNamingTheEntryAndNothingIsWrittenAnywhere}.
     *
     * @param what    what it tries
     * @param entry   the entry the refusal must name
     * @param builder makes the tar, given the sentinel directory the escapes aim at and a nonce
     */
    protected record Hostile(String what, String entry, java.util.function.BiFunction<Path, String, LayerTar> builder) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static final String CLIMB = "../".repeat(40);

    /** @return every hostile tar the kit knows of */
    protected static Stream<Hostile> hostileTars() {
        return Stream.of(
                new Hostile("a name climbing out with ..", "../berth-escape",
                        (s, n) -> LayerTar.create().file("../berth-escape", "x")),
                new Hostile("an absolute name", "/etc/berth-tck-",
                        (s, n) -> LayerTar.create().file("/etc/berth-tck-" + n, "x")),
                new Hostile("a name climbing out after a directory", "a/../../x",
                        (s, n) -> LayerTar.create().dir("a").file("a/../../x", "x")),
                new Hostile("a deep climb to the sentinel", CLIMB,
                        (s, n) -> LayerTar.create().file(CLIMB + s.toString().substring(1) + "/climbed", "x")),
                new Hostile("a file through a symlink to /etc", "etc-link/berth-tck-",
                        (s, n) -> LayerTar.create().symlink("etc-link", "/etc").file("etc-link/berth-tck-" + n, "x")),
                new Hostile("a file through an absolute symlink to the sentinel", "s/x",
                        (s, n) -> LayerTar.create().symlink("s", s.toString()).file("s/x", "x")),
                new Hostile("a file through a symlink climbing ../../..", "s/x",
                        (s, n) -> LayerTar.create().symlink("s", CLIMB + s.toString().substring(1)).file("s/x", "x")),
                new Hostile("a file through a symlink inside the layer", "s/x",
                        (s, n) -> LayerTar.create().dir("real").symlink("s", "real").file("s/x", "x")),
                new Hostile("a directory below a symlinked directory", "d/sub/",
                        (s, n) -> LayerTar.create().symlink("d", s.toString()).dir("d/sub").file("d/sub/f", "x")),
                new Hostile("a directory replaced by a symlink, then written into", "d/x",
                        (s, n) -> LayerTar.create().dir("d").symlink("d", s.toString()).file("d/x", "x")),
                new Hostile("a hard link to /etc/passwd", "evil-hardlink",
                        (s, n) -> LayerTar.create().hardlink("evil-hardlink", "/etc/passwd")),
                new Hostile("a hard link to ../x", "evil-hardlink",
                        (s, n) -> LayerTar.create().hardlink("evil-hardlink", "../x")),
                new Hostile("a hard link through a symlink", "evil-hardlink",
                        (s, n) -> LayerTar.create().symlink("s", s.toString()).hardlink("evil-hardlink", "s/victim")),
                new Hostile("a hard link to a file not yet extracted", "early-link",
                        (s, n) -> LayerTar.create().hardlink("early-link", "later").file("later", "x")),
                new Hostile("a whiteout of ..", ".wh...",
                        (s, n) -> LayerTar.create().file(".wh...", 0644, new byte[0])),
                new Hostile("a whiteout of .. in a directory", "a/.wh...",
                        (s, n) -> LayerTar.create().dir("a").file("a/.wh...", 0644, new byte[0])),
                new Hostile("a whiteout of .", "a/.wh..",
                        (s, n) -> LayerTar.create().dir("a").file("a/.wh..", 0644, new byte[0])),
                new Hostile("a whiteout through a symlink", "s/.wh.victim",
                        (s, n) -> LayerTar.create().symlink("s", s.toString()).whiteout("s/victim")),
                new Hostile("an opaque marker through a symlink", "s/.wh..wh..opq",
                        (s, n) -> LayerTar.create().symlink("s", s.toString()).opaque("s")),
                new Hostile("a device node climbing out", "../berth-null",
                        (s, n) -> LayerTar.create().charDevice("../berth-null", 1, 3, 0666)),
                new Hostile("a device node through a symlink", "dev/null",
                        (s, n) -> LayerTar.create().symlink("dev", s.toString()).charDevice("dev/null", 1, 3, 0666)),
                new Hostile("a fifo through a symlink", "p/fifo",
                        (s, n) -> LayerTar.create().symlink("p", s.toString()).fifo("p/fifo", 0644)),
                new Hostile("a symlink placed through a symlink", "s/link",
                        (s, n) -> LayerTar.create().symlink("s", s.toString()).symlink("s/link", "/etc/passwd")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("hostileTars")
    void givenAHostileTar_whenApplied_thenItIsRefusedNamingTheEntryAndNothingIsWrittenAnywhere(Hostile hostile) throws Exception {
        requireUsable();
        Path sentinel = Files.createDirectories(tempDir.resolve("sentinel"));
        Files.writeString(sentinel.resolve("victim"), "untouched");
        String nonce = UUID.randomUUID().toString();
        List<String> before = tree(tempDir);
        Object passwdLinks = Files.getAttribute(Path.of("/etc/passwd"), "unix:nlink");
        LayerTar tar = hostile.builder().apply(sentinel, nonce);
        String chainId = ChainIds.next(null, tar.diffId());

        StorageException e = assertThrows(StorageException.class, () -> extension.applyLayer(chainId, null, tar.stream()),
                "a tar with " + hostile.what() + " must be refused");
        assertEquals(Reason.HOSTILE_CONTENT, e.reason(), "wrong reason for " + hostile.what() + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(hostile.entry()), "the refusal must name the entry \"" + hostile.entry() + "\": " + e.getMessage());
        assertTrue(e.getMessage().contains(chainId), "the refusal must name the layer: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "the refusal must be one line: " + e.getMessage());

        assertFalse(extension.hasLayer(chainId), "a refused layer must not be present");
        assertEquals(before, tree(tempDir), "a refused layer must leave nothing behind, inside or outside the driver's directory");
        assertEquals("untouched", Files.readString(sentinel.resolve("victim")));
        assertFalse(Files.exists(Path.of("/etc/berth-tck-" + nonce), LinkOption.NOFOLLOW_LINKS), "nothing may be written to /etc");
        assertEquals(passwdLinks, Files.getAttribute(Path.of("/etc/passwd"), "unix:nlink"), "/etc/passwd must not gain a link");
        assertTrue(extension.listLayers().isEmpty());
    }

    @Test
    void givenAFileReplacedByASymlinkOutsideAndThenByAFileAgain_whenApplied_thenTheLastFileReplacesTheLinkInsteadOfFollowingIt() throws Exception {
        requireUsable();
        Path sentinel = Files.createDirectories(tempDir.resolve("sentinel"));
        String chainId = apply(null, LayerTar.create()
                .file("f", "first").symlink("f", sentinel.resolve("f").toString()).file("f", "last")
                .symlink("g", sentinel.resolve("g").toString()).hardlink("h", "g"));
        assertEquals(List.of(), tree(sentinel).stream().filter(p -> !p.isEmpty()).toList(), "nothing may be written through the link");
        SortedMap<String, String> merged = mergedTree(chainId);
        assertEquals("f 0644 0:0 " + sha("last"), merged.get("f"));
        assertEquals("l 0:0 -> " + sentinel.resolve("g"), merged.get("h"), "a hard link to a symlink is another name of the symlink");
    }

    @Test
    void givenADeviceNodeInsideTheLayer_whenApplied_thenItIsCreatedThere() throws Exception {
        requireUsable();
        String chainId = apply(null, LayerTar.create().dir("dev").charDevice("dev/null", 1, 3, 0666).charDevice("dev/zero", 1, 5, 0666));
        SortedMap<String, String> merged = mergedTree(chainId);
        assertEquals("c 0666 0:0 1:3", merged.get("dev/null"));
        assertEquals("c 0666 0:0 1:5", merged.get("dev/zero"));
    }

    @Test
    void givenATruncatedTar_whenApplied_thenItIsRefusedAndNothingIsLeft() throws Exception {
        requireUsable();
        byte[] whole = busyboxLike().bytes();
        byte[] cut = java.util.Arrays.copyOf(whole, 700);
        List<String> before = tree(tempDir);
        String chainId = Digests.sha256(cut);
        StorageException e = assertThrows(StorageException.class, () -> extension.applyLayer(chainId, null, new ByteArrayInputStream(cut)));
        assertTrue(e.getMessage().contains(chainId), e.getMessage());
        assertFalse(extension.hasLayer(chainId));
        assertEquals(before, tree(tempDir));
    }

    @Test
    void givenALayerWhoseParentIsAbsent_whenApplied_thenNotFoundAndNothingIsLeft() throws Exception {
        requireUsable();
        List<String> before = tree(tempDir);
        String parent = Digests.sha256("absent".getBytes(StandardCharsets.UTF_8));
        LayerTar tar = busyboxLike();
        StorageException e = assertThrows(StorageException.class,
                () -> extension.applyLayer(ChainIds.next(parent, tar.diffId()), parent, tar.stream()));
        assertEquals(Reason.NOT_FOUND, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(parent), "the error must name the missing parent: " + e.getMessage());
        assertEquals(before, tree(tempDir));
    }

    // ------------------------------------------------------------------ snapshots, mounts, diffs

    @Test
    void givenAMountedSnapshot_whenFilesAreWrittenChangedAndDeleted_thenTheDiffHoldsTheChangesWhiteoutsAndOpaqueDirectories() throws Exception {
        requireUsable();
        String base = apply(null, LayerTar.create()
                .dir("a").file("a/keep", "k").file("a/change", "old").file("a/gone", "g")
                .dir("d").file("d/x", "x").dir("o").file("o/old", "o"));
        extension.prepare("work", base);
        byte[] tar;
        try {
            Path root = extension.mount("work").target();
            Files.writeString(root.resolve("a/new"), "n");
            Files.writeString(root.resolve("a/change"), "new");
            Files.delete(root.resolve("a/gone"));
            Files.delete(root.resolve("d/x"));
            Files.delete(root.resolve("d"));
            Files.delete(root.resolve("o/old"));
            Files.delete(root.resolve("o"));
            Files.createDirectory(root.resolve("o"));
            Files.writeString(root.resolve("o/fresh"), "f");
            Files.createDirectory(root.resolve("newdir"));
            Files.createSymbolicLink(root.resolve("newdir/l"), Path.of("x"));
            Files.createLink(root.resolve("a/new2"), root.resolve("a/new"));
            tar = diff("work");
            SortedMap<String, String> view = FileTree.of(root);

            Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
            Map<String, String> contents = new LinkedHashMap<>();
            read(tar, entries, contents);
            assertEquals(List.of("a/", "a/change", "a/.wh.gone", "a/new", "a/new2", ".wh.d", "newdir/", "newdir/l", "o/", "o/.wh..wh..opq", "o/fresh"),
                    sortedLike(entries.keySet()), "the diff must hold the changes, and only them");
            assertEquals("new", contents.get("a/change"));
            assertEquals("n", contents.get("a/new"));
            assertTrue(entries.get("a/new2").isLink(), "the second name of a file must be a hard link");
            assertEquals("a/new", entries.get("a/new2").getLinkName());
            assertTrue(entries.get("newdir/l").isSymbolicLink());
            assertEquals("x", entries.get("newdir/l").getLinkName());
            for (TarArchiveEntry e : entries.values()) {
                assertTrue(e.getExtraPaxHeaders().keySet().stream().noneMatch(k -> k.startsWith("SCHILY.xattr.trusted.overlay.")),
                        "overlay's own attributes must not leak into a layer: " + e.getName());
                assertEquals("", e.getUserName(), "owners are numeric only");
            }

            assertArrayEquals(tar, diff("work"), "diffing the same tree twice must give the same bytes");
            extension.unmount("work");
            assertArrayEquals(tar, diff("work"), "diffing a mounted or unmounted snapshot must give the same bytes");

            String replayed = extension.applyLayer(ChainIds.next(base, Digests.sha256(tar)), base, new ByteArrayInputStream(tar)).chainId();
            assertEquals(view, mergedTree(replayed), "the diff applied on the same parent must show the same tree");
        } finally {
            extension.removeSnapshot("work");
        }
    }

    private byte[] diff(String key) throws StorageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        extension.diff(key, out);
        return out.toByteArray();
    }

    private static void read(byte[] tar, Map<String, TarArchiveEntry> entries, Map<String, String> contents) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.put(e.getName(), e);
                if (e.isFile()) {
                    contents.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** The names in the order a driver must not care about: sorted, whiteouts by the name they delete. */
    private static List<String> sortedLike(java.util.Collection<String> names) {
        return names.stream().sorted(Comparator.comparing((String n) -> n.replace(".wh..wh..opq", "").replace(".wh.", ""))
                .thenComparing(Comparator.naturalOrder())).toList();
    }

    @Test
    void givenASnapshotWithNewFiles_whenDiffedWithAClamp_thenNoTimeIsLaterThanTheClamp() throws Exception {
        requireUsable();
        extension.prepare("clamp", null);
        try {
            Path root = extension.mount("clamp").target();
            Files.createDirectories(root.resolve("x/y"));
            Files.writeString(root.resolve("x/y/z"), "z");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            extension.diff("clamp", out, Instant.ofEpochSecond(1_000_000));
            Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
            read(out.toByteArray(), entries, new LinkedHashMap<>());
            assertEquals(List.of("x/", "x/y/", "x/y/z"), List.copyOf(entries.keySet()));
            for (TarArchiveEntry e : entries.values()) {
                assertEquals(1_000_000L, e.getModTime().getTime() / 1000, e.getName());
            }
        } finally {
            extension.removeSnapshot("clamp");
        }
    }

    @Test
    void givenAnEmptyRoot_whenPreparedAndMounted_thenItIsEmptyAndWritable() throws Exception {
        requireUsable();
        Snapshot s = extension.prepare("scratch", null);
        try {
            assertFalse(s.mounted());
            assertEquals(null, s.parentChainId());
            Mount m = extension.mount("scratch");
            assertEquals(s.rootfs(), m.target(), "the mount must appear at the rootfs prepare() announced");
            assertEquals(Map.of(), FileTree.of(m.target()));
            Files.writeString(m.target().resolve("hello"), "world");
            assertEquals(1, FileTree.of(m.target()).size());
        } finally {
            extension.removeSnapshot("scratch");
        }
        assertEquals(Optional.empty(), extension.snapshot("scratch"));
    }

    @Test
    void givenAnImageOf128Layers_whenMounted_thenEveryLayerShowsAndTheTopOneWins() throws Exception {
        requireUsable();
        String chain = null;
        for (int i = 0; i < 128; i++) {
            chain = apply(chain, LayerTar.create().file("layer-" + i, "content " + i).file("top", "from " + i));
        }
        String top = chain;
        mounted("many", top, root -> {
            for (int i = 0; i < 128; i++) {
                assertEquals("content " + i, Files.readString(root.resolve("layer-" + i)));
            }
            assertEquals("from 127", Files.readString(root.resolve("top")));
            return null;
        });
    }

    @Test
    void givenAMountedSnapshot_whenMountedAgainListedAndUnmountedTwice_thenEachStepAgrees() throws Exception {
        requireUsable();
        String chainId = apply(null, busyboxLike());
        Snapshot prepared = extension.prepare("c1", chainId);
        try {
            assertEquals(chainId, prepared.parentChainId());
            Mount first = extension.mount("c1");
            Mount second = extension.mount("c1");
            assertEquals(first, second, "mounting a mounted snapshot must return the current mount");
            assertEquals(1, Mounts.under(first.target()).size(), "mounting twice must not stack a second mount");
            assertTrue(extension.snapshot("c1").orElseThrow().mounted());
            assertEquals(List.of(true), extension.listSnapshots().stream().map(Snapshot::mounted).toList());
            extension.unmount("c1");
            extension.unmount("c1");
            assertFalse(extension.snapshot("c1").orElseThrow().mounted());
            assertEquals(List.of(), Mounts.under(first.target()));
        } finally {
            extension.removeSnapshot("c1");
        }
    }

    @Test
    void givenAMountWithAnOpenFile_whenUnmounted_thenInUseAndRemovingTheSnapshotFailsTooUntilTheFileIsClosed() throws Exception {
        requireUsable();
        extension.prepare("busy", null);
        try {
            Path root = extension.mount("busy").target();
            try (FileChannel open = FileChannel.open(Files.writeString(root.resolve("f"), "x"))) {
                StorageException e = assertThrows(StorageException.class, () -> extension.unmount("busy"));
                assertEquals(Reason.IN_USE, e.reason(), e.getMessage());
                assertEquals(Reason.IN_USE, assertThrows(StorageException.class, () -> extension.removeSnapshot("busy")).reason());
                assertTrue(open.isOpen());
            }
            extension.unmount("busy");
        } finally {
            extension.removeSnapshot("busy");
        }
    }

    @Test
    void givenSnapshotsAndLayers_whenMisused_thenEachRefusalHasTheRightReason() throws Exception {
        requireUsable();
        String absent = Digests.sha256("absent".getBytes(StandardCharsets.UTF_8));
        assertReason(Reason.NOT_FOUND, () -> extension.prepare("k", absent));
        assertReason(Reason.NOT_FOUND, () -> extension.mount("nothing"));
        assertReason(Reason.NOT_FOUND, () -> extension.unmount("nothing"));
        assertReason(Reason.NOT_FOUND, () -> extension.diff("nothing", OutputStream.nullOutputStream()));
        extension.removeSnapshot("nothing");
        extension.removeLayer(absent);
        assertEquals(Optional.empty(), extension.snapshot("nothing"));
        assertEquals(Optional.empty(), extension.layer(absent));

        String lower = apply(null, busyboxLike());
        String upper = apply(lower, LayerTar.create().file("more", "m"));
        extension.prepare("k", lower);
        try {
            assertReason(Reason.ALREADY_EXISTS, () -> extension.prepare("k", null));
            assertReason(Reason.IN_USE, () -> extension.removeLayer(lower));
            extension.removeLayer(upper);
            assertFalse(extension.hasLayer(upper));
            assertReason(Reason.IN_USE, () -> extension.removeLayer(lower));
        } finally {
            extension.removeSnapshot("k");
        }
        extension.removeLayer(lower);
        assertEquals(List.of(), extension.listLayers());
        assertThrows(IllegalArgumentException.class, () -> extension.prepare("../escape", null));
        assertThrows(IllegalArgumentException.class, () -> extension.prepare("ok", "sha256:nothex"));
    }

    private static void assertReason(Reason reason, Executable call) {
        StorageException e = assertThrows(StorageException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void givenManyLayersAppliedInParallel_whenTheSameLayerIsAppliedTwiceAtOnce_thenAllArePresentAndConsistent() throws Exception {
        requireUsable();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<String>> jobs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                jobs.add(() -> apply(null, LayerTar.create().dir("d" + n).file("d" + n + "/f", "x".repeat(1000 * n))));
            }
            LayerTar same = busyboxLike();
            jobs.add(() -> apply(null, same));
            jobs.add(() -> apply(null, same));
            List<String> ids = new ArrayList<>();
            for (Future<String> f : pool.invokeAll(jobs)) {
                ids.add(f.get());
            }
            assertEquals(9, ids.stream().distinct().count());
            assertEquals(9, extension.listLayers().size());
            assertEquals(10, mergedTree(ids.get(9)).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void givenAPreparedSnapshot_whenANewDriverInstanceOpensTheSameDirectory_thenItKnowsTheLayersAndSnapshots() throws Exception {
        requireUsable();
        String chainId = apply(null, busyboxLike());
        extension.prepare("survivor", chainId);
        try {
            StorageDriver restarted = initialized(context);
            assertTrue(restarted.hasLayer(chainId));
            assertEquals(chainId, restarted.snapshot("survivor").orElseThrow().parentChainId());
            assertEquals(extension.listLayers(), restarted.listLayers());
        } finally {
            extension.removeSnapshot("survivor");
        }
    }

    /**
     * Every path under a directory, relative to it, sorted.
     *
     * @param directory the directory
     * @return the relative paths
     * @throws IOException if the tree cannot be walked
     */
    protected static List<String> tree(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            return paths.map(p -> directory.relativize(p).toString()).sorted().toList();
        }
    }
}
