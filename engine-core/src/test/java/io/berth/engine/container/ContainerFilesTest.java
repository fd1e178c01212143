package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.spi.fs.SafeRoot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cp's tar in and out of a directory opened as the container's root, without a daemon. */
class ContainerFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aTreeFromTheHostsTarIsPlacedWithItsLinkAndReadBack() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/tree/sub"));
        Files.writeString(source.resolve("b"), "deep\n");
        Files.createSymbolicLink(tmp.resolve("src/tree/link"), Path.of("sub/b"));
        Process tar = new ProcessBuilder("tar", "-c", "-f", "-", "-C", tmp.resolve("src").toString(),
                "--owner=0", "--group=0", "--numeric-owner", "--", "tree").start();
        byte[] archive = tar.getInputStream().readAllBytes();
        assertEquals(0, tar.waitFor());
        Path container = Files.createDirectories(tmp.resolve("rootfs"));
        try (SafeRoot root = SafeRoot.open(container, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            ContainerFiles.copyIn(root, "/", new ByteArrayInputStream(archive));
            assertEquals("deep\n", Files.readString(container.resolve("tree/sub/b")));
            assertEquals("sub/b", Files.readSymbolicLink(container.resolve("tree/link")).toString());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ContainerFiles.copyOut(root, "/tree", out);
            Map<String, String> entries = new TreeMap<>();
            try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
                TarArchiveEntry e;
                while ((e = in.getNextEntry()) != null) {
                    entries.put(e.getName(), e.isSymbolicLink() ? "-> " + e.getLinkName() : new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(Map.of("tree/", "", "tree/link", "-> sub/b", "tree/sub/", "", "tree/sub/b", "deep\n"), entries);
        }
    }

    @Test
    void anEntryClimbingOutOfTheDestinationIsRefusedNamingIt() throws Exception {
        Path container = Files.createDirectories(tmp.resolve("rootfs/dest"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
            TarArchiveEntry entry = new TarArchiveEntry("../up");
            entry.setSize(1);
            tar.putArchiveEntry(entry);
            tar.write('x');
            tar.closeArchiveEntry();
        }
        try (SafeRoot root = SafeRoot.open(tmp.resolve("rootfs"), SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            ContainerException e = assertThrows(ContainerException.class, () -> ContainerFiles.copyIn(root, "/dest", new ByteArrayInputStream(bytes.toByteArray())));
            assertTrue(e.getMessage().contains("../up"), e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("rootfs/up")));
    }

    @Test
    void aBodyThatIsNoTarIsRefusedInOneLineAndWritesNothing() throws Exception {
        Path container = Files.createDirectories(tmp.resolve("rootfs"));
        byte[] garbage = new byte[1024];
        java.util.Arrays.fill(garbage, (byte) 'x');
        try (SafeRoot root = SafeRoot.open(container, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            ContainerException e = assertThrows(ContainerException.class, () -> ContainerFiles.copyIn(root, "/", new ByteArrayInputStream(garbage)));
            assertEquals(ContainerException.Kind.INVALID, e.kind());
            assertTrue(e.getMessage().startsWith("the body is not a tar archive") && !e.getMessage().contains("\n"), e.getMessage());
        }
        try (var list = Files.list(container)) {
            assertEquals(0, list.count());
        }
    }

    @Test
    void aLinksTargetIsResolvedInsideTheRoot() throws Exception {
        Path container = Files.createDirectories(tmp.resolve("rootfs/etc"));
        Files.createSymbolicLink(container.resolve("x"), Path.of("/etc"));
        Files.createSymbolicLink(container.resolve("chained"), Path.of("/x/shadow"));
        Files.createSymbolicLink(container.resolve("climbing"), Path.of("../../../../etc/shadow"));
        try (SafeRoot root = SafeRoot.open(container, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            assertEquals("/etc/shadow", ContainerPaths.resolve(root, "/chained"));
            assertEquals("/etc/shadow", ContainerPaths.resolve(root, "/climbing"));
            assertEquals("/etc", ContainerPaths.resolve(root, "/x/"));
        }
    }
}
