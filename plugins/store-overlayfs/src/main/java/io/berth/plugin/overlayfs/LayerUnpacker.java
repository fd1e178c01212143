package io.berth.plugin.overlayfs;

import io.berth.spi.fs.Sys;
import io.berth.spi.fs.SafeFile;
import io.berth.spi.fs.SafeFsException;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.storage.StorageException;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unpacks one layer tar into an empty directory, converting OCI whiteouts to overlayfs ones and
 * refusing hostile entries.
 *
 * <h2>The rules</h2>
 * <ul>
 *   <li>A name is cleaned lexically ({@code ./}, {@code //} and {@code a/..} go away). A name that
 *       is absolute is refused (or, with {@link Options#stripAbsoluteNames}, stripped of its
 *       {@code /} as Docker does); a name that climbs out of the layer with {@code ..} is refused.</li>
 *   <li>A name with a NUL byte, a component over 255 bytes or a name over 4095 bytes is refused.</li>
 *   <li>No entry is ever written through a symbolic link: every entry is written through
 *       {@link SafeRoot} in its {@link SafeRoot.Symlinks#REFUSE} mode, which resolves the directories
 *       on the way inside the layer ({@code openat2} with {@code RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS},
 *       or a per-component {@code O_NOFOLLOW} walk) and then works on their descriptors. An entry
 *       below a symbolic link is refused, wherever the link points.</li>
 *   <li>An entry that replaces an existing name removes it first and then creates the new file
 *       with {@code O_EXCL|O_NOFOLLOW}, so a symbolic link planted earlier is replaced, not
 *       followed.</li>
 *   <li>A hard link must name, inside the layer, a non-directory extracted earlier from the same
 *       tar.</li>
 *   <li>A whiteout {@code .wh.<name>} becomes a 0/0 character device {@code <name>} in the same
 *       directory; a {@code <name>} of {@code .} or {@code ..} or empty is refused.
 *       {@code .wh..wh..opq} sets {@code trusted.overlay.opaque=y} on its directory; other
 *       {@code .wh..wh.} names (aufs bookkeeping) are skipped.</li>
 *   <li>Device nodes are created with {@code mknod} unless {@link Options#allowDevices} is off.
 *       Extended attributes in {@code trusted.overlay.*} are dropped: a layer says "whiteout" and
 *       "opaque" with {@code .wh.} names, never with the overlay's private attributes.</li>
 * </ul>
 *
 * <p>Owners, modes (with setuid, setgid and sticky bits), times, extended attributes, symbolic
 * link targets are kept byte for byte. Directory times are set last, after their contents.
 */
final class LayerUnpacker {

    /** How permissive the unpacker is. */
    record Options(boolean allowDevices, boolean stripAbsoluteNames) {
        static final Options DEFAULT = new Options(true, false);
    }

    private static final String WH = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final String WH_META = ".wh..wh.";

    private final SafeRoot root;
    private final String chainId;
    private final Options options;
    private final Map<String, long[]> dirTimes = new HashMap<>();
    private final byte[] buffer = new byte[Sys.ioBufferSize()];
    private long size;
    private String entryName = "";

    /** @param root the layer's empty directory, opened with {@link SafeRoot.Symlinks#REFUSE} */
    LayerUnpacker(SafeRoot root, String chainId, Options options) {
        this.root = root;
        this.chainId = chainId;
        this.options = options;
    }

    /**
     * Unpacks every entry and reads the tar to its end.
     *
     * @return the bytes of regular-file content written
     * @throws StorageException HOSTILE_CONTENT naming the entry, or IO
     */
    long unpack(TarReader tar) throws StorageException {
        try {
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                entryName = e.displayName();
                try {
                    apply(e, tar);
                } catch (SafeFsException refused) {
                    throw switch (refused.reason()) {
                        case IO -> refused;
                        default -> new StorageException(StorageException.Reason.HOSTILE_CONTENT,
                                "layer " + chainId + " refused: entry \"" + entryName + "\": " + afterName(refused));
                    };
                }
            }
            entryName = "";
            for (Map.Entry<String, long[]> d : dirTimes.entrySet()) {
                byte[] p = Sys.bytes(d.getKey());
                Sys.Stat st = root.lstat(p);
                if (st != null && st.isDir()) {
                    root.setMeta(p, new SafeRoot.Meta(SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP,
                            d.getValue()[0], (int) d.getValue()[1], Map.of()));
                }
            }
            tar.drain();
            return size;
        } catch (TarReader.FormatException e) {
            throw new StorageException(StorageException.Reason.HOSTILE_CONTENT,
                    "layer " + chainId + " refused: " + e.getMessage());
        } catch (StorageException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "layer " + chainId + ": cannot unpack"
                    + (entryName.isEmpty() ? "" : " entry \"" + entryName + "\"") + ": " + e.getMessage(), e);
        }
    }

    /** A {@link SafeFsException}'s words after the path it quotes first. */
    private static String afterName(SafeFsException e) {
        String m = e.getMessage();
        int at = m.indexOf("\": ");
        return m.startsWith("\"") && at > 0 ? m.substring(at + 3) : m;
    }

    private void apply(TarReader.Entry e, TarReader tar) throws IOException {
        SafeRoot.checkName(e.name());
        List<String> parts = clean(e.name(), "");
        if (parts.isEmpty()) {
            if (e.type() != '5') {
                throw hostile("names the layer's root but is not a directory");
            }
            applyDirMetadata("", e);
            return;
        }
        String base = parts.get(parts.size() - 1);
        String parent = String.join("/", parts.subList(0, parts.size() - 1));
        if (base.startsWith(WH)) {
            if (!parent.isEmpty()) {
                root.mkdirs(Sys.bytes(parent), 0755);
            }
            if (base.equals(OPAQUE)) {
                root.setMeta(Sys.bytes(parent), new SafeRoot.Meta(SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP,
                        SafeRoot.Meta.KEEP_TIME, 0, Map.of("trusted.overlay.opaque", new byte[]{'y'})));
            } else if (!base.startsWith(WH_META)) {
                String target = base.substring(WH.length());
                if (target.isEmpty() || target.equals(".") || target.equals("..")) {
                    throw hostile("is a whiteout of \"" + target + "\", which is not a name in its directory");
                }
                byte[] rel = Sys.bytes(join(parent, target));
                if (root.lstat(rel) == null) {
                    root.mknod(rel, Sys.S_IFCHR, 0, 0);
                }
            }
            return;
        }
        String relName = join(parent, base);
        byte[] rel = Sys.bytes(relName);
        switch (e.type()) {
            case '5' -> {
                Sys.Stat st = root.lstat(rel);
                if (st == null || !st.isDir()) {
                    replace(relName, st);
                    root.mkdir(rel, 0700);
                }
                applyDirMetadata(relName, e);
            }
            case '0', '7' -> writeFile(relName, rel, e, tar);
            case '2' -> {
                SafeRoot.checkName(e.linkName());
                replacing(relName, () -> root.symlink(rel, e.linkName()));
                root.setMeta(rel, new SafeRoot.Meta((int) e.uid(), (int) e.gid(), SafeRoot.Meta.KEEP,
                        e.mtimeSec(), e.mtimeNsec(), xattrs(e)));
            }
            case '1' -> link(relName, e);
            case '3', '4', '6' -> {
                if (e.type() != '6' && !options.allowDevices()) {
                    throw hostile("is a " + (e.type() == '3' ? "character" : "block") + " device, and this driver is set to refuse device nodes");
                }
                int kind = e.type() == '3' ? Sys.S_IFCHR : e.type() == '4' ? Sys.S_IFBLK : Sys.S_IFIFO;
                replacing(relName, () -> root.mknod(rel, kind | 0600, e.devMajor(), e.devMinor()));
                root.setMeta(rel, new SafeRoot.Meta((int) e.uid(), (int) e.gid(), e.mode(),
                        e.mtimeSec(), e.mtimeNsec(), xattrs(e)));
            }
            default -> throw hostile("has the entry type '" + printable(e.type()) + "', which a layer cannot hold");
        }
    }

    private void link(String rel, TarReader.Entry e) throws IOException {
        SafeRoot.checkName(e.linkName());
        List<String> targetParts;
        try {
            targetParts = clean(e.linkName(), "hard link target ");
        } catch (StorageException refused) {
            throw hostile("is a hard link to \"" + Sys.show(e.linkName()) + "\", outside the layer");
        }
        if (targetParts.isEmpty()) {
            throw hostile("is a hard link to the layer's root directory");
        }
        String targetRel = String.join("/", targetParts);
        try {
            replacing(rel, () -> root.hardlink(Sys.bytes(rel), Sys.bytes(targetRel)));
        } catch (SafeFsException refused) {
            throw switch (refused.reason()) {
                case NOT_FOUND -> hostile("is a hard link to \"" + Sys.show(e.linkName()) + "\", which was not extracted before it");
                case IS_DIRECTORY -> hostile("is a hard link to the directory \"" + Sys.show(e.linkName()) + "\"");
                case ESCAPE, NOT_DIRECTORY -> hostile("is a hard link to \"" + Sys.show(e.linkName())
                        + "\", which is not in the layer (" + afterName(refused) + ")");
                default -> refused;
            };
        }
    }

    private void writeFile(String relName, byte[] rel, TarReader.Entry e, TarReader tar) throws IOException {
        SafeFile[] made = new SafeFile[1];
        replacing(relName, () -> made[0] = root.create(rel, 0600));
        try (SafeFile f = made[0]) {
            int n;
            while ((n = tar.read(buffer, 0, buffer.length)) > 0) {
                f.write(buffer, 0, n);
                size += n;
            }
            f.chown((int) e.uid(), (int) e.gid());
            f.chmod(e.mode());
            for (Map.Entry<String, byte[]> x : xattrs(e).entrySet()) {
                f.setXattr(x.getKey(), x.getValue());
            }
            f.setTimes(e.mtimeSec(), e.mtimeNsec());
        }
    }

    private void applyDirMetadata(String rel, TarReader.Entry e) throws IOException {
        root.setMeta(Sys.bytes(rel), new SafeRoot.Meta((int) e.uid(), (int) e.gid(), e.mode(),
                SafeRoot.Meta.KEEP_TIME, 0, xattrs(e)));
        dirTimes.put(rel, new long[]{e.mtimeSec(), e.mtimeNsec()});
    }

    /** The entry's extended attributes, less the overlay's private ones (a layer never sets those directly). */
    private static Map<String, byte[]> xattrs(TarReader.Entry e) {
        if (e.xattrs().isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> out = new HashMap<>();
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            if (!x.getKey().startsWith("trusted.overlay.")) {
                out.put(x.getKey(), x.getValue());
            }
        }
        return out;
    }

    /** An operation that may meet a directory where it creates its entry. */
    private interface Op {
        void run() throws IOException;
    }

    /**
     * Runs {@code op}; if a directory holds the name ({@code IS_DIRECTORY}), removes it, as a later
     * tar entry replaces an earlier one, and runs it again. Costs nothing extra in the usual case.
     */
    private void replacing(String rel, Op op) throws IOException {
        try {
            op.run();
        } catch (SafeFsException e) {
            Sys.Stat st = e.reason() == SafeFsException.Reason.IS_DIRECTORY ? root.lstat(Sys.bytes(rel)) : null;
            if (st == null || !st.isDir()) {
                throw e;
            }
            replace(rel, st);
            op.run();
        }
    }

    /** Removes whatever is at {@code rel} (a tar entry replaces an earlier one of the same name). */
    private void replace(String rel, Sys.Stat existing) throws IOException {
        if (existing == null) {
            return;
        }
        if (existing.isDir()) {
            dirTimes.keySet().removeIf(k -> k.equals(rel) || k.startsWith(rel + "/"));
        }
        root.remove(Sys.bytes(rel));
    }

    /**
     * Cleans a name lexically.
     *
     * @return its components, none of them empty, {@code .} or {@code ..}
     * @throws StorageException HOSTILE_CONTENT if it is absolute (unless stripped) or climbs out
     */
    private List<String> clean(byte[] name, String what) throws StorageException {
        String n = Sys.latin1(name);
        if (n.startsWith("/")) {
            if (!options.stripAbsoluteNames()) {
                throw hostile("has the absolute " + what + "path \"" + Sys.show(name) + "\"; layer entries are relative to the layer's root");
            }
            while (n.startsWith("/")) {
                n = n.substring(1);
            }
        }
        Optional<List<String>> parts = SafeRoot.lexicalParts(n);
        if (parts.isEmpty()) {
            throw hostile("climbs out of the layer with \"..\"");
        }
        return parts.get();
    }

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }

    private StorageException hostile(String why) {
        return new StorageException(StorageException.Reason.HOSTILE_CONTENT,
                "layer " + chainId + " refused: entry \"" + entryName + "\" " + why);
    }
}
