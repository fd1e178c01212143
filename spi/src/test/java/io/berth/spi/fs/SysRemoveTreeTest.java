package io.berth.spi.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysRemoveTreeTest {

    @Test
    void givenATreeWithALinkOutOfIt_whenRemovedByPath_thenTheTreeGoesAndTheLinksTargetStays(@TempDir Path tmp) throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "kept");
        Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file"), "x");
        Files.createSymbolicLink(tmp.resolve("tree/a/link"), outside);

        try (Sys sys = new Sys()) {
            sys.removeTree(tmp.resolve("tree"));
        }

        assertFalse(Files.exists(tmp.resolve("tree")));
        assertTrue(Files.exists(outside.resolve("keep")), "a link in the tree is removed, never followed");
    }

    @Test
    void givenAPathThatIsNotThere_whenRemoved_thenNothingHappens(@TempDir Path tmp) throws Exception {
        try (Sys sys = new Sys()) {
            sys.removeTree(tmp.resolve("missing"));
        }
        assertTrue(Files.isDirectory(tmp));
    }

    @Test
    void givenARelativePath_whenNamedForTheKernel_thenItIsMadeAbsolute() {
        Path relative = Path.of("some/dir");
        assertArrayEquals(relative.toAbsolutePath().toString().getBytes(), Sys.fileName(relative));
    }
}
