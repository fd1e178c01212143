package io.berth.plugin.overlayfs;

import io.berth.spi.fs.SafeFile;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.TarWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a snapshot's overlay upper directory into an OCI layer tar.
 *
 * <p>The walk is depth first with each directory's names in byte order, so a directory comes
 * before what it holds and the same tree always gives the same bytes. What overlayfs left in the
 * upper directory maps to the OCI changeset format:
 * <ul>
 *   <li>a 0/0 character device {@code x} (overlay whiteout) → an empty file {@code .wh.x};</li>
 *   <li>a directory with {@code trusted.overlay.opaque=y} → the directory, then
 *       {@code .wh..wh..opq} as its first child;</li>
 *   <li>a file with several names in the upper directory → the first name as a file, the others
 *       as hard links to it;</li>
 *   <li>extended attributes, except overlay's own {@code trusted.overlay.*}, as
 *       {@code SCHILY.xattr.*} PAX records, sorted by name.</li>
 * </ul>
 * Times are whole seconds; with a clamp, any later time is replaced by the clamp (as BuildKit does
 * with {@code SOURCE_DATE_EPOCH}).
 *
 * <p>The upper directory belongs to a container that may be running: it is read through
 * {@link SafeRoot} ({@link SafeRoot.Symlinks#REFUSE}), so a directory swapped for a symbolic link
 * during the walk fails the diff instead of leading it to the host's files, and only regular
 * files' contents are read.
 */
final class UpperDiff {

    private static final byte[] OPAQUE = Sys.bytes(".wh..wh..opq");

    private final SafeRoot root;
    private final TarWriter tar;
    private final long clamp;
    private final Map<String, byte[]> firstNameOfInode = new HashMap<>();
    private final byte[] buffer = new byte[Sys.ioBufferSize()];

    /**
     * @param clampEpochSecond the latest time to write, or {@link Long#MAX_VALUE} for none
     */
    UpperDiff(SafeRoot upper, TarWriter tar, long clampEpochSecond) {
        this.root = upper;
        this.tar = tar;
        this.clamp = clampEpochSecond;
    }

    /** Writes the whole tree of the upper directory and ends the archive. */
    void write() throws IOException {
        walk(new byte[0]);
        tar.finish();
    }

    private void walk(byte[] relDir) throws IOException {
        List<byte[]> names = root.list(relDir);
        names.sort(Arrays::compareUnsigned);
        for (byte[] name : names) {
            byte[] rel = relDir.length == 0 ? name : Sys.join(relDir, name);
            byte[] path = rel;
            Sys.Stat st = root.lstat(path);
            if (st == null) {
                continue;
            }
            long mtime = Math.min(st.mtimeSec(), clamp);
            if (st.isWhiteout()) {
                byte[] wh = relDir.length == 0 ? concat(Sys.bytes(".wh."), name)
                        : Sys.join(relDir, concat(Sys.bytes(".wh."), name));
                tar.begin(wh, '0', 0600, st.uid(), st.gid(), 0, mtime, null, 0, 0, Map.of());
                continue;
            }
            Map<String, byte[]> allXattrs = root.xattrs(path);
            Map<String, byte[]> xattrs = withoutOverlays(allXattrs);
            switch (st.type()) {
                case Sys.S_IFDIR -> {
                    tar.begin(concat(rel, new byte[]{'/'}), '5', st.mode() & 07777, st.uid(), st.gid(), 0, mtime,
                            null, 0, 0, xattrs);
                    byte[] opaque = allXattrs.get("trusted.overlay.opaque");
                    if (opaque != null && opaque.length == 1 && opaque[0] == 'y') {
                        // the marker has its directory's permission bits, as Docker's overlay whiteout converter writes it
                        tar.begin(Sys.join(rel, OPAQUE), '0', st.mode() & 0777, st.uid(), st.gid(), 0, mtime, null, 0, 0, Map.of());
                    }
                    walk(rel);
                }
                case Sys.S_IFREG -> {
                    if (st.nlink() > 1) {
                        String key = st.dev() + ":" + st.ino();
                        byte[] first = firstNameOfInode.putIfAbsent(key, rel);
                        if (first != null) {
                            tar.begin(rel, '1', st.mode() & 07777, st.uid(), st.gid(), 0, mtime, first, 0, 0, Map.of());
                            continue;
                        }
                    }
                    tar.begin(rel, '0', st.mode() & 07777, st.uid(), st.gid(), st.size(), mtime, null, 0, 0, xattrs);
                    copy(path, st.size());
                }
                case Sys.S_IFLNK -> tar.begin(rel, '2', 0777, st.uid(), st.gid(), 0, mtime, root.readlink(path), 0, 0, xattrs);
                case Sys.S_IFCHR, Sys.S_IFBLK -> tar.begin(rel, st.type() == Sys.S_IFCHR ? '3' : '4', st.mode() & 07777,
                        st.uid(), st.gid(), 0, mtime, null, st.rdevMajor(), st.rdevMinor(), xattrs);
                case Sys.S_IFIFO -> tar.begin(rel, '6', st.mode() & 07777, st.uid(), st.gid(), 0, mtime, null, 0, 0, xattrs);
                default -> {
                    // Sockets are not carried in layers (Docker skips them too).
                }
            }
        }
    }

    private static Map<String, byte[]> withoutOverlays(Map<String, byte[]> all) {
        if (all.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, byte[]> out = new TreeMap<>();
        for (Map.Entry<String, byte[]> x : all.entrySet()) {
            if (!x.getKey().startsWith("trusted.overlay.")) {
                out.put(x.getKey(), x.getValue());
            }
        }
        return out;
    }

    private void copy(byte[] path, long size) throws IOException {
        try (SafeFile f = root.openRead(path, false)) {
            long left = size;
            while (left > 0) {
                int n = f.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n <= 0) {
                    break;
                }
                tar.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
