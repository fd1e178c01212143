package io.berth.cli.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** References split and qualified as Docker's reference package does. */
class ImageNameTest {
    @Test
    void givenReferences_thenNameTagDigestAndRegistry() {
        ImageName n = ImageName.parse("busybox");
        assertEquals("busybox", n.name());
        assertNull(n.tag());
        assertEquals("docker.io", n.registry());
        assertEquals("docker.io/library/busybox:latest", n.qualified());

        n = ImageName.parse("127.0.0.1:5000/team/app:1.2");
        assertEquals("127.0.0.1:5000/team/app", n.name());
        assertEquals("1.2", n.tag());
        assertEquals("127.0.0.1:5000", n.registry());
        assertEquals("127.0.0.1:5000/team/app:1.2", n.qualified());

        n = ImageName.parse("localhost/app@sha256:abc");
        assertEquals("localhost", n.registry());
        assertEquals("sha256:abc", n.digest());
        assertEquals("localhost/app@sha256:abc", n.qualified());

        assertEquals("docker.io", ImageName.parse("team/app:x").registry());
        assertEquals("docker.io/team/app:x", ImageName.parse("team/app:x").qualified());
        assertEquals("docker.io/library/busybox:1", ImageName.parse("docker.io/busybox:1").qualified());
        assertEquals("docker.io", ImageName.parse("index.docker.io/library/busybox").registry());
        assertEquals("Host", ImageName.parse("Host/app").registry(), "upper case makes a registry, as in Docker");
    }
}
