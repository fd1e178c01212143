package io.berth.plugin.overlayfs;

import io.berth.spi.fs.MountTable;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.TarWriter;
import io.berth.spi.Digests;
import io.berth.spi.Probe;
import io.berth.spi.storage.ChainIds;
import io.berth.spi.storage.StorageException;
import io.berth.spi.tck.LayerTar;
import io.berth.spi.tck.Mounts;
import io.berth.spi.tck.TestPluginContext;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OverlayfsDriverTest {

    @TempDir
    Path dir;

    private final List<OverlayfsDriver> drivers = new ArrayList<>();

    @AfterEach
    void noMountLeft() {
        List<Path> left = Mounts.detachAll(dir);
        assertEquals(List.of(), left, "mounts were left behind");
    }

    private OverlayfsDriver driver(Map<String, String> options) {
        OverlayfsDriver d = new OverlayfsDriver();
        d.initialize(TestPluginContext.in(dir, OverlayfsDriver.PLUGIN_ID, options));
        drivers.add(d);
        return d;
    }

    @Test
    void givenAKernelWithoutOverlay_whenChecked_thenTheCheckFailsSayingHowToLoadIt() throws IOException {
        Path fake = Files.writeString(dir.resolve("filesystems"), "nodev\tsysfs\nnodev\ttmpfs\n\text4\n");
        Probe.Check check = OverlayfsDriver.kernelCheck(fake);
        assertFalse(check.passed());
        assertTrue(check.detail().contains("modprobe overlay"), check.detail());
    }

    @Test
    void givenAKernelWithOverlay_whenChecked_thenTheCheckPasses() throws IOException {
        Path fake = Files.writeString(dir.resolve("filesystems"), "nodev\tsysfs\nnodev\toverlay\n\text4\n");
        assertTrue(OverlayfsDriver.kernelCheck(fake).passed());
    }

    @Test
    void givenAMissingProcFile_whenChecked_thenTheCheckFailsNamingIt() {
        Probe.Check check = OverlayfsDriver.kernelCheck(dir.resolve("absent"));
        assertFalse(check.passed());
        assertTrue(check.detail().contains(dir.resolve("absent").toString()), check.detail());
    }

    // ------------------------------------------------------------------ the tar codec

    @Test
    void givenEntriesWithBinaryXattrsLongNamesAndLargeNumbers_whenWrittenAndReadBack_thenEveryByteSurvives() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        byte[] longName = ("x".repeat(150) + "/\u00e9t\u00e9").getBytes(StandardCharsets.UTF_8);
        byte[] latin1Name = {'c', 'a', 'f', (byte) 0xe9};
        byte[] cap = {1, 0, 0, 2, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        TreeMap<String, byte[]> xattrs = new TreeMap<>(Map.of("security.capability", cap));
        w.begin(longName, '0', 04755, 3_000_000_000L, 7, 3, 1_700_000_000L, null, 0, 0, xattrs);
        w.write(new byte[]{'a', 'b', 'c'}, 0, 3);
        w.begin(latin1Name, '2', 0777, 0, 0, 0, 5, "t".repeat(120).getBytes(StandardCharsets.US_ASCII), 0, 0, Map.of());
        w.begin("dev".getBytes(StandardCharsets.US_ASCII), '3', 0600, 0, 0, 0, 5, null, 4095, 1_048_575, Map.of());
        w.finish();

        TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()));
        TarReader.Entry e = r.next();
        assertArrayEquals(longName, e.name());
        assertEquals(04755, e.mode());
        assertEquals(3_000_000_000L, e.uid());
        assertEquals(7, e.gid());
        assertEquals(1_700_000_000L, e.mtimeSec());
        assertArrayEquals(cap, e.xattrs().get("security.capability"));
        byte[] content = new byte[3];
        assertEquals(3, r.read(content, 0, 3));
        assertArrayEquals(new byte[]{'a', 'b', 'c'}, content);
        TarReader.Entry link = r.next();
        assertArrayEquals(latin1Name, link.name());
        assertEquals("t".repeat(120), new String(link.linkName(), StandardCharsets.US_ASCII));
        TarReader.Entry dev = r.next();
        assertEquals(4095, dev.devMajor());
        assertEquals(1_048_575, dev.devMinor());
        assertNull(r.next());
    }

    @Test
    void givenACommonsCompressTarInGnuFormatWithStarNumbers_whenRead_thenNamesSizesAndOwnersAreRight() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
            TarArchiveEntry e = new TarArchiveEntry("g/" + "n".repeat(200));
            e.setSize(2);
            e.setUserId(10_000_000L);
            tar.putArchiveEntry(e);
            tar.write(new byte[]{1, 2});
            tar.closeArchiveEntry();
            TarArchiveEntry l = new TarArchiveEntry("l", TarArchiveEntry.LF_SYMLINK);
            l.setLinkName("target/" + "t".repeat(200));
            tar.putArchiveEntry(l);
            tar.closeArchiveEntry();
        }
        TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()));
        TarReader.Entry e = r.next();
        assertEquals("g/" + "n".repeat(200), e.displayName());
        assertEquals(2, e.size());
        assertEquals(10_000_000L, e.uid());
        TarReader.Entry l = r.next();
        assertEquals("target/" + "t".repeat(200), new String(l.linkName(), StandardCharsets.UTF_8));
        assertNull(r.next());
    }

    @Test
    void givenGarbage_whenReadAsTar_thenAFormatErrorNamesTheOffset() {
        byte[] junk = new byte[1024];
        java.util.Arrays.fill(junk, (byte) 'z');
        TarReader.FormatException e = assertThrows(TarReader.FormatException.class,
                () -> new TarReader(new ByteArrayInputStream(junk)).next());
        assertTrue(e.getMessage().contains("byte 0"), e.getMessage());
    }

    // ------------------------------------------------------------------ driver behaviour beyond the kit

    @Test
    void givenNamesThatAreNotUtf8_whenAppliedDiffedAndReappliedWithoutAUtf8Locale_thenTheBytesSurvive() throws Exception {
        OverlayfsDriver d = driver(Map.of());
        byte[] name = {'c', 'a', 'f', (byte) 0xe9};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.begin(name, '0', 0644, 0, 0, 1, 5, null, 0, 0, Map.of());
        w.write(new byte[]{'x'}, 0, 1);
        w.finish();
        byte[] tar = out.toByteArray();
        String base = d.applyLayer(Digests.sha256(tar), null, new ByteArrayInputStream(tar)).chainId();
        d.prepare("s", base);
        try {
            ByteArrayOutputStream diff = new ByteArrayOutputStream();
            try (Sys sys = new Sys()) {
                byte[] upper = StoreLayout.nativePath(dir.resolve("root/plugins/store-overlayfs/snapshots/s/upper"));
                byte[] file = Sys.join(upper, new byte[]{'n', (byte) 0xff});
                int fd = sys.open(file, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL, 0644);
                sys.close(fd, file);
            }
            d.diff("s", diff);
            TarReader r = new TarReader(new ByteArrayInputStream(diff.toByteArray()));
            assertArrayEquals(new byte[]{'n', (byte) 0xff}, r.next().name());
        } finally {
            d.removeSnapshot("s");
        }
        d.removeLayer(base);
    }

    @Test
    void givenDevicesRefused_whenALayerHoldsADevice_thenItIsRefusedNamingTheEntry() {
        OverlayfsDriver d = driver(Map.of("device-nodes", "refuse"));
        LayerTar tar = LayerTar.create().charDevice("dev/sda", 8, 0, 0660);
        StorageException e = assertThrows(StorageException.class, () -> d.applyLayer(ChainIds.next(null, tar.diffId()), null, tar.stream()));
        assertEquals(StorageException.Reason.HOSTILE_CONTENT, e.reason());
        assertTrue(e.getMessage().contains("dev/sda"), e.getMessage());
    }

    @Test
    void givenAbsoluteNamesStripped_whenALayerHasAnAbsoluteName_thenItLandsInsideTheLayer() throws Exception {
        OverlayfsDriver d = driver(Map.of("absolute-names", "strip"));
        LayerTar tar = LayerTar.create().file("/etc/inside", "x").hardlink("/etc/again", "/etc/inside");
        String chainId = d.applyLayer(ChainIds.next(null, tar.diffId()), null, tar.stream()).chainId();
        Path diff = dir.resolve("root/plugins/store-overlayfs/layers").resolve(Digests.hex(chainId)).resolve("diff");
        assertEquals("x", Files.readString(diff.resolve("etc/inside")));
        assertEquals(Files.getAttribute(diff.resolve("etc/inside"), "unix:ino"), Files.getAttribute(diff.resolve("etc/again"), "unix:ino"));
    }

    @Test
    void givenAnUnpackThatDiedHalfWay_whenTheDriverStarts_thenItsTemporaryDirectoryIsGoneAndTheLayerAbsent() throws Exception {
        Path data = TestPluginContext.in(dir, OverlayfsDriver.PLUGIN_ID, Map.of()).dataDirectory();
        Path half = Files.createDirectories(data.resolve("tmp/0123456789ab-half/diff/usr/bin"));
        Files.writeString(half.resolve("sh"), "half");
        Files.createDirectories(data.resolve("l"));
        Files.createSymbolicLink(data.resolve("l/DANGLINGLINK"), Path.of("../layers/nothing/diff"));
        OverlayfsDriver d = driver(Map.of());
        try (var left = Files.list(data.resolve("tmp"))) {
            assertEquals(0, left.count());
        }
        assertFalse(Files.exists(data.resolve("l/DANGLINGLINK"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of(), d.listLayers());
    }

    @Test
    void givenMoreLayersThanOnePageOfOptionsCanName_whenMounted_thenUnsupportedNamingTheLayerCount() throws Exception {
        OverlayfsDriver d = driver(Map.of());
        String chain = null;
        for (int i = 0; i < 240; i++) {
            LayerTar tar = LayerTar.create().file("f" + i, "x");
            chain = d.applyLayer(ChainIds.next(chain, tar.diffId()), chain, tar.stream()).chainId();
        }
        d.prepare("tall", chain);
        try {
            StorageException e = assertThrows(StorageException.class, () -> d.mount("tall"));
            assertEquals(StorageException.Reason.UNSUPPORTED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("240 layers"), e.getMessage());
        } finally {
            d.removeSnapshot("tall");
        }
    }

    // ------------------------------------------------------------------ issue 15, defect 6: NUL in names

    /** One 512-byte ustar header, written by hand so a test can put any byte in a name. */
    private static byte[] header(byte[] name, char type, int mode, long uid, long size) {
        byte[] h = new byte[512];
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, uid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_000_000);
        h[156] = (byte) type;
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
    }

    private static void withData(ByteArrayOutputStream out, byte[] header, byte[] data) {
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }

    /** A tar whose directory entry is named {@code ..\0} through a PAX path or a GNU long name. */
    private static byte[] nulNamedDirectory(boolean pax) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] evil = {'.', '.', 0, 'x'};
        if (pax) {
            byte[] rec = new byte[]{'1', '3', ' ', 'p', 'a', 't', 'h', '=', '.', '.', 0, 'x', '\n'};
            withData(out, header("PaxHeaders/x".getBytes(StandardCharsets.US_ASCII), 'x', 0644, 0, rec.length), rec);
        } else {
            withData(out, header("././@LongLink".getBytes(StandardCharsets.US_ASCII), 'L', 0644, 0, evil.length + 1),
                    new byte[]{'.', '.', 0, 'x', 0});
        }
        out.writeBytes(header("placeholder".getBytes(StandardCharsets.US_ASCII), '5', 0777, 4321, 0));
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    @Test
    void defect6_givenAPaxPathWithANul_whenApplied_thenRefusedInOneLineAndTheLayersParentUntouched() throws Exception {
        assertNulNameRefused(true);
    }

    @Test
    void defect6_givenAGnuLongNameWithANul_whenApplied_thenRefusedInOneLineAndTheLayersParentUntouched() throws Exception {
        assertNulNameRefused(false);
    }

    private void assertNulNameRefused(boolean pax) throws Exception {
        OverlayfsDriver d = driver(Map.of());
        Path tmp = dir.resolve("root/plugins/store-overlayfs/tmp");
        Object modeBefore = Files.getAttribute(tmp, "unix:mode");
        Object ownerBefore = Files.getAttribute(tmp, "unix:uid");
        byte[] tar = nulNamedDirectory(pax);
        StorageException e = assertThrows(StorageException.class,
                () -> d.applyLayer(ChainIds.next(null, Digests.sha256(tar)), null, new ByteArrayInputStream(tar)));
        assertEquals(StorageException.Reason.HOSTILE_CONTENT, e.reason());
        assertTrue(e.getMessage().contains("..\\0x") && e.getMessage().contains("NUL"), e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\u0000"), e.getMessage());
        assertEquals(modeBefore, Files.getAttribute(tmp, "unix:mode"), "the layer's parent directory kept its mode");
        assertEquals(ownerBefore, Files.getAttribute(tmp, "unix:uid"), "the layer's parent directory kept its owner");
    }

    // ------------------------------------------------------------------ issue 15, defect 7: overlay mounts are nodev

    @Test
    void defect7_givenALayerWithADeviceNode_whenItsSnapshotIsMounted_thenTheMountIsNodevAndTheDeviceCannotBeOpened() throws Exception {
        OverlayfsDriver d = driver(Map.of());
        LayerTar tar = LayerTar.create().charDevice("dev-zero", 1, 5, 0666).file("f", "x");
        String chainId = d.applyLayer(ChainIds.next(null, tar.diffId()), null, tar.stream()).chainId();
        d.prepare("nodev", chainId);
        try {
            Path merged = d.mount("nodev").target();
            String options = MountTable.read().stream()
                    .filter(m -> m.mountPoint().equals(merged)).findFirst().orElseThrow().options();
            assertTrue(options.contains("nodev"), options);
            assertFalse(options.contains("nosuid"), "setuid programs keep working, as in Docker: " + options);
            assertThrows(java.nio.file.AccessDeniedException.class, () -> {
                try (var in = Files.newInputStream(merged.resolve("dev-zero"))) {
                    in.read();
                }
            });
            assertEquals("x", Files.readString(merged.resolve("f")));
        } finally {
            d.unmount("nodev");
            d.removeSnapshot("nodev");
        }
    }
}
