package io.berth.plugin.overlayfs;

import io.berth.spi.fs.Sys;
import io.berth.spi.storage.StorageException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Unpacks one layer tar into an empty directory, converting OCI whiteouts to overlayfs ones and
 * refusing hostile entries.
 *
 * <h2>The rules</h2>
 * <ul>
 *   <li>A name is cleaned lexically ({@code ./}, {@code //} and {@code a/..} go away). A name that
 *       is absolute is refused (or, with {@link Options#stripAbsoluteNames}, stripped of its
 *       {@code /} as Docker does); a name that climbs out of the layer with {@code ..} is refused.</li>
 *   <li>No entry is ever written through a symbolic link: every directory on the way to an entry
 *       must be a real directory inside the layer (checked with {@code lstat}, never following a
 *       link). An entry below a symbolic link is refused, wherever the link points.</li>
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

    private final Sys sys;
    private final byte[] root;
    private final String chainId;
    private final Options options;
    private final Set<String> knownDirs = new HashSet<>();
    private final Map<String, long[]> dirTimes = new HashMap<>();
    private final byte[] buffer = new byte[Sys.ioBufferSize()];
    private long size;
    private String entryName = "";

    LayerUnpacker(Sys sys, byte[] root, String chainId, Options options) {
        this.sys = sys;
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
                apply(e, tar);
            }
            entryName = "";
            for (Map.Entry<String, long[]> d : dirTimes.entrySet()) {
                byte[] p = abs(d.getKey());
                Sys.Stat st = sys.lstat(p);
                if (st != null && st.isDir()) {
                    sys.lutimes(p, d.getValue()[0], (int) d.getValue()[1]);
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

    private void apply(TarReader.Entry e, TarReader tar) throws IOException {
        List<String> parts = clean(e.name(), "");
        if (parts.isEmpty()) {
            if (e.type() != '5') {
                throw hostile("names the layer's root but is not a directory");
            }
            applyDirMetadata("", e);
            return;
        }
        String base = parts.get(parts.size() - 1);
        List<String> parentParts = parts.subList(0, parts.size() - 1);
        if (base.startsWith(WH)) {
            String parent = ensureDirs(parentParts);
            if (base.equals(OPAQUE)) {
                sys.lsetxattr(abs(parent), "trusted.overlay.opaque", new byte[]{'y'});
            } else if (!base.startsWith(WH_META)) {
                String target = base.substring(WH.length());
                if (target.isEmpty() || target.equals(".") || target.equals("..")) {
                    throw hostile("is a whiteout of \"" + target + "\", which is not a name in its directory");
                }
                String rel = join(parent, target);
                if (sys.lstat(abs(rel)) == null) {
                    sys.mknod(abs(rel), Sys.S_IFCHR, 0, 0);
                }
            }
            return;
        }
        String parent = ensureDirs(parentParts);
        String rel = join(parent, base);
        byte[] path = abs(rel);
        switch (e.type()) {
            case '5' -> {
                Sys.Stat st = sys.lstat(path);
                if (st == null || !st.isDir()) {
                    replace(rel, st);
                    sys.mkdir(path, 0700);
                }
                knownDirs.add(rel);
                applyDirMetadata(rel, e);
            }
            case '0', '7' -> {
                replace(rel, sys.lstat(path));
                writeFile(path, e, tar);
            }
            case '2' -> {
                replace(rel, sys.lstat(path));
                sys.symlink(e.linkName(), path);
                sys.lchown(path, (int) e.uid(), (int) e.gid());
                setXattrs(path, e);
                sys.lutimes(path, e.mtimeSec(), e.mtimeNsec());
            }
            case '1' -> link(rel, path, e);
            case '3', '4', '6' -> {
                if (e.type() != '6' && !options.allowDevices()) {
                    throw hostile("is a " + (e.type() == '3' ? "character" : "block") + " device, and this driver is set to refuse device nodes");
                }
                replace(rel, sys.lstat(path));
                int kind = e.type() == '3' ? Sys.S_IFCHR : e.type() == '4' ? Sys.S_IFBLK : Sys.S_IFIFO;
                sys.mknod(path, kind | 0600, e.devMajor(), e.devMinor());
                sys.lchown(path, (int) e.uid(), (int) e.gid());
                sys.chmod(path, e.mode());
                setXattrs(path, e);
                sys.lutimes(path, e.mtimeSec(), e.mtimeNsec());
            }
            default -> throw hostile("has the entry type '" + printable(e.type()) + "', which a layer cannot hold");
        }
    }

    private void link(String rel, byte[] path, TarReader.Entry e) throws IOException {
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
        for (int i = 0; i < targetParts.size() - 1; i++) {
            String dir = String.join("/", targetParts.subList(0, i + 1));
            if (!knownDirs.contains(dir)) {
                Sys.Stat st = sys.lstat(abs(dir));
                if (st == null || !st.isDir()) {
                    throw hostile("is a hard link to \"" + Sys.show(e.linkName()) + "\", which is not in the layer"
                            + (st != null && st.isSymlink() ? " (it goes through the symbolic link \"" + show(dir) + "\")" : ""));
                }
            }
        }
        Sys.Stat target = sys.lstat(abs(targetRel));
        if (target == null) {
            throw hostile("is a hard link to \"" + Sys.show(e.linkName()) + "\", which was not extracted before it");
        }
        if (target.isDir()) {
            throw hostile("is a hard link to the directory \"" + Sys.show(e.linkName()) + "\"");
        }
        if (targetRel.equals(rel)) {
            return;
        }
        replace(rel, sys.lstat(path));
        sys.link(abs(targetRel), path);
    }

    private void writeFile(byte[] path, TarReader.Entry e, TarReader tar) throws IOException {
        int fd = sys.open(path, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOFOLLOW, 0600);
        boolean ok = false;
        try {
            int n;
            while ((n = tar.read(buffer, 0, buffer.length)) > 0) {
                sys.write(fd, buffer, 0, n, path);
                size += n;
            }
            sys.fchown(fd, (int) e.uid(), (int) e.gid(), path);
            sys.fchmod(fd, e.mode(), path);
            for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
                if (!x.getKey().startsWith("trusted.overlay.")) {
                    sys.fsetxattr(fd, x.getKey(), x.getValue(), path);
                }
            }
            sys.futimes(fd, e.mtimeSec(), e.mtimeNsec(), path);
            ok = true;
        } finally {
            if (ok) {
                sys.close(fd, path);
            } else {
                sys.closeQuietly(fd);
            }
        }
    }

    private void applyDirMetadata(String rel, TarReader.Entry e) throws IOException {
        byte[] p = abs(rel);
        sys.lchown(p, (int) e.uid(), (int) e.gid());
        sys.chmod(p, e.mode());
        setXattrs(p, e);
        dirTimes.put(rel, new long[]{e.mtimeSec(), e.mtimeNsec()});
    }

    private void setXattrs(byte[] p, TarReader.Entry e) throws IOException {
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            if (!x.getKey().startsWith("trusted.overlay.")) {
                sys.lsetxattr(p, x.getKey(), x.getValue());
            }
        }
    }

    /** Removes whatever is at {@code rel} (a tar entry replaces an earlier one of the same name). */
    private void replace(String rel, Sys.Stat existing) throws IOException {
        if (existing == null) {
            return;
        }
        if (existing.isDir()) {
            forget(rel);
            dirTimes.keySet().removeIf(k -> k.equals(rel) || k.startsWith(rel + "/"));
        }
        sys.removeTree(abs(rel));
    }

    private void forget(String rel) {
        String prefix = rel + "/";
        for (Iterator<String> it = knownDirs.iterator(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals(rel) || k.startsWith(prefix)) {
                it.remove();
            }
        }
    }

    /**
     * Makes sure every directory on a path exists as a real directory, creating missing ones
     * (0755, root), refusing a symbolic link or a non-directory on the way.
     *
     * @return the joined relative path ("" for the root)
     */
    private String ensureDirs(List<String> parts) throws IOException {
        String rel = "";
        for (String part : parts) {
            rel = join(rel, part);
            if (knownDirs.contains(rel)) {
                continue;
            }
            byte[] p = abs(rel);
            Sys.Stat st = sys.lstat(p);
            if (st == null) {
                sys.mkdir(p, 0755);
                sys.chmod(p, 0755);
            } else if (st.isSymlink()) {
                throw hostile("would be written through the symbolic link \"" + show(rel) + "\" (-> \""
                        + Sys.show(sys.readlink(p)) + "\")");
            } else if (!st.isDir()) {
                throw hostile("would be written below \"" + show(rel) + "\", which is not a directory");
            }
            knownDirs.add(rel);
        }
        return rel;
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
        List<String> parts = new ArrayList<>();
        for (String p : n.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    throw hostile("climbs out of the layer with \"..\"");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(p);
            }
        }
        return parts;
    }

    private byte[] abs(String rel) {
        return rel.isEmpty() ? root : Sys.join(root, Sys.bytes(rel));
    }

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private static String show(String latin1) {
        return Sys.show(Sys.bytes(latin1));
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }

    private StorageException hostile(String why) {
        return new StorageException(StorageException.Reason.HOSTILE_CONTENT,
                "layer " + chainId + " refused: entry \"" + entryName + "\" " + why);
    }
}
