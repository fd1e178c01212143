package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageUsersTest {
    @TempDir
    Path rootfs;

    private void files() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nwww:x:33:\nstaff:x:50:www,bob\nadm:x:4:www\n");
    }

    @Test
    void namesAreResolvedWithSupplementaryGroups() throws Exception {
        files();
        ImageUsers.Identity www = ImageUsers.resolve(rootfs, "www");
        assertEquals(33, www.uid());
        assertEquals(33, www.gid());
        assertEquals(List.of(33, 50, 4), www.additionalGids());
        assertEquals("/var/www", www.home());
    }

    @Test
    void groupsCanBeNamedOrNumbered() throws Exception {
        files();
        assertEquals(50, ImageUsers.resolve(rootfs, "www:staff").gid());
        assertEquals(7, ImageUsers.resolve(rootfs, "www:7").gid());
        assertEquals(List.of(50), ImageUsers.resolve(rootfs, "www:staff").additionalGids(), "a named group is the only one, as Docker");
    }

    @Test
    void aNumericUidNotInPasswdGetsGroupZero() throws Exception {
        files();
        ImageUsers.Identity unknown = ImageUsers.resolve(rootfs, "4242");
        assertEquals(4242, unknown.uid());
        assertEquals(0, unknown.gid());
    }

    @Test
    void anUnknownNameIsRefusedAsDockerWordsIt() throws Exception {
        files();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageUsers.resolve(rootfs, "nobody"));
        assertEquals("unable to find user nobody: no matching entries in passwd file", e.getMessage());
    }

    @Test
    void aPasswdSymlinkPointingOutsideTheRootIsReadInsideIt() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createDirectories(rootfs.resolve("real"));
        Files.writeString(rootfs.resolve("real/passwd"), "app:x:1000:1000::/app:/bin/sh\n");
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/real/passwd"));
        assertEquals(1000, ImageUsers.resolve(rootfs, "app").uid());
    }

    @Test
    void defect8_aPasswdFileLargerThanTheCapIsRefusedWithOneLineNotReadWhole() throws Exception {
        files();
        // sparse: 4 GiB that would not fit in one array, read whole today
        try (var file = java.nio.channels.FileChannel.open(rootfs.resolve("etc/passwd"), java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap("\nbob:x:1000:1000::/home/bob:/bin/sh\n".getBytes()), 4L << 30);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageUsers.resolve(rootfs, "bob"));
        assertEquals("unable to read /etc/passwd of the image: it is larger than 32 MiB", e.getMessage());
        // the user is found in the first line without reading on
        assertEquals(0, ImageUsers.resolve(rootfs, "root").uid());
    }

    @Test
    void defect8_aLineOverTheCapIsSkippedAndTheEntriesAroundItAreFound() throws Exception {
        files();
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n" + "big:x:9:" + "m,".repeat(ImageUsers.MAX_LINE) + "www\nstaff:x:50:www\n");
        ImageUsers.Identity www = ImageUsers.resolve(rootfs, "www");
        assertEquals(List.of(33, 50), www.additionalGids());
    }
}
