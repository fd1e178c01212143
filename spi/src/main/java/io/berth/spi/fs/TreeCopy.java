package io.berth.spi.fs;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies files and trees from one {@link SafeRoot} into another (or within one), with the
 * guarantees of both: nothing outside either root is read or written. What each kind of file
 * becomes:
 * <ul>
 *   <li>a regular file: its contents, read through {@link SafeRoot#openRead}, into a new file;</li>
 *   <li>a symbolic link: a link with the same target, byte for byte (never followed);</li>
 *   <li>a directory: a directory, then its entries in name order; its time is set after them;</li>
 *   <li>a character or block device, a fifo: a new node with the same numbers, where the target
 *       allows {@code mknod}, else nothing — a device's <em>contents</em> are never read (as
 *       Docker, which copies the node, never what it reads);</li>
 *   <li>a socket: nothing;</li>
 *   <li>files hard-linked together in the source: hard-linked together in the copy.</li>
 * </ul>
 * Owners and modes are the source's unless {@link Rules} says otherwise; modification times are
 * the source's. Extended attributes are not copied.
 */
public final class TreeCopy {

    /** What a copy sets: a field at {@link #KEEP} takes the source's. */
    public record Rules(int uid, int gid, int mode, boolean specialFiles) {
        public static final int KEEP = -1;

        /** Owners, modes and special files as in the source (filling a volume from an image). */
        public static Rules preserving() {
            return new Rules(KEEP, KEEP, KEEP, true);
        }
    }

    private final SafeRoot from;
    private final SafeRoot to;
    private final Rules rules;
    private final Map<String, byte[]> linked = new HashMap<>();

    private TreeCopy(SafeRoot from, SafeRoot to, Rules rules) {
        this.from = from;
        this.to = to;
        this.rules = rules;
    }

    /**
     * Copies whatever {@code fromPath} is (its last component not followed) to {@code toPath},
     * replacing a non-directory there; a directory is copied with everything below it, merged
     * into a directory already at {@code toPath}.
     *
     * @return whether something was written ({@code false} for a socket, or a device node the target refused)
     */
    public static boolean copy(SafeRoot from, byte[] fromPath, SafeRoot to, byte[] toPath, Rules rules) throws IOException {
        return new TreeCopy(from, to, rules).entry(fromPath, toPath);
    }

    /** @see #copy(SafeRoot, byte[], SafeRoot, byte[], Rules) */
    public static boolean copy(SafeRoot from, String fromPath, SafeRoot to, String toPath, Rules rules) throws IOException {
        return copy(from, SafeRoot.bytes(fromPath), to, SafeRoot.bytes(toPath), rules);
    }

    /**
     * Copies the entries of the directory {@code fromPath} (symbolic links followed inside its
     * root) into the directory {@code toPath}, which is created (0755) if missing; the target
     * directory's own owner, mode and time are left as they are.
     */
    public static void copyContents(SafeRoot from, String fromPath, SafeRoot to, String toPath, Rules rules) throws IOException {
        to.mkdirs(toPath, 0755);
        new TreeCopy(from, to, rules).children(SafeRoot.bytes(fromPath), SafeRoot.bytes(toPath));
    }

    private static byte[] child(byte[] dir, byte[] name) {
        byte[] out = Arrays.copyOf(dir, dir.length + 1 + name.length);
        out[dir.length] = '/';
        System.arraycopy(name, 0, out, dir.length + 1, name.length);
        return out;
    }

    private void children(byte[] src, byte[] dst) throws IOException {
        List<byte[]> names = from.list(src);
        names.sort(Arrays::compareUnsigned);
        for (byte[] name : names) {
            entry(child(src, name), child(dst, name));
        }
    }

    private int uid(Sys.Stat st) {
        return rules.uid() == Rules.KEEP ? st.uid() : rules.uid();
    }

    private int gid(Sys.Stat st) {
        return rules.gid() == Rules.KEEP ? st.gid() : rules.gid();
    }

    private int mode(Sys.Stat st) {
        return rules.mode() == Rules.KEEP ? st.mode() & 07777 : rules.mode();
    }

    private boolean entry(byte[] src, byte[] dst) throws IOException {
        Sys.Stat st = from.lstat(src);
        if (st == null) {
            throw new SafeFsException(SafeFsException.Reason.NOT_FOUND, SafeRoot.quote(src) + ": does not exist");
        }
        if (st.isDir()) {
            Sys.Stat there = to.stat(dst);
            Sys.Stat itself = to.lstat(dst);
            if (there == null || !there.isDir()) {
                if (itself != null) {
                    to.remove(dst);
                }
                to.mkdir(dst, 0700);
                itself = to.lstat(dst);
            }
            children(src, dst);
            if (itself != null && itself.isDir()) {
                to.setMeta(dst, new SafeRoot.Meta(uid(st), gid(st), mode(st), st.mtimeSec(), st.mtimeNsec(), Map.of()));
            }
            return true;
        }
        String key = st.nlink() > 1 ? st.dev() + ":" + st.ino() : null;
        if (key != null && linked.containsKey(key)) {
            to.hardlink(dst, linked.get(key));
            return true;
        }
        boolean made = switch (st.type()) {
            case Sys.S_IFREG -> {
                try (SafeFile in = from.openRead(src, false); SafeFile out = to.create(dst, 0600)) {
                    out.writeFrom(in.inputStream());
                    out.chown(uid(st), gid(st));
                    out.chmod(mode(st));
                    out.setTimes(st.mtimeSec(), st.mtimeNsec());
                }
                yield true;
            }
            case Sys.S_IFLNK -> {
                to.symlink(dst, from.readlink(src));
                to.setMeta(dst, new SafeRoot.Meta(uid(st), gid(st), SafeRoot.Meta.KEEP, st.mtimeSec(), st.mtimeNsec(), Map.of()));
                yield true;
            }
            case Sys.S_IFCHR, Sys.S_IFBLK, Sys.S_IFIFO -> {
                if (!rules.specialFiles()) {
                    yield false;
                }
                try {
                    to.mknod(dst, st.type() | 0600, st.rdevMajor(), st.rdevMinor());
                } catch (SafeFsException refused) {
                    if (refused.reason() != SafeFsException.Reason.IO) {
                        throw refused;
                    }
                    yield false; // the target does not allow the node (no CAP_MKNOD, a nodev mount): skipped
                }
                to.setMeta(dst, new SafeRoot.Meta(uid(st), gid(st), mode(st), st.mtimeSec(), st.mtimeNsec(), Map.of()));
                yield true;
            }
            default -> false; // a socket: nothing to copy
        };
        if (made && key != null) {
            linked.put(key, dst);
        }
        return made;
    }
}
