package io.berth.text.reference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** References split and qualified as Docker's reference package does. */
class ImageNameTest {
    @Test
    void givenReferences_thenNameTagDigestAndRegistry() {
        ImageName n = ImageName.split("busybox");
        assertEquals("busybox", n.name());
        assertNull(n.tag());
        assertEquals("docker.io", n.registry());
        assertEquals("docker.io/library/busybox:latest", n.qualified());

        n = ImageName.split("127.0.0.1:5000/team/app:1.2");
        assertEquals("127.0.0.1:5000/team/app", n.name());
        assertEquals("1.2", n.tag());
        assertEquals("127.0.0.1:5000", n.registry());
        assertEquals("127.0.0.1:5000/team/app:1.2", n.qualified());

        n = ImageName.split("localhost/app@sha256:abc");
        assertEquals("localhost", n.registry());
        assertEquals("sha256:abc", n.digest());
        assertEquals("localhost/app@sha256:abc", n.qualified());

        assertEquals("docker.io", ImageName.split("team/app:x").registry());
        assertEquals("docker.io/team/app:x", ImageName.split("team/app:x").qualified());
        assertEquals("docker.io/library/busybox:1", ImageName.split("docker.io/busybox:1").qualified());
        assertEquals("docker.io", ImageName.split("index.docker.io/library/busybox").registry());
        assertEquals("Host", ImageName.split("Host/app").registry(), "upper case makes a registry, as in Docker");
    }

    @Test
    void givenAPortInTheHost_thenItIsNotATag() {
        ImageName n = ImageName.parse("localhost:5000/app");
        assertEquals("localhost:5000", n.registry());
        assertEquals("app", n.repository());
        assertEquals("latest", n.tagOrLatest());
    }

    @Test
    void givenHubNames_thenLibraryAndLatestAsDocker() {
        ImageName n = ImageName.parse("index.docker.io/busybox");
        assertEquals("docker.io", n.registry());
        assertEquals("library/busybox", n.repository());
        String digest = "sha256:" + "a".repeat(64);
        ImageName byDigest = ImageName.parse("busybox@" + digest);
        assertNull(byDigest.tagOrLatest(), "a digest alone has no tag");
        assertEquals("docker.io/library/busybox@" + digest, byDigest.qualified());
    }

    @Test
    void givenABadReference_thenParseNamesTheProblemWhereSplitDoesNotJudge() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageName.parse("Busybox"));
        assertEquals("invalid reference \"Busybox\": the repository name \"library/Busybox\" must be lowercase", e.getMessage());
        assertEquals("Busybox", ImageName.split("Busybox").name());
    }
}
