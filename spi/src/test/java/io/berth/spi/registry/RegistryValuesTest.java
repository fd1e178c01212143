package io.berth.spi.registry;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RegistryValuesTest {

    private static final String D = "sha256:" + "ab".repeat(32);

    @Test
    void givenCredentials_whenPrinted_thenNoSecretShows() {
        assertFalse(Credentials.basic("alice", "s3cret").toString().contains("s3cret"));
        assertFalse(new Credentials.IdentityToken("tok-123").toString().contains("tok-123"));
        assertFalse(new Credentials.RegistryToken("tok-456").toString().contains("tok-456"));
    }

    @Test
    void givenAMultiLineProblem_whenARegistryExceptionIsMade_thenItsMessageIsOneLineNamingRegistryAndReference() {
        RegistryException e = new RegistryException(RegistryException.Reason.PROTOCOL, "localhost:5000",
                "localhost:5000/app:1", "unexpected answer:\n  <html>\n");
        assertEquals("localhost:5000: localhost:5000/app:1: unexpected answer: <html>", e.getMessage());
    }

    @Test
    void givenAHubReference_whenShownFamiliarly_thenDockerIoAndLibraryAreLeftOut() {
        assertEquals("busybox:latest", new ImageReference("docker.io", "library/busybox", "latest", null).familiarString());
        assertEquals("library/a/b:1", new ImageReference("docker.io", "library/a/b", "1", null).familiarString());
        assertEquals("team/app@" + D, new ImageReference("docker.io", "team/app", null, D).familiarString());
    }

    @Test
    void givenAReferenceWithTagAndDigest_whenAskedWhatToFetch_thenTheDigestWins() {
        ImageReference ref = new ImageReference("docker.io", "library/busybox", "1.36", D);
        assertEquals(D, ref.manifestReference());
        assertEquals("docker.io/library/busybox:1.36@" + D, ref.toString());
    }

    @Test
    void givenNeitherTagNorDigest_whenAReferenceIsMade_thenItIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ImageReference("docker.io", "library/busybox", null, null));
    }

    @Test
    void givenPlatformText_whenParsed_thenVariantIsOptional() {
        assertEquals(new Platform("linux", "arm64", "v8"), Platform.parse("linux/arm64/v8"));
        assertEquals("linux/amd64", Platform.parse("linux/amd64").toString());
        assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux"));
    }
}
