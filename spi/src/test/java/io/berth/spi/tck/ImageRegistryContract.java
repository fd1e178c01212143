package io.berth.spi.tck;

import io.berth.spi.ImageRegistry;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.InvalidReferenceException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
