package io.berth.plugin.registry;

import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.registry.Platform;
import io.berth.spi.registry.RegistryException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plugin's pure pieces: endpoints, challenges, platform matching, options, error reasons. */
class RegistryPiecesTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}://{2}")
    @CsvSource({
            "docker.io,             https, registry-1.docker.io",
            "index.docker.io,       https, registry-1.docker.io",
            "registry.example.com,  https, registry.example.com",
            "127.0.0.1:5000,        http,  127.0.0.1:5000",
            "127.1.2.3,             http,  127.1.2.3",
            "localhost:5000,        http,  localhost:5000",
            "LOCALHOST,             http,  LOCALHOST",
            "[::1]:5000,            http,  [::1]:5000",
            "10.0.0.1:5000,         https, 10.0.0.1:5000",
            "insecure.example:5000, http,  insecure.example:5000",
            "128.0.0.1,             https, 128.0.0.1",
    })
    void givenARegistry_whenItsEndpointIsChosen_thenLoopbackAndInsecureOnesArePlainHttpAndDockerHubIsMapped(
            String registry, String scheme, String authority) {
        RegistryEndpoint e = RegistryEndpoint.of(registry, Set.of("insecure.example:5000"));
        assertEquals(scheme, e.scheme());
        assertEquals(authority, e.authority());
    }

    @Test
    void givenAnEndpoint_whenComparingRedirectTargets_thenOnlyTheSameSchemeHostAndPortAreTheSameOrigin() {
        RegistryEndpoint e = RegistryEndpoint.of("registry.example.com", Set.of());
        assertTrue(e.sameOrigin(URI.create("https://registry.example.com/v2/x")));
        assertTrue(e.sameOrigin(URI.create("https://REGISTRY.example.com:443/v2/x")));
        assertFalse(e.sameOrigin(URI.create("https://storage.example.com/blob")));
        assertFalse(e.sameOrigin(URI.create("http://registry.example.com/v2/x")));
        assertFalse(e.sameOrigin(URI.create("https://registry.example.com:8443/v2/x")));
    }

    @Test
    void givenBearerAndBasicChallenges_whenParsed_thenQuotedCommasSurviveAndBearerIsPreferred() {
        Challenge c = Challenge.choose(List.of("Basic realm=\"x\"",
                "Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"")).orElseThrow();
        assertTrue(c.bearer());
        assertEquals(Map.of("realm", "https://auth.example/token", "service", "registry.example", "scope", "repository:a/b:pull,push"), c.params());
        assertTrue(Challenge.parse("basic Realm=Registry").orElseThrow().basic());
        assertEquals("Registry", Challenge.parse("basic Realm=Registry").orElseThrow().param("realm").orElseThrow());
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource({
            "linux/x86_64,     linux/amd64",
            "linux/amd64/v1,   linux/amd64",
            "linux/aarch64,    linux/arm64",
            "linux/arm64/v8,   linux/arm64",
            "linux/arm,        linux/arm/v7",
            "linux/arm/7,      linux/arm/v7",
            "linux/armhf,      linux/arm/v7",
            "Linux/AMD64,      linux/amd64",
    })
    void givenAPlatform_whenNormalised_thenItIsInContainerdsCanonicalForm(String given, String canonical) {
        assertEquals(Platform.parse(canonical), PlatformMatcher.normalize(Platform.parse(given)));
    }

    @Test
    void givenAnIndexWithOlderArmVariants_whenArmV7IsWanted_thenTheHighestRunnableVariantIsChosen() {
        Descriptor v6 = entry("linux/arm/v6", 'a');
        Descriptor v5 = entry("linux/arm/v5", 'b');
        Descriptor amd = entry("linux/amd64", 'c');
        assertEquals(v6, PlatformMatcher.select(List.of(amd, v5, v6), Platform.parse("linux/arm/v7")).orElseThrow());
        assertTrue(PlatformMatcher.select(List.of(v6), Platform.parse("linux/arm/v5")).isEmpty(), "a v5 cpu cannot run v6 code");
        assertTrue(PlatformMatcher.select(List.of(amd), Platform.parse("linux/arm64")).isEmpty());
    }

    @Test
    void givenOptions_whenParsed_thenSizesTakeSuffixesAndBadValuesAreNamed() {
        Options o = Options.from(Map.of("chunk-size", "8MiB", "insecure-registries", " Reg.Example:5000 , other:1"));
        assertEquals(8L * 1024 * 1024, o.chunkSize());
        assertEquals(Set.of("reg.example:5000", "other:1"), o.insecureRegistries());
        assertEquals(Options.DEFAULT_CHUNK_SIZE, Options.from(Map.of()).chunkSize());
        assertEquals(65536, Options.from(Map.of("chunk-size", "64k")).chunkSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.from(Map.of("chunk-size", "lots")));
        assertTrue(e.getMessage().contains("chunk-size"), e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] HTTP {0} {1} -> {2}")
    @CsvSource({
            "404, MANIFEST_UNKNOWN, NOT_FOUND",
            "404, NAME_UNKNOWN,     NOT_FOUND",
            "400, BLOB_UNKNOWN,     NOT_FOUND",
            "400, DIGEST_INVALID,   DIGEST_MISMATCH",
            "401, UNAUTHORIZED,     UNAUTHORIZED",
            "403, DENIED,           DENIED",
            "429, TOOMANYREQUESTS,  RATE_LIMITED",
            "503, '',               UNAVAILABLE",
            "500, UNKNOWN,          UNAVAILABLE",
            "413, '',               TOO_LARGE",
            "400, MANIFEST_INVALID, PROTOCOL",
            "418, '',               PROTOCOL",
    })
    void givenAnErrorAnswer_whenMapped_thenTheReasonFits(int status, String code, Reason reason) {
        assertEquals(reason, RegistryErrors.reason(status, code.isEmpty() ? List.of() : List.of(code)));
    }

    private static Descriptor entry(String platform, char c) {
        return new Descriptor(MediaTypes.OCI_MANIFEST, "sha256:" + String.valueOf(c).repeat(64), 10, List.of(), Map.of(), Platform.parse(platform));
    }
}
