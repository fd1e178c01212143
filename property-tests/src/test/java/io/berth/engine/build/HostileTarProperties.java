package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.berth.engine.container.VolumeService;
import io.berth.plugin.overlayfs.OverlayfsDriver;
import io.berth.spi.Digests;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.TreeCopy;
import io.berth.spi.storage.ChainIds;
import io.berth.spi.storage.StorageException;
import io.berth.spi.tck.TestPluginContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The hostile corpus: random tars of the entries attackers use — {@code ..}, absolute names,
 * names with NUL bytes (in a PAX {@code path} and in a GNU long name), over-long names, symbolic
 * links leading out (absolute, relative, chains and loops), hard links leading out or through a
 * symbolic link, device nodes, fifos, whiteouts outside their directory, setuid files — run
 * through every extraction and copy path berth has: the overlayfs driver's layer unpack, the
 * build context's unpack, {@code ADD} of a local tar, {@code COPY} (a tree copy between roots) and
 * the filling of a volume from an image. A sentinel directory standing for the host's files
 * (named by the entries' absolute and relative links) is hashed before and after every try and
 * must not change; nothing may appear next to the targets; every refusal is one line.
 */
class HostileTarProperties {
    private static final Path SANDBOX = Path.of(System.getProperty("java.io.tmpdir"),
            "berth-hostile-" + ProcessHandle.current().pid());
    private static final Path HOST = SANDBOX.resolve("host");
    private static String hostHash;
    private static int tries;

    @BeforeContainer
    static void sentinel() throws IOException {
        Files.createDirectories(HOST.resolve("sub"));
        Files.writeString(HOST.resolve("secret"), "host secret\n");
        Files.writeString(HOST.resolve("sub/hostname"), "the host\n");
        hostHash = hash(HOST);
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        deleteTree(SANDBOX);
    }

    /** A tar entry as an attacker writes it: any name bytes, in ustar, a PAX record or a GNU long name. */
    record Entry(char type, byte[] name, byte[] link, int mode, int major, int minor, String how) {
        @Override
        public String toString() {
            return type + " " + SafeRoot.quote(name) + (link.length > 0 ? " -> " + SafeRoot.quote(link) : "")
                    + " " + Integer.toOctalString(mode) + " " + how;
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Arbitrary<byte[]> names() {
        String host = HOST.toString();
        return Arbitraries.of(
                b("a"), b("d"), b("d/f"), b("d/e/f"), b("l"), b("l/f"), b("l/sub/f"), b("l/sub/new"), b("m/f"),
                b("e/x"), b(".wh.a"), b("d/.wh.f"), b("l/.wh.secret"), b("d/.wh..wh..opq"), b("l/.wh..wh..opq"),
                b(".wh.."), b("../x"), b("../../host/secret"), b("/abs"), b(host + "/pwned"), b("d/../../x"),
                new byte[]{'.', '.', 0}, new byte[]{'a', 0, 'b'}, new byte[]{'d', '/', '.', '.', 0, '/', 'x'},
                b("n".repeat(256)), b("d/".repeat(2100) + "f"), b("./l/sub/hostname"), b("l/secret"));
    }

    private static Arbitrary<byte[]> linkTargets() {
        String host = HOST.toString();
        return Arbitraries.of(b(host), b(host + "/sub"), b("../host"), b("../../host"), b("../../../" + host.substring(1)),
                b("/"), b("m"), b("l"), b("l/sub"), b("/etc"), b(host + "/secret"), new byte[]{'x', 0, 'y'});
    }

    private static Arbitrary<byte[]> hardlinkTargets() {
        String host = HOST.toString();
        return Arbitraries.of(b("l/secret"), b("e/secret"), b("l/sub/hostname"), b("../host/secret"), b(host + "/secret"),
                b("d/f"), b("a"), b("l"), b("d"), new byte[]{'a', 0});
    }

    @Provide
    Arbitrary<List<Entry>> hostileTars() {
        Arbitrary<Character> types = Arbitraries.of('0', '0', '5', '2', '2', '1', '3', '4', '6');
        Arbitrary<Integer> modes = Arbitraries.of(0644, 0755, 04755, 02755, 01777, 0600);
        Arbitrary<String> hows = Arbitraries.of("ustar", "ustar", "pax", "gnu");
        Arbitrary<Entry> entry = Combinators.combine(types, names(), linkTargets(), hardlinkTargets(), modes, hows)
                .as((type, name, symTarget, hardTarget, mode, how) -> new Entry(type, name,
                        type == '2' ? symTarget : type == '1' ? hardTarget : new byte[0], mode,
                        type == '4' ? 8 : 1, type == '4' ? 0 : 3, how));
        return entry.list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 25)
    void givenAHostileTar_whenEveryPathExtractsOrCopiesIt_thenTheHostIsUntouchedAndEachRefusalIsOneLine(
            @ForAll("hostileTars") List<Entry> entries) throws Exception {
        int n = ++tries;
        Path work = Files.createDirectories(SANDBOX.resolve("try-" + n));
        byte[] tar = tar(entries);
        try {
            // 1. a layer, through the overlayfs driver
            OverlayfsDriver driver = new OverlayfsDriver();
            driver.initialize(TestPluginContext.in(work.resolve("driver"), "store-overlayfs", Map.of()));
            try {
                driver.applyLayer(ChainIds.next(null, Digests.sha256(tar)), null, new ByteArrayInputStream(tar));
                Statistics.label("layer").collect("applied");
            } catch (StorageException e) {
                oneLine(e.getMessage());
                Statistics.label("layer").collect("refused");
            }
            checkHost(entries);

            // 2. a build context
            Path context = work.resolve("context");
            boolean unpacked = false;
            try {
                BuildContext.unpack(new ByteArrayInputStream(tar), context);
                unpacked = true;
                Statistics.label("context").collect("unpacked");
            } catch (BuildException | IOException e) {
                oneLine(e.getMessage());
                Statistics.label("context").collect("refused");
            }
            checkHost(entries);

            // 3. ADD of a local tar into a root
            Path added = Files.createDirectories(work.resolve("add"));
            try (SafeRoot root = SafeRoot.open(added, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
                root.mkdirs("/dst", 0755);
                CopyWriter.extract(root, new ByteArrayInputStream(tar), "hostile.tar", "/dst", -1, -1);
            } catch (BuildException | IOException e) {
                oneLine(e.getMessage());
            }
            checkHost(entries);

            if (unpacked) {
                // 4. COPY: what the context holds, copied into another root
                Path copied = Files.createDirectories(work.resolve("copy"));
                try (SafeRoot from = SafeRoot.open(context, SafeRoot.Symlinks.FOLLOW_IN_ROOT);
                     SafeRoot to = SafeRoot.open(copied, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
                    TreeCopy.copyContents(from, "/", to, "/app", new TreeCopy.Rules(1000, 1000, TreeCopy.Rules.KEEP, true));
                } catch (IOException e) {
                    oneLine(e.getMessage());
                }
                checkHost(entries);
                // 5. a volume filled from "the image" (the context standing for a container's root)
                Path volume = Files.createDirectories(work.resolve("volume"));
                try {
                    VolumeService.populate(volume, context, "/l");
                    VolumeService.populate(Files.createDirectories(work.resolve("volume2")), context, "/");
                } catch (IOException e) {
                    oneLine(e.getMessage());
                }
                checkHost(entries);
            }
            try (Stream<Path> top = Files.list(SANDBOX)) {
                assertEquals(List.of("host", "try-" + n), top.map(p -> p.getFileName().toString()).sorted().toList(),
                        "nothing appears beside the targets: " + entries);
            }
        } finally {
            deleteTree(work);
        }
    }

    private static void oneLine(String message) {
        assertFalse(message == null || message.isBlank(), "a refusal says why");
        assertFalse(message.contains("\n") || message.contains("\r") || message.contains("\u0000"),
                "a refusal is one printable line: " + message);
    }

    private static void checkHost(List<Entry> entries) throws IOException {
        assertEquals(hostHash, hash(HOST), "the host's files are unchanged after " + entries);
    }

    /** Types, modes, owners, link targets and contents of a tree, as one digest. */
    private static String hash(Path dir) throws IOException {
        MessageDigest sha = Digests.newSha256();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted().toList()) {
                sha.update(b(dir.relativize(p) + " " + Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)
                        + " " + Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                        + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS) + "\n"));
                if (Files.isSymbolicLink(p)) {
                    sha.update(b(Files.readSymbolicLink(p).toString()));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    sha.update(Files.readAllBytes(p));
                }
            }
        }
        return Digests.sha256(sha);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------ a tar writer that writes anything

    static byte[] tar(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] content = e.type() == '0' ? b("content of " + new String(e.name(), StandardCharsets.UTF_8) + "\n") : new byte[0];
            byte[] name = e.name();
            switch (e.how()) {
                case "pax" -> {
                    byte[] rec = paxRecord("path", name);
                    if (e.link().length > 0) {
                        rec = concat(rec, paxRecord("linkpath", e.link()));
                    }
                    block(out, header(b("PaxHeaders/entry"), 'x', 0644, rec.length, new byte[0], 0, 0), rec);
                    name = b("placeholder");
                }
                case "gnu" -> {
                    byte[] data = concat(name, new byte[]{0});
                    block(out, header(b("././@LongLink"), 'L', 0644, data.length, new byte[0], 0, 0), data);
                    name = b("placeholder");
                }
                default -> {
                }
            }
            block(out, header(name, e.type(), e.mode(), content.length, e.link(), e.major(), e.minor()), content);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static byte[] paxRecord(String key, byte[] value) {
        byte[] body = concat(b(" " + key + "="), concat(value, new byte[]{'\n'}));
        int len = body.length;
        int total = len + Integer.toString(len).length();
        if (Integer.toString(total).length() != Integer.toString(len).length()) {
            total++;
        }
        return concat(b(Integer.toString(total)), body);
    }

    private static byte[] header(byte[] name, char type, int mode, long size, byte[] link, int major, int minor) {
        byte[] h = new byte[512];
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_600_000_000L);
        h[156] = (byte) type;
        System.arraycopy(link, 0, h, 157, Math.min(100, link.length));
        System.arraycopy(b("ustar\u000000"), 0, h, 257, 8);
        octal(h, 329, 8, major);
        octal(h, 337, 8, minor);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte x : h) {
            sum += x & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void octal(byte[] h, int off, int len, long v) {
        System.arraycopy(b(String.format("%0" + (len - 1) + "o", v)), 0, h, off, len - 1);
    }

    private static void block(ByteArrayOutputStream out, byte[] header, byte[] data) {
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }

    private static byte[] concat(byte[] a, byte[] c) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }
}
