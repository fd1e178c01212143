package io.berth.spi.fs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primitive against a real kernel, each case twice: resolving with {@code openat2}, and with the
 * per-component walk a kernel without it gets. "outside" is a sibling of the root holding a file
 * every case checks is untouched.
 */
class SafeRootTest {
    private Path base;
    private Path root;
    private Path outside;

    @BeforeEach
    void setUp() throws IOException {
        base = Files.createTempDirectory("saferoot");
        root = Files.createDirectory(base.resolve("root"));
        outside = Files.createDirectory(base.resolve("outside"));
        Files.createDirectory(outside.resolve("sub"));
        Files.writeString(outside.resolve("secret"), "host secret");
    }

    @AfterEach
    void tearDown() throws IOException {
        SafeRoot.useOpenat2(true);
        try (Stream<Path> all = Files.walk(base)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private SafeRoot open(boolean openat2, SafeRoot.Symlinks mode) throws IOException {
        SafeRoot.useOpenat2(openat2);
        return SafeRoot.open(root, mode);
    }

    private void assertOutsideUntouched() throws IOException {
        try (Stream<Path> all = Files.list(outside)) {
            assertEquals(2, all.count(), "nothing new outside the root");
        }
        try (Stream<Path> all = Files.list(outside.resolve("sub"))) {
            assertEquals(0, all.count(), "nothing new outside the root");
        }
        assertEquals("host secret", Files.readString(outside.resolve("secret")));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside.resolve("secret"))));
    }

    private static void write(SafeFile f, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        f.write(b, 0, b.length);
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenASymlinkToAHostDir_whenAFileIsCreatedBelowIt_thenItLandsInsideTheRoot(boolean openat2) throws IOException {
        Files.createSymbolicLink(root.resolve("l"), outside);
        Files.createDirectories(root.resolve(outside.toString().substring(1)).resolve("sub"));
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT); SafeFile f = r.create("l/sub/file", 0644)) {
            write(f, "x");
        }
        assertTrue(Files.isRegularFile(root.resolve(outside.toString().substring(1)).resolve("sub/file")));
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenRefuseMode_whenAPathGoesThroughASymlink_thenOneLineNamesTheLink(boolean openat2) throws IOException {
        Files.createDirectory(root.resolve("d"));
        Files.createSymbolicLink(root.resolve("d/l"), outside);
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.REFUSE)) {
            SafeFsException e = assertThrows(SafeFsException.class, () -> r.create("d/l/sub/file", 0644));
            assertEquals(SafeFsException.Reason.ESCAPE, e.reason());
            assertTrue(e.getMessage().contains("\"d/l\""), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenDotDotAndRelativeLinksThatClimb_whenWritten_thenClampedAtTheRoot(boolean openat2) throws IOException {
        Files.createDirectory(root.resolve("d"));
        Files.createSymbolicLink(root.resolve("d/up"), Path.of("../../../../outside"));
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            r.mkdirs("d/up/sub", 0755);
            try (SafeFile f = r.create("../../outside/sub/f", 0600)) {
                write(f, "y");
            }
        }
        assertTrue(Files.isDirectory(root.resolve("outside/sub")));
        assertTrue(Files.isRegularFile(root.resolve("outside/sub/f")));
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenTheRootItself_whenItsMetadataIsSet_thenTheRootChanges(boolean openat2) throws IOException {
        // a layer's first entry is often "./", which carries the mode and times of the layer's root
        for (String name : new String[]{"./", ".", ""}) {
            try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
                r.setMeta(name, SafeRoot.Meta.of(0, 0, 0751, 1234, 0));
            }
            assertEquals("rwxr-x--x", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
            assertEquals(1234, Files.getLastModifiedTime(root).toMillis() / 1000);
            Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenASymlinkAtTheLastComponent_whenCreated_thenTheLinkIsReplacedNotFollowed(boolean openat2) throws IOException {
        Files.createSymbolicLink(root.resolve("f"), outside.resolve("secret"));
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            try (SafeFile f = r.create("f", 04755)) {
                write(f, "new");
            }
            r.setMeta("f", SafeRoot.Meta.of(0, 0, 0700, 1000, 0));
        }
        assertFalse(Files.isSymbolicLink(root.resolve("f")));
        assertEquals("new", Files.readString(root.resolve("f")));
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenANameTakenByAFileALinkOrADirectory_whenCreatedOrLinked_thenReplacedOrRefusedNeverFollowed(boolean openat2)
            throws IOException {
        Files.writeString(root.resolve("file"), "old");
        Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("sub/missing"));
        Files.createSymbolicLink(root.resolve("link"), outside.resolve("secret"));
        Files.createDirectory(root.resolve("dir"));
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.REFUSE)) {
            try (SafeFile f = r.create("file", 0644)) {
                write(f, "new");
            }
            try (SafeFile f = r.create("dangling", 0644)) {
                write(f, "made here");
            }
            r.symlink("link", "elsewhere");
            assertEquals(SafeFsException.Reason.IS_DIRECTORY, assertThrows(SafeFsException.class, () -> r.create("dir", 0644)).reason());
            assertEquals(SafeFsException.Reason.IS_DIRECTORY, assertThrows(SafeFsException.class, () -> r.symlink("dir", "x")).reason());
        }
        assertEquals("new", Files.readString(root.resolve("file")));
        assertFalse(Files.isSymbolicLink(root.resolve("dangling")));
        assertEquals("made here", Files.readString(root.resolve("dangling")));
        assertEquals(Path.of("elsewhere"), Files.readSymbolicLink(root.resolve("link")));
        assertTrue(Files.isDirectory(root.resolve("dir"), LinkOption.NOFOLLOW_LINKS));
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenAHardLinkThroughASymlinkedDir_whenLinked_thenNoHostFileIsReached(boolean openat2) throws IOException {
        Files.createSymbolicLink(root.resolve("e"), outside);
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            SafeFsException e = assertThrows(SafeFsException.class, () -> r.hardlink("leak", "e/secret"));
            assertEquals(SafeFsException.Reason.NOT_FOUND, e.reason());
            assertFalse(Files.exists(root.resolve("leak"), LinkOption.NOFOLLOW_LINKS));
        }
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenASymlinkToAHostFile_whenRead_thenTheRootsFileIsReadOrNothing(boolean openat2) throws IOException {
        Files.createSymbolicLink(root.resolve("s"), outside.resolve("secret"));
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            assertEquals(SafeFsException.Reason.NOT_FOUND,
                    assertThrows(SafeFsException.class, () -> r.openRead("s", true)).reason());
            assertEquals(SafeFsException.Reason.NOT_REGULAR,
                    assertThrows(SafeFsException.class, () -> r.openRead("s", false)).reason());
            Path inside = root.resolve(outside.toString().substring(1));
            Files.createDirectories(inside);
            Files.writeString(inside.resolve("secret"), "the root's own");
            try (SafeFile f = r.openRead("s", true)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                f.transferTo(out);
                assertEquals("the root's own", out.toString(StandardCharsets.UTF_8));
            }
            assertEquals("/" + outside.toString().substring(1) + "/secret", r.readlink("s"));
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenADeviceAndAFifo_whenRead_thenRefusedAndNeverOpened(boolean openat2) throws IOException {
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            r.mknod("null", Sys.S_IFCHR | 0666, 1, 3);
            r.mknod("fifo", Sys.S_IFIFO | 0644, 0, 0);
            Sys.Stat st = r.lstat("null");
            assertEquals(Sys.S_IFCHR, st.type());
            assertEquals(1, st.rdevMajor());
            assertEquals(3, st.rdevMinor());
            assertEquals(SafeFsException.Reason.NOT_REGULAR,
                    assertThrows(SafeFsException.class, () -> r.openRead("null", true)).reason());
            assertEquals(SafeFsException.Reason.NOT_REGULAR,
                    assertThrows(SafeFsException.class, () -> r.openRead("fifo", true)).reason());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenATreeWithALinkToAHostDir_whenRemoved_thenOnlyTheTreeGoes(boolean openat2) throws IOException {
        Files.createDirectories(root.resolve("t/a/b"));
        Files.writeString(root.resolve("t/a/b/f"), "x");
        Files.createSymbolicLink(root.resolve("t/a/host"), outside);
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            r.remove("t");
            r.remove("not-there");
        }
        assertFalse(Files.exists(root.resolve("t")));
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenMetadata_whenSet_thenOwnerModeTimeAndXattrStick(boolean openat2) throws IOException {
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.REFUSE)) {
            r.mkdir("d", 0750);
            r.symlink("d/l", "/nowhere");
            try (SafeFile f = r.create("d/f", 0644)) {
                f.chown(12, 34);
                f.chmod(04711);
                f.setTimes(5000, 7);
            }
            r.setMeta("d/l", SafeRoot.Meta.of(56, 78, 0777, 6000, 0));
            int refused = r.setMeta("d", new SafeRoot.Meta(1, 2, 01755, 7000, 0,
                    Map.of("user.berth", "v".getBytes(StandardCharsets.UTF_8))));
            Sys.Stat f = r.lstat("d/f");
            assertEquals(04711, f.mode() & 07777);
            assertEquals(12, f.uid());
            assertEquals(5000, f.mtimeSec());
            Sys.Stat l = r.lstat("d/l");
            assertTrue(l.isSymlink());
            assertEquals(56, l.uid());
            assertEquals(6000, l.mtimeSec());
            assertArrayEquals("/nowhere".getBytes(StandardCharsets.UTF_8), r.readlink(SafeRoot.bytes("d/l")));
            Sys.Stat d = r.lstat("d");
            assertEquals(01755, d.mode() & 07777);
            assertEquals(2, d.gid());
            assertEquals(7000, d.mtimeSec());
            assertTrue(refused == 0 || refused == Sys.EOPNOTSUPP);
            assertEquals(java.util.List.of("f", "l"), r.list("d").stream().sorted().toList());
            assertEquals(null, r.lstat("d/missing"));
            assertEquals(null, r.lstat("d/f/below-a-file"));
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenHostileNames_whenUsed_thenOneLineRefusals(boolean openat2) throws IOException {
        String nul = "..\u0000";
        String longComponent = "a".repeat(256);
        String longPath = "d/".repeat(2100);
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.REFUSE)) {
            for (String bad : new String[]{nul, "a/b\u0000c", longComponent, longPath}) {
                SafeFsException e = assertThrows(SafeFsException.class, () -> r.create(bad, 0644), bad);
                assertEquals(SafeFsException.Reason.BAD_NAME, e.reason());
                assertFalse(e.getMessage().contains("\n"));
                assertFalse(e.getMessage().contains("\u0000"));
            }
            assertEquals(SafeFsException.Reason.ESCAPE,
                    assertThrows(SafeFsException.class, () -> r.create("../x", 0644)).reason());
            assertEquals(SafeFsException.Reason.BAD_NAME,
                    assertThrows(SafeFsException.class, () -> r.symlink("ok", "a\u0000b")).reason());
        }
        try (Stream<Path> all = Files.list(root)) {
            assertEquals(0, all.count());
        }
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenAFileWhereADirIsNeeded_whenWrittenBelow_thenNotADirectory(boolean openat2) throws IOException {
        Files.writeString(root.resolve("f"), "x");
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            SafeFsException e = assertThrows(SafeFsException.class, () -> r.create("f/g", 0644));
            assertEquals(SafeFsException.Reason.NOT_DIRECTORY, e.reason());
            r.hardlink("g", "f");
            assertEquals(2, r.lstat("f").nlink());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenATreeWithLinksDevicesAndHardLinks_whenCopied_thenNodesAreMadeAndNoDeviceIsRead(boolean openat2) throws IOException {
        Path src = Files.createDirectory(base.resolve("src"));
        Files.createDirectories(src.resolve("d/e"));
        Files.writeString(src.resolve("d/e/f"), "content");
        Files.createLink(src.resolve("d/hard"), src.resolve("d/e/f"));
        Files.createSymbolicLink(src.resolve("d/secret"), outside.resolve("secret"));
        Files.createSymbolicLink(root.resolve("d"), outside); // the target's d leads to a host dir
        try (SafeRoot from = open(openat2, SafeRoot.Symlinks.FOLLOW_IN_ROOT);
             SafeRoot s = SafeRoot.open(src, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            Files.createDirectories(root.resolve(outside.toString().substring(1)));
            s.mknod("d/zero", Sys.S_IFCHR | 0666, 1, 5);
            s.mknod("d/fifo", Sys.S_IFIFO | 0600, 0, 0);
            TreeCopy.copyContents(s, "/", from, "/", new TreeCopy.Rules(7, 8, TreeCopy.Rules.KEEP, true));
            Path inside = root.resolve(outside.toString().substring(1));
            assertEquals("content", Files.readString(inside.resolve("e/f")));
            assertEquals(Files.getAttribute(inside.resolve("e/f"), "unix:ino"), Files.getAttribute(inside.resolve("hard"), "unix:ino"));
            assertEquals(7, Files.getAttribute(inside.resolve("e/f"), "unix:uid"));
            assertEquals(outside.resolve("secret"), Files.readSymbolicLink(inside.resolve("secret")));
            Sys.Stat zero = from.lstat(outside.toString() + "/zero");
            assertEquals(Sys.S_IFCHR, zero.type());
            assertEquals(5, zero.rdevMinor());
            assertEquals(Sys.S_IFIFO, from.lstat(outside.toString() + "/fifo").type());
            TreeCopy.copy(s, "d/zero", from, "copied-zero", TreeCopy.Rules.preserving());
            assertEquals(Sys.S_IFCHR, from.lstat("copied-zero").type());
        }
        assertOutsideUntouched();
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void givenADirectoryRemovedAndMadeAgain_whenWrittenInto_thenTheNewOneGetsTheFile(boolean openat2) throws IOException {
        try (SafeRoot r = open(openat2, SafeRoot.Symlinks.REFUSE)) {
            r.create("d/e/f", 0644).close();
            r.create("d/e/g", 0644).close();
            r.remove("d");
            r.create("d/e/h", 0644).close();
            assertEquals(java.util.List.of("h"), r.list("d/e"));
            r.remove("d/e");
            r.symlink("d/e", "/elsewhere");
            assertEquals(SafeFsException.Reason.ESCAPE,
                    assertThrows(SafeFsException.class, () -> r.create("d/e/i", 0644)).reason());
        }
        assertOutsideUntouched();
    }
}
