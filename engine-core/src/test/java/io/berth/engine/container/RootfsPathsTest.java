package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsPathsTest {
    @TempDir
    Path rootfs;

    @Test
    void absoluteSymlinksResolveInsideTheRoot() throws Exception {
        Files.createDirectories(rootfs.resolve("real"));
        Files.createSymbolicLink(rootfs.resolve("link"), Path.of("/etc"));
        assertEquals(rootfs.resolve("etc/passwd"), RootfsPaths.resolve(rootfs, "/link/passwd"));
    }

    @Test
    void dotDotNeverClimbsAboveTheRoot() throws Exception {
        Files.createSymbolicLink(rootfs.resolve("up"), Path.of("../../../../.."));
        assertEquals(rootfs.resolve("x"), RootfsPaths.resolve(rootfs, "/up/x"));
        assertEquals(rootfs.resolve("y"), RootfsPaths.resolve(rootfs, "/../../y"));
    }

    @Test
    void resolveParentKeepsTheLastLinkItself() throws Exception {
        Files.createDirectories(rootfs.resolve("dir"));
        Files.createSymbolicLink(rootfs.resolve("dir/lnk"), Path.of("/etc"));
        assertEquals(rootfs.resolve("dir/lnk"), RootfsPaths.resolveParent(rootfs, "/dir/lnk"));
        assertEquals(rootfs.resolve("etc"), RootfsPaths.resolve(rootfs, "/dir/lnk"));
    }

    @Test
    void relativeSymlinksResolveFromTheirDirectory() throws Exception {
        Files.createDirectories(rootfs.resolve("a/b"));
        Files.createSymbolicLink(rootfs.resolve("a/b/c"), Path.of("../d"));
        assertEquals(rootfs.resolve("a/d/e"), RootfsPaths.resolve(rootfs, "/a/b/c/e"));
    }
}
