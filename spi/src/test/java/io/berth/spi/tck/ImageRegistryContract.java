package io.berth.spi.tck;

import io.berth.spi.Digests;
import io.berth.spi.ImageRegistry;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.InvalidReferenceException;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.registry.Platform;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.RegistryException.Reason;
import io.berth.spi.registry.ResolvedManifest;
import io.berth.spi.tck.fixtures.FaultyRegistry;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.Skopeo;
import io.berth.spi.tck.fixtures.TestImages;
import io.berth.spi.tck.fixtures.TestImages.Blob;
import io.berth.spi.tck.fixtures.TestImages.Format;
import io.berth.spi.tck.fixtures.TestImages.TestImage;
import io.berth.spi.tck.fixtures.TestImages.TestIndex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The conformance kit for {@link ImageRegistry}s. Extend it in one line:
 *
 * <pre>{@code
 * class MyRegistryContractTest extends ImageRegistryContract {
 *     @Override protected ImageRegistry newExtension(PluginContext ctx) { return new MyRegistry(); }
 * }
 * }</pre>
 *
 * <p>Beyond parsing, the kit checks the implementation against a real registry: Debian's
 * {@code docker-registry} (CNCF Distribution 2.8), started on 127.0.0.1 by {@link LocalRegistry}
 * once per test class, a second one behind htpasswd Basic auth, with images from
 * {@link TestImages} pushed by skopeo, the independent peer, which also reads back what the
 * implementation pushes. Faults a real registry cannot be made to produce (an HTML page, an
 * endless manifest, an unknown media type, a server ignoring {@code Range}, a redirect to another
 * host) come from a {@link FaultyRegistry} on loopback. The host needs {@code docker-registry},
 * {@code skopeo}, {@code busybox-static}, {@code zstd} and {@code apache2-utils} (htpasswd); a
 * missing one fails the checks with the package to install.
 *
 * <p>The reference tables follow Docker's parser (github.com/distribution/reference,
 * {@code ParseNormalizedNamed} then {@code TagNameOnly}), with one deliberate difference: berth
 * accepts {@code sha256} digests only.
 */
public abstract class ImageRegistryContract extends ExtensionContract<ImageRegistry> {

    private static final String D = "sha256:" + "0123456789abcdef".repeat(4);

    /**
     * References Docker accepts, with what they normalise to: input, registry, repository, tag
     * (or {@code null}), digest (or {@code null}).
     *
     * @return the table
     */
    protected static Stream<Arguments> validReferences() {
        return Stream.of(
                arguments("busybox", "docker.io", "library/busybox", "latest", null),
                arguments("busybox:1.36", "docker.io", "library/busybox", "1.36", null),
                arguments("library/busybox", "docker.io", "library/busybox", "latest", null),
                arguments("docker.io/busybox", "docker.io", "library/busybox", "latest", null),
                arguments("docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", null),
                arguments("index.docker.io/busybox", "docker.io", "library/busybox", "latest", null),
                arguments("index.docker.io/team/app:2", "docker.io", "team/app", "2", null),
                arguments("team/app", "docker.io", "team/app", "latest", null),
                arguments("team/sub/app:v1", "docker.io", "team/sub/app", "v1", null),
                arguments("localhost/app", "localhost", "app", "latest", null),
                arguments("localhost:5000/app", "localhost:5000", "app", "latest", null),
                arguments("localhost:5000/team/app:1.0", "localhost:5000", "team/app", "1.0", null),
                arguments("127.0.0.1:5000/app:v1", "127.0.0.1:5000", "app", "v1", null),
                arguments("registry:5000/app", "registry:5000", "app", "latest", null),
                arguments("registry.example.com/a/b/c:tag", "registry.example.com", "a/b/c", "tag", null),
                arguments("Registry.Example.com/app", "Registry.Example.com", "app", "latest", null),
                arguments("UPPER/app", "UPPER", "app", "latest", null),
                arguments("[::1]:5000/app:1", "[::1]:5000", "app", "1", null),
                arguments("[2001:db8::1]/team/app", "[2001:db8::1]", "team/app", "latest", null),
                arguments("busybox@" + D, "docker.io", "library/busybox", null, D),
                arguments("busybox:1.36@" + D, "docker.io", "library/busybox", "1.36", D),
                arguments("example.com:8443/ns/repo@" + D, "example.com:8443", "ns/repo", null, D),
                arguments("localhost:5000", "docker.io", "library/localhost", "5000", null),
                arguments("a0.b-c/d__e/f--g.h_i:T_a-g.1", "a0.b-c", "d__e/f--g.h_i", "T_a-g.1", null),
                arguments("app:" + "t".repeat(128), "docker.io", "library/app", "t".repeat(128), null),
                arguments("x-y/app", "docker.io", "x-y/app", "latest", null));
    }

    /**
     * References Docker refuses (or berth refuses: digests other than sha256), each with a short
     * reason for the reader.
     *
     * @return the table
     */
    protected static Stream<Arguments> invalidReferences() {
        return Stream.of(
                arguments("", "empty"),
                arguments("   ", "blank"),
                arguments("Busybox", "upper-case repository"),
                arguments("team/App", "upper-case repository component"),
                arguments("busybox:", "empty tag"),
                arguments(":latest", "no name"),
                arguments("@" + D, "no name before a digest"),
                arguments("busybox@", "empty digest"),
                arguments("busybox@sha256:abc", "short digest"),
                arguments("busybox@sha256:" + "0123456789ABCDEF".repeat(4), "upper-case digest"),
                arguments("busybox@sha512:" + "0123456789abcdef".repeat(8), "digest algorithm berth does not support"),
                arguments("busybox@md5:0123456789abcdef0123456789abcdef", "unknown digest algorithm"),
                arguments("busybox@" + D + "@" + D, "two digests"),
                arguments("busybox:tag with space", "space in tag"),
                arguments("busybox:-tag", "tag starting with a dash"),
                arguments("busybox:.tag", "tag starting with a dot"),
                arguments("busybox:" + "t".repeat(129), "tag longer than 128 characters"),
                arguments("-busybox", "component starting with a separator"),
                arguments("_x/app", "namespace starting with a separator"),
                arguments("busybox-", "component ending with a separator"),
                arguments("team//app", "empty component"),
                arguments("team/app/", "trailing slash"),
                arguments("a..b/app", "domain with an empty label"),
                arguments("foo_bar.com:8080/app", "underscore in a domain"),
                arguments("localhost:port/app", "port that is not a number"),
                arguments("http://example.com/app", "a URL, not a reference"),
                arguments("0123456789abcdef".repeat(4), "a 64-hex-digit id is not a repository name"),
                arguments("team/" + "a".repeat(250), "name longer than 255 characters"),
                arguments("busybox:1.36:1.37", "two tags"),
                arguments("bus ybox", "space in name"),
                arguments("busybox\n", "newline"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("validReferences")
    void givenAValidReference_whenParsed_thenItIsNormalisedAsDockerDoes(String text, String registry, String repository,
                                                                       String tag, String digest) {
        ImageReference ref = extension.parse(text);
        assertEquals(new ImageReference(registry, repository, tag, digest), ref, "parse(\"" + text + "\")");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("validReferences")
    void givenAParsedReference_whenItsFullAndFamiliarFormsAreParsed_thenTheSameReferenceComesBack(String text) {
        ImageReference ref = extension.parse(text);
        assertEquals(ref, extension.parse(ref.toString()), "parse(toString()) must give the same reference");
        assertEquals(ref, extension.parse(ref.familiarString()), "parse(familiarString()) must give the same reference");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\": {1}")
    @MethodSource("invalidReferences")
    void givenAnInvalidReference_whenParsed_thenInvalidReferenceQuotesItAndSaysWhy(String text, String why) {
        InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> extension.parse(text),
                "\"" + text + "\" must be refused (" + why + ")");
        assertEquals(text, e.reference(), "the exception must carry the reference as given");
        assertFalse(e.problem() == null || e.problem().isBlank(), "the exception must say what is wrong");
        assertTrue(e.getMessage().contains("\"" + text + "\""), "the message must quote the reference: " + e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("familiarNames")
    void givenAReference_whenShownFamiliarly_thenDockerHubAndLibraryAreLeftOut(String text, String familiar) {
        assertEquals(familiar, extension.parse(text).familiarString());
    }

    /**
     * References and the familiar form Docker shows for them.
     *
     * @return the table
     */
    protected static Stream<Arguments> familiarNames() {
        return Stream.of(
                arguments("docker.io/library/busybox:latest", "busybox:latest"),
                arguments("busybox@" + D, "busybox@" + D),
                arguments("team/app:1", "team/app:1"),
                arguments("docker.io/library/a/b", "library/a/b:latest"),
                arguments("localhost:5000/app:1", "localhost:5000/app:1"),
                arguments("index.docker.io/busybox", "busybox:latest"));
    }

    // ---------------------------------------------------------------------------------------
    // Against a real registry
    // ---------------------------------------------------------------------------------------

    /** The user of the registry behind Basic auth. */
    protected static final String USER = "berth";
    /** Their password. */
    protected static final String PASSWORD = "s3cret-Pass";

    private static final Platform AMD64 = new Platform("linux", "amd64", null);
    private static final Object LOCK = new Object();
    private static Fixture fixture;
    private static RuntimeException fixtureFailure;

    /**
     * The registries and the images pushed to them, shared by the checks of one test class.
     *
     * @param open      a registry anyone may use
     * @param secured   a registry behind Basic auth
     * @param tokenAuth a registry using the bearer token flow, with its token service
     * @param ociImage  busybox, OCI manifest, at {@code images/busybox:oci}
     * @param dockerImage busybox, Docker schema 2, at {@code images/busybox:docker}
     * @param index     amd64 busybox, arm64/v8 and arm/v7 fakes, at {@code images/multi:1}
     * @param many      twelve layers, at {@code images/many:1}
     * @param zstd      a zstd layer, at {@code images/zstd:1}
     * @param bigConfig a 5 MiB config, at {@code images/bigconfig:1}
     * @param badManifest an image whose stored manifest was altered, at {@code tampered/manifest:1}
     * @param badConfig an image whose stored config was altered, at {@code tampered/config:1}
     */
    protected record Fixture(LocalRegistry open, LocalRegistry secured, LocalRegistry tokenAuth, TestImage ociImage, TestImage dockerImage, TestIndex index,
                             TestImage many, TestImage zstd, TestImage bigConfig, TestImage badManifest, TestImage badConfig) {
    }

    /**
     * Starts the registries and pushes the images, once per test class.
     *
     * @return the fixture
     */
    protected static Fixture fixture() {
        synchronized (LOCK) {
            if (fixtureFailure != null) {
                throw fixtureFailure;
            }
            if (fixture == null) {
                LocalRegistry open = null;
                LocalRegistry secured = null;
                LocalRegistry tokenAuth = null;
                try {
                    open = LocalRegistry.start();
                    secured = LocalRegistry.startWithBasicAuth(USER, PASSWORD);
                    tokenAuth = LocalRegistry.startWithTokenAuth(USER, PASSWORD);
                    TestImage oci = TestImages.busybox(Format.OCI);
                    TestImage docker = TestImages.busybox(Format.DOCKER);
                    TestIndex index = TestImages.index(TestImages.busybox(Format.OCI),
                            TestImages.fake(new Platform("linux", "arm64", "v8")), TestImages.fake(new Platform("linux", "arm", "v7")));
                    TestImage many = TestImages.manyLayers(12);
                    TestImage zstd = TestImages.zstd();
                    TestImage big = TestImages.withConfigOf(5 * 1024 * 1024);
                    TestImage badManifest = TestImages.fake(new Platform("linux", "riscv64", null));
                    TestImage badConfig = TestImages.fake(new Platform("linux", "ppc64le", null));
                    open.push(oci, "images/busybox", "oci");
                    open.push(docker, "images/busybox", "docker");
                    open.push(index, "images/multi", "1");
                    open.push(many, "images/many", "1");
                    open.push(zstd, "images/zstd", "1");
                    open.pushOverHttp(big, "images/bigconfig", "1"); // skopeo refuses configs over 4 MiB
                    open.push(badManifest, "tampered/manifest", "1");
                    open.push(badConfig, "tampered/config", "1");
                    open.replaceStoredContent(badManifest.digest(), (new String(badManifest.manifest(), StandardCharsets.UTF_8) + " ")
                            .getBytes(StandardCharsets.UTF_8));
                    byte[] config = badConfig.config().bytes().clone();
                    config[config.length - 2] ^= 1;
                    open.replaceStoredContent(badConfig.config().digest(), config);
                    secured.push(oci, "images/busybox", "oci");
                    tokenAuth.push(oci, "images/busybox", "oci");
                    fixture = new Fixture(open, secured, tokenAuth, oci, docker, index, many, zstd, big, badManifest, badConfig);
                } catch (RuntimeException e) {
                    if (open != null) {
                        open.close();
                    }
                    if (secured != null) {
                        secured.close();
                    }
                    if (tokenAuth != null) {
                        tokenAuth.close();
                    }
                    fixtureFailure = e;
                    throw e;
                }
            }
            return fixture;
        }
    }

    /** Stops the registries and deletes their directories. */
    @AfterAll
    static void stopRegistries() {
        synchronized (LOCK) {
            if (fixture != null) {
                fixture.open().close();
                fixture.secured().close();
                fixture.tokenAuth().close();
            }
            fixture = null;
            fixtureFailure = null;
        }
    }

    /**
     * Options that make the implementation upload blobs larger than {@code chunkSize} in chunks of
     * that size. The default is the {@code registry-oci} plugin's option; override for another
     * implementation.
     *
     * @param chunkSize the chunk size in bytes
     * @return the options
     */
    protected Map<String, String> chunkedUploadOptions(int chunkSize) {
        return Map.of("chunk-size", String.valueOf(chunkSize));
    }

    private static Credentials anonymous() {
        return Credentials.anonymous();
    }

    // ---- resolve ----

    @Test
    void givenAnOciImage_whenResolvedByTag_thenManifestConfigAndLayersAreTheOnesPushed() throws IOException {
        Fixture f = fixture();
        ImageReference ref = f.open().reference("images/busybox", "oci");
        ResolvedManifest r = extension.resolve(ref, AMD64, anonymous());
        assertImage(f.ociImage(), r);
        assertNull(r.index(), "a tag naming a manifest has no index");
        assertEquals(f.ociImage().digest(), r.repoDigest());
        assertEquals(ref, r.reference());
    }

    @Test
    void givenADockerSchema2Image_whenResolvedByTag_thenItsMediaTypesAreDockers() throws IOException {
        Fixture f = fixture();
        ResolvedManifest r = extension.resolve(f.open().reference("images/busybox", "docker"), AMD64, anonymous());
        assertImage(f.dockerImage(), r);
        assertEquals(MediaTypes.DOCKER_MANIFEST, r.manifest().mediaType());
        assertEquals(MediaTypes.DOCKER_CONFIG, r.config().mediaType());
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, r.layers().getFirst().mediaType());
    }

    @Test
    void givenAnImage_whenResolvedByDigest_thenTheSameManifestComesBack() throws IOException {
        Fixture f = fixture();
        ImageReference byDigest = new ImageReference(f.open().host(), "images/busybox", null, f.ociImage().digest());
        assertImage(f.ociImage(), extension.resolve(byDigest, AMD64, anonymous()));
        ImageReference tagAndDigest = f.open().reference("images/busybox", "docker").withDigest(f.dockerImage().digest());
        assertImage(f.dockerImage(), extension.resolve(tagAndDigest, AMD64, anonymous()));
    }

    @Test
    void givenAnIndex_whenResolvedForEachPlatform_thenTheMatchingManifestIsChosenAsDockerDoes() throws IOException {
        Fixture f = fixture();
        ImageReference ref = f.open().reference("images/multi", "1");
        List<TestImage> images = f.index().images();
        Map<String, TestImage> expected = Map.of(
                "linux/amd64", images.get(0),
                "linux/arm64", images.get(1),
                "linux/arm64/v8", images.get(1),
                "linux/arm/v7", images.get(2),
                "linux/arm", images.get(2));
        for (var e : expected.entrySet()) {
            ResolvedManifest r = extension.resolve(ref, Platform.parse(e.getKey()), anonymous());
            assertImage(e.getValue(), r);
            assertNotNull(r.index(), e.getKey() + ": the index must be returned");
            assertEquals(f.index().digest(), r.index().digest(), e.getKey());
            assertArrayEquals(f.index().bytes(), r.indexBytes(), e.getKey());
            assertEquals(f.index().digest(), r.repoDigest(), "the repo digest of an image from an index is the index's");
        }
        ResolvedManifest byDigest = extension.resolve(ref.withDigest(f.index().digest()), Platform.parse("linux/arm64"), anonymous());
        assertImage(images.get(1), byDigest);
    }

    @Test
    void givenAnIndex_whenResolvedForAPlatformItLacks_thenNotFoundNamesThePlatform() {
        Fixture f = fixture();
        RegistryException e = assertFails(Reason.NOT_FOUND,
                () -> extension.resolve(f.open().reference("images/multi", "1"), Platform.parse("linux/s390x"), anonymous()));
        assertTrue(e.getMessage().contains("linux/s390x"), "the message must name the platform: " + e.getMessage());
    }

    @Test
    void givenManyLayers_whenResolved_thenTheyComeBottomFirst() throws IOException {
        Fixture f = fixture();
        assertImage(f.many(), extension.resolve(f.open().reference("images/many", "1"), AMD64, anonymous()));
    }

    @Test
    void givenAZstdLayer_whenResolvedAndFetched_thenItsMediaTypeAndBytesAreKept() throws IOException {
        Fixture f = fixture();
        ImageReference ref = f.open().reference("images/zstd", "1");
        ResolvedManifest r = extension.resolve(ref, AMD64, anonymous());
        assertImage(f.zstd(), r);
        assertEquals(MediaTypes.OCI_LAYER_ZSTD, r.layers().getFirst().mediaType());
        assertArrayEquals(f.zstd().layers().getFirst().bytes(), readAll(extension.fetchBlob(ref, r.layers().getFirst(), 0, anonymous())));
    }

    @Test
    void givenAnUnknownTag_whenResolved_thenNotFoundNamesTheReference() {
        Fixture f = fixture();
        ImageReference ref = f.open().reference("images/busybox", "no-such-tag");
        RegistryException e = assertFails(Reason.NOT_FOUND, () -> extension.resolve(ref, AMD64, anonymous()));
        assertTrue(e.getMessage().contains(ref.toString()), "the message must name the reference: " + e.getMessage());
        assertFails(Reason.NOT_FOUND, () -> extension.resolve(f.open().reference("no/such-repo", "1"), AMD64, anonymous()));
    }

    // ---- blobs ----

    @Test
    void givenALayer_whenFetchedFromAnOffset_thenTheDownloadResumesWhereItStopped() throws IOException {
        Fixture f = fixture();
        ImageReference ref = f.open().reference("images/busybox", "oci");
        Blob layer = f.ociImage().layers().getFirst();
        byte[] head;
        try (InputStream in = extension.fetchBlob(ref, layer.descriptor(), 0, anonymous())) {
            head = in.readNBytes(100_000);
        }
        byte[] tail = readAll(extension.fetchBlob(ref, layer.descriptor(), head.length, anonymous()));
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(head);
        whole.writeBytes(tail);
        assertEquals(layer.digest(), Digests.sha256(whole.toByteArray()), "head + resumed tail must be the blob");
        assertEquals(0, readAll(extension.fetchBlob(ref, layer.descriptor(), layer.descriptor().size(), anonymous())).length,
                "from the blob's size nothing is left");
    }

    @Test
    void givenAnUnknownBlob_whenFetchedOrChecked_thenNotFoundOrFalse() throws IOException {
        Fixture f = fixture();
        ImageReference ref = f.open().reference("images/busybox", "oci");
        Blob missing = TestImages.randomBlob(10, 42);
        assertFalse(extension.blobExists(ref, missing.descriptor(), anonymous()));
        assertTrue(extension.blobExists(ref, f.ociImage().layers().getFirst().descriptor(), anonymous()));
        assertFails(Reason.NOT_FOUND, () -> readAll(extension.fetchBlob(ref, missing.descriptor(), 0, anonymous())));
    }

    // ---- push ----

    @Test
    void givenAnImage_whenPushedThenResolved_thenTheDigestsMatchAndSkopeoReadsTheSame() throws IOException {
        Fixture f = fixture();
        TestImage image = TestImages.busybox(Format.OCI);
        ImageReference target = f.open().reference("pushed/busybox", "1");
        Descriptor pushed = push(extension, target, image, anonymous());
        assertEquals(image.digest(), pushed.digest());
        assertEquals(image.manifest().length, pushed.size());
        assertImage(image, extension.resolve(target, AMD64, anonymous()));
        assertEquals(image.digest(), Skopeo.inspectDigest(target, anonymous()), "skopeo must read what was pushed");
        assertArrayEquals(image.manifest(), Skopeo.rawManifest(target, anonymous()));
    }

    @Test
    void givenAPushedImage_whenPushedAgain_thenEveryBlobExistsAndNoBlobIsUploaded() throws IOException {
        Fixture f = fixture();
        TestImage image = TestImages.manyLayers(3);
        ImageReference target = f.open().reference("pushed/again", "1");
        push(extension, target, image, anonymous());
        int mark = f.open().requests().size();
        push(extension, target, image, anonymous());
        List<LocalRegistry.Request> uploads = settled(f.open(), mark).stream()
                .filter(r -> r.uri().startsWith("/v2/pushed/again/blobs/uploads")).toList();
        assertEquals(List.of(), uploads, "pushing again must upload nothing");
    }

    @Test
    void givenAnIndex_whenPushedWithItsManifestsByDigest_thenItResolvesAndSkopeoReadsTheSameBytes() throws IOException {
        Fixture f = fixture();
        TestIndex index = TestImages.index(TestImages.fake(new Platform("linux", "amd64", null)),
                TestImages.fake(new Platform("linux", "arm64", "v8")));
        ImageReference target = f.open().reference("pushed/multi", "1");
        for (TestImage image : index.images()) {
            ImageReference byDigest = new ImageReference(target.registry(), target.repository(), null, image.digest());
            Descriptor d = push(extension, byDigest, image, anonymous());
            assertEquals(image.digest(), d.digest());
        }
        Descriptor d = extension.pushManifest(target, MediaTypes.OCI_INDEX, index.bytes(), anonymous());
        assertEquals(index.digest(), d.digest());
        assertImage(index.images().get(1), extension.resolve(target, Platform.parse("linux/arm64"), anonymous()));
        assertArrayEquals(index.bytes(), Skopeo.rawManifest(target, anonymous()));
    }

    @Test
    void givenABlobInAnotherRepository_whenMounted_thenItIsLinkedWithoutUploading() throws IOException {
        Fixture f = fixture();
        Blob blob = TestImages.randomBlob(50_000, 7);
        ImageReference from = f.open().reference("mount/source", "1");
        ImageReference to = f.open().reference("mount/target", "1");
        extension.pushBlob(from, blob.descriptor(), () -> new ByteArrayInputStream(blob.bytes()), anonymous());
        int mark = f.open().requests().size();
        assertTrue(extension.mountBlob(to, blob.descriptor(), from, anonymous()), "the registry holds the blob: the mount must succeed");
        assertTrue(extension.blobExists(to, blob.descriptor(), anonymous()));
        List<LocalRegistry.Request> after = settled(f.open(), mark);
        assertTrue(after.stream().anyMatch(r -> r.method().equals("POST") && r.uri().contains("mount=") && r.status() == 201),
                "expected a mount request answered 201: " + after);
        assertFalse(after.stream().anyMatch(r -> r.method().equals("PUT") || r.method().equals("PATCH")), "a mount uploads nothing: " + after);
    }

    @Test
    void givenABlobTheSourceLacks_whenMounted_thenFalseAndAnUploadStillWorks() throws IOException {
        Fixture f = fixture();
        Blob blob = TestImages.randomBlob(20_000, 8);
        ImageReference to = f.open().reference("mount/declined", "1");
        assertFalse(extension.mountBlob(to, blob.descriptor(), f.open().reference("mount/empty", "1"), anonymous()));
        extension.pushBlob(to, blob.descriptor(), () -> new ByteArrayInputStream(blob.bytes()), anonymous());
        assertArrayEquals(blob.bytes(), readAll(extension.fetchBlob(to, blob.descriptor(), 0, anonymous())));
    }

    @Test
    void givenABlobLargerThanTheChunkSize_whenPushed_thenItIsUploadedInChunksAndReadsBackWhole() throws IOException {
        Fixture f = fixture();
        ImageRegistry chunked = initialized(context.withOptions(chunkedUploadOptions(64 * 1024)));
        Blob blob = TestImages.randomBlob(300 * 1024 + 17, 9);
        ImageReference repo = f.open().reference("upload/chunked", "1");
        int mark = f.open().requests().size();
        chunked.pushBlob(repo, blob.descriptor(), () -> new ByteArrayInputStream(blob.bytes()), anonymous());
        long patches = settled(f.open(), mark).stream().filter(r -> r.method().equals("PATCH") && r.uri().startsWith("/v2/upload/chunked/")).count();
        assertEquals(5, patches, "300 KiB in 64 KiB chunks is five PATCH requests");
        assertTrue(chunked.blobExists(repo, blob.descriptor(), anonymous()));
        assertArrayEquals(blob.bytes(), readAll(chunked.fetchBlob(repo, blob.descriptor(), 0, anonymous())));
    }

    @Test
    void givenASmallBlob_whenPushed_thenItIsUploadedInOneRequestAndReadsBack() throws IOException {
        Fixture f = fixture();
        Blob blob = TestImages.randomBlob(10_000, 10);
        ImageReference repo = f.open().reference("upload/monolithic", "1");
        int mark = f.open().requests().size();
        extension.pushBlob(repo, blob.descriptor(), () -> new ByteArrayInputStream(blob.bytes()), anonymous());
        List<LocalRegistry.Request> after = settled(f.open(), mark).stream().filter(r -> r.uri().startsWith("/v2/upload/monolithic/")).toList();
        assertFalse(after.stream().anyMatch(r -> r.method().equals("PATCH")), "a small blob needs no PATCH: " + after);
        assertEquals(1, after.stream().filter(r -> r.method().equals("PUT") && r.uri().contains("digest=") && r.status() == 201).count(),
                "one PUT with the digest completes a monolithic upload: " + after);
        assertArrayEquals(blob.bytes(), readAll(extension.fetchBlob(repo, blob.descriptor(), 0, anonymous())));
    }

    @Test
    void givenContentNotMatchingItsDigest_whenPushed_thenTheUploadIsRefused() {
        Fixture f = fixture();
        Blob blob = TestImages.randomBlob(1000, 11);
        byte[] other = TestImages.randomBlob(1000, 12).bytes();
        RegistryException e = assertThrows(RegistryException.class, () -> extension.pushBlob(f.open().reference("upload/wrong", "1"),
                blob.descriptor(), () -> new ByteArrayInputStream(other), anonymous()));
        assertOneLine(e);
    }

    // ---- authentication ----

    @Test
    void givenARegistryWithBasicAuth_whenAskedAnonymously_thenUnauthorized() {
        Fixture f = fixture();
        RegistryException e = assertFails(Reason.UNAUTHORIZED,
                () -> extension.resolve(f.secured().reference("images/busybox", "oci"), AMD64, anonymous()));
        assertTrue(e.getMessage().contains(f.secured().host()), "the message must name the registry: " + e.getMessage());
        assertFails(Reason.UNAUTHORIZED, () -> extension.authenticate(f.secured().host(), anonymous()));
    }

    @Test
    void givenARegistryWithBasicAuth_whenTheRightPasswordIsGiven_thenPullPushAndLoginWork() throws IOException {
        Fixture f = fixture();
        Credentials creds = Credentials.basic(USER, PASSWORD);
        extension.authenticate(f.secured().host(), creds);
        assertImage(f.ociImage(), extension.resolve(f.secured().reference("images/busybox", "oci"), AMD64, creds));
        TestImage image = TestImages.fake(new Platform("linux", "amd64", null));
        ImageReference target = f.secured().reference("pushed/with-auth", "1");
        push(extension, target, image, creds);
        assertEquals(image.digest(), Skopeo.inspectDigest(target, creds));
    }

    @Test
    void givenARegistryWithBasicAuth_whenTheWrongPasswordIsGiven_thenUnauthorizedInOneLineWithoutThePassword() {
        Fixture f = fixture();
        Credentials wrong = Credentials.basic(USER, "wrong-password");
        RegistryException e = assertFails(Reason.UNAUTHORIZED, () -> extension.authenticate(f.secured().host(), wrong));
        assertTrue(e.getMessage().contains(f.secured().host()), "the message must name the registry: " + e.getMessage());
        assertFalse(e.getMessage().contains("wrong-password"), "the message must not show the password: " + e.getMessage());
        assertFails(Reason.UNAUTHORIZED, () -> extension.resolve(f.secured().reference("images/busybox", "oci"), AMD64, wrong));
    }

    @Test
    void givenARegistryWithTokenAuth_whenAskedAnonymously_thenUnauthorized() {
        Fixture f = fixture();
        assertFails(Reason.UNAUTHORIZED, () -> extension.resolve(f.tokenAuth().reference("images/busybox", "oci"), AMD64, anonymous()));
    }

    @Test
    void givenARegistryWithTokenAuth_whenTheRightPasswordIsGiven_thenTheTokenFlowPullsPushesAndCachesTheToken() throws IOException {
        Fixture f = fixture();
        Credentials creds = Credentials.basic(USER, PASSWORD);
        extension.authenticate(f.tokenAuth().host(), creds);
        ImageReference ref = f.tokenAuth().reference("images/busybox", "oci");
        assertImage(f.ociImage(), extension.resolve(ref, AMD64, creds));
        int issued = f.tokenAuth().tokenServer().issued();
        assertImage(f.ociImage(), extension.resolve(ref, AMD64, creds));
        assertEquals(issued, f.tokenAuth().tokenServer().issued(), "a token still valid for the same scope must be reused");
        TestImage image = TestImages.fake(new Platform("linux", "amd64", null));
        ImageReference target = f.tokenAuth().reference("pushed/with-token", "1");
        push(extension, target, image, creds);
        assertEquals(image.digest(), Skopeo.inspectDigest(target, creds));
    }

    @Test
    void givenARegistryWithTokenAuth_whenTheWrongPasswordIsGiven_thenUnauthorizedWithoutThePassword() {
        Fixture f = fixture();
        Credentials wrong = Credentials.basic(USER, "wrong-password");
        RegistryException e = assertFails(Reason.UNAUTHORIZED, () -> extension.authenticate(f.tokenAuth().host(), wrong));
        assertFalse(e.getMessage().contains("wrong-password"), "the message must not show the password: " + e.getMessage());
        assertFails(Reason.UNAUTHORIZED, () -> extension.resolve(f.tokenAuth().reference("images/busybox", "oci"), AMD64, wrong));
    }

    @Test
    void givenARegistryThatRedirectsBlobsToAnotherHost_whenFetched_thenCredentialsStayOnTheRegistry() throws IOException {
        // A fake on both ends: Distribution's filesystem storage never redirects.
        byte[] content = TestImages.randomBlob(5000, 13).bytes();
        Blob blob = Blob.of(MediaTypes.OCI_LAYER_GZIP, content);
        try (FaultyRegistry storage = FaultyRegistry.start("127.0.0.2", FaultyRegistry.blobIgnoringRange(content));
             FaultyRegistry registry = FaultyRegistry.start(FaultyRegistry.basicAuthRedirectingBlobsTo(USER, PASSWORD, "http://" + storage.host()))) {
            ImageReference ref = new ImageReference(registry.host(), "app", "1", null);
            assertArrayEquals(content, readAll(extension.fetchBlob(ref, blob.descriptor(), 0, Credentials.basic(USER, PASSWORD))));
            assertTrue(registry.requests().stream().anyMatch(r -> r.authorization() != null), "the registry itself gets the credentials");
            assertFalse(storage.requests().isEmpty(), "the redirect must be followed");
            assertTrue(storage.requests().stream().allMatch(r -> r.authorization() == null),
                    "credentials were sent to another host after a redirect: " + storage.requests());
        }
    }

    // ---- bad answers ----

    @Test
    void givenARegistryThatIsDown_whenResolved_thenUnavailableNamesTheRegistry() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ImageReference ref = new ImageReference("127.0.0.1:" + port, "app", "1", null);
        RegistryException e = assertFails(Reason.UNAVAILABLE, () -> extension.resolve(ref, AMD64, anonymous()));
        assertTrue(e.getMessage().contains(ref.registry()), "the message must name the registry: " + e.getMessage());
    }

    @Test
    void givenAManifestServedUnderAnotherDigest_whenResolved_thenDigestMismatch() {
        Fixture f = fixture();
        ImageReference ref = f.open().reference("tampered/manifest", "1");
        assertFails(Reason.DIGEST_MISMATCH, () -> extension.resolve(ref, AMD64, anonymous()));
        assertFails(Reason.DIGEST_MISMATCH, () -> extension.resolve(ref.withDigest(f.badManifest().digest()), AMD64, anonymous()));
    }

    @Test
    void givenAConfigNotMatchingItsDigest_whenResolved_thenDigestMismatch() {
        Fixture f = fixture();
        assertFails(Reason.DIGEST_MISMATCH, () -> extension.resolve(f.open().reference("tampered/config", "1"), AMD64, anonymous()));
    }

    @Test
    void givenAConfigOver4MiB_whenResolved_thenTooLarge() {
        Fixture f = fixture();
        assertFails(Reason.TOO_LARGE, () -> extension.resolve(f.open().reference("images/bigconfig", "1"), AMD64, anonymous()));
    }

    @Test
    void givenAManifestThatNeverEnds_whenResolved_thenTooLargeAndTheClientStopsReading() {
        // A fake: Distribution refuses to store or serve a manifest over 4 MiB itself.
        AtomicLong sent = new AtomicLong();
        try (FaultyRegistry fake = FaultyRegistry.start(FaultyRegistry.endlessManifest(MediaTypes.OCI_MANIFEST, sent))) {
            assertFails(Reason.TOO_LARGE, () -> extension.resolve(new ImageReference(fake.host(), "app", "1", null), AMD64, anonymous()));
        }
        assertTrue(sent.get() < 64L * 1024 * 1024, "the client must stop reading past the limit, but the fake sent " + sent.get() + " bytes");
    }

    @Test
    void givenAWebServerThatIsNoRegistry_whenResolved_thenProtocol() {
        // A fake: a real registry never answers with HTML.
        try (FaultyRegistry fake = FaultyRegistry.start(FaultyRegistry.html())) {
            assertFails(Reason.PROTOCOL, () -> extension.resolve(new ImageReference(fake.host(), "app", "1", null), AMD64, anonymous()));
        }
    }

    @Test
    void givenMalformedJson_whenResolved_thenProtocol() {
        // A fake: Distribution validates manifests when they are pushed.
        try (FaultyRegistry fake = FaultyRegistry.start(FaultyRegistry.document(MediaTypes.OCI_MANIFEST,
                "{\"schemaVersion\":2,\"config\":".getBytes(StandardCharsets.UTF_8)))) {
            assertFails(Reason.PROTOCOL, () -> extension.resolve(new ImageReference(fake.host(), "app", "1", null), AMD64, anonymous()));
        }
    }

    @Test
    void givenAnUnknownMediaType_whenResolved_thenUnsupportedNamesIt() {
        // A fake: Distribution refuses manifests of media types it does not know.
        String type = "application/vnd.example.thing.v1+json";
        try (FaultyRegistry fake = FaultyRegistry.start(FaultyRegistry.document(type,
                ("{\"schemaVersion\":2,\"mediaType\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8)))) {
            RegistryException e = assertFails(Reason.UNSUPPORTED,
                    () -> extension.resolve(new ImageReference(fake.host(), "app", "1", null), AMD64, anonymous()));
            assertTrue(e.getMessage().contains(type), "the message must name the media type: " + e.getMessage());
        }
    }

    @Test
    void givenARegistryThatIgnoresRange_whenFetchedFromAnOffset_thenTheStreamStillStartsThere() throws IOException {
        // A fake: Distribution honours Range.
        byte[] content = TestImages.randomBlob(10_000, 14).bytes();
        Blob blob = Blob.of(MediaTypes.OCI_LAYER_GZIP, content);
        try (FaultyRegistry fake = FaultyRegistry.start(FaultyRegistry.blobIgnoringRange(content))) {
            byte[] tail = readAll(extension.fetchBlob(new ImageReference(fake.host(), "app", "1", null), blob.descriptor(), 4000, anonymous()));
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 4000, content.length), tail);
            assertEquals("bytes=4000-", fake.requests().getLast().range(), "the client must ask for the range");
        }
    }

    // ---- helpers ----

    /**
     * Pushes an image as the engine does: each blob unless present, then the manifest.
     *
     * @param registry    the implementation
     * @param target      where to
     * @param image       what
     * @param credentials who
     * @return the manifest's descriptor
     * @throws IOException if a step fails
     */
    protected static Descriptor push(ImageRegistry registry, ImageReference target, TestImage image, Credentials credentials) throws IOException {
        for (Blob b : image.blobs()) {
            if (!registry.blobExists(target, b.descriptor(), credentials)) {
                registry.pushBlob(target, b.descriptor(), () -> new ByteArrayInputStream(b.bytes()), credentials);
            }
            assertTrue(registry.blobExists(target, b.descriptor(), credentials), "after pushBlob the blob must exist");
        }
        return registry.pushManifest(target, image.mediaType(), image.manifest(), credentials);
    }

    private static void assertImage(TestImage expected, ResolvedManifest actual) {
        assertEquals(expected.digest(), actual.manifest().digest(), "manifest digest");
        assertEquals(expected.mediaType(), actual.manifest().mediaType(), "manifest media type");
        assertArrayEquals(expected.manifest(), actual.manifestBytes(), "manifest bytes");
        assertEquals(expected.config().descriptor(), actual.config(), "config descriptor");
        if (actual.configBytes() != null) {
            assertArrayEquals(expected.config().bytes(), actual.configBytes(), "config bytes");
        }
        assertEquals(expected.layerDescriptors(), actual.layers(), "layers");
        assertEquals(expected.platform().os(), actual.platform().os(), "platform os");
        assertEquals(expected.platform().architecture(), actual.platform().architecture(), "platform architecture");
    }

    private static RegistryException assertFails(Reason reason, Executable call) {
        RegistryException e = assertThrows(RegistryException.class, call);
        assertEquals(reason, e.reason(), "reason of: " + e.getMessage());
        assertOneLine(e);
        return e;
    }

    private static void assertOneLine(RegistryException e) {
        assertFalse(e.getMessage().isBlank(), "the message must say what failed");
        assertFalse(e.getMessage().contains("\n"), "the message must be one line: " + e.getMessage());
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** The requests logged after a mark, once the access log has stopped growing. */
    private static List<LocalRegistry.Request> settled(LocalRegistry registry, int mark) {
        int size = -1;
        List<LocalRegistry.Request> all = registry.requests();
        for (int i = 0; i < 40 && all.size() != size; i++) {
            size = all.size();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            all = registry.requests();
        }
        return all.subList(Math.min(mark, all.size()), all.size());
    }
}
