package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build context's unpack against hostile tars: "host" is a directory outside the context
 * standing for the host's files; it must read and stay exactly as it was.
 */
class BuildContextTest {
    @TempDir
    Path dir;
    private Path host;
    private Path context;

    @BeforeEach
    void setUp() throws IOException {
        host = Files.createDirectories(dir.resolve("host/existing-subdir"));
        host = dir.resolve("host");
        Files.writeString(host.resolve("hostname"), "the host's own name\n");
        context = dir.resolve("context");
    }

    private String hostTree() throws IOException {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> all = Files.walk(host)) {
            for (Path p : all.sorted().toList()) {
                b.append(host.relativize(p)).append(' ')
                        .append(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readString(p) : "dir").append('\n');
            }
        }
        return b.toString();
    }

    private static byte[] tar(Object[]... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Object[] e : entries) {
                String kind = (String) e[0];
                String name = (String) e[1];
                TarArchiveEntry entry = switch (kind) {
                    case "symlink" -> {
                        TarArchiveEntry s = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                        s.setLinkName((String) e[2]);
                        yield s;
                    }
                    case "hardlink" -> {
                        TarArchiveEntry h = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
                        h.setLinkName((String) e[2]);
                        yield h;
                    }
                    default -> new TarArchiveEntry(name);
                };
                byte[] content = kind.equals("file") ? ((String) e[2]).getBytes(StandardCharsets.UTF_8) : new byte[0];
                entry.setSize(content.length);
                t.putArchiveEntry(entry);
                t.write(content);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void defect1_givenASymlinkToAHostDirThenAFileBelowIt_whenUnpacked_thenNothingIsWrittenOnTheHost() throws IOException {
        String before = hostTree();
        byte[] tar = tar(new Object[]{"symlink", "l", host.toString()},
                new Object[]{"file", "l/existing-subdir/file", "written by the context"});
        BuildContext.unpack(new ByteArrayInputStream(tar), context);
        assertEquals(before, hostTree(), "the host directory is unchanged");
        Path inside = context.resolve(host.toString().substring(1)).resolve("existing-subdir/file");
        assertEquals("written by the context", Files.readString(inside), "the file lands inside the context");
    }

    @Test
    void defect1_givenAHardLinkThroughASymlinkedDir_whenUnpacked_thenNoHostFileIsReadIntoTheContext() throws IOException {
        String before = hostTree();
        byte[] tar = tar(new Object[]{"symlink", "e", host.toString()}, new Object[]{"hardlink", "leak", "e/hostname"});
        BuildException e = assertThrows(BuildException.class, () -> BuildContext.unpack(new ByteArrayInputStream(tar), context));
        assertTrue(e.getMessage().startsWith("invalid build context: entry \"leak\""), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(Files.exists(context.resolve("leak"), LinkOption.NOFOLLOW_LINKS), "no copy of the host's file");
        assertEquals(before, hostTree());
    }

    @Test
    void givenNamesWithANulOrClimbingOut_whenUnpacked_thenRefusedInOneLine() throws IOException {
        for (String bad : new String[]{"p".repeat(100) + "/..\u0000", "../x", "a/" + "n".repeat(256)}) {
            byte[] tar = tar(new Object[]{"file", bad, "x"});
            Path target = dir.resolve("ctx-" + Math.abs(bad.hashCode()));
            BuildException e = assertThrows(BuildException.class, () -> BuildContext.unpack(new ByteArrayInputStream(tar), target), bad);
            assertTrue(e.getMessage().startsWith("invalid build context"), e.getMessage());
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\u0000"), e.getMessage());
        }
    }

    @Test
    void givenOrdinaryEntries_whenUnpacked_thenFilesLinksAndModesAreKept() throws IOException {
        byte[] tar = tar(new Object[]{"dir", "d/"}, new Object[]{"file", "d/f", "content"},
                new Object[]{"symlink", "d/l", "f"}, new Object[]{"hardlink", "d/h", "d/f"});
        BuildContext.unpack(new ByteArrayInputStream(tar), context);
        assertEquals("content", Files.readString(context.resolve("d/f")));
        assertEquals(Path.of("f"), Files.readSymbolicLink(context.resolve("d/l")));
        assertEquals("content", Files.readString(context.resolve("d/h")));
        assertEquals(Files.getAttribute(context.resolve("d/f"), "unix:ino"), Files.getAttribute(context.resolve("d/h"), "unix:ino"));
    }
}
