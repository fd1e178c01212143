package io.berth.spi.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A directory tree that every read and write stays inside: berth's one primitive for writing into
 * or reading from a tree that a client, an image or a container controls (a layer, a build
 * context, a container's root, a volume).
 *
 * <h2>Vocabulary</h2>
 * <ul>
 *   <li><b>root</b> — the directory given to {@link #open}; it plays {@code /} for every path.</li>
 *   <li><b>path</b> — a name relative to the root, as bytes or as a string (UTF-8). A leading
 *       {@code /} means the root; empty and {@code .} components are ignored; {@code ..} goes up,
 *       never above the root.</li>
 *   <li><b>parent</b> and <b>base</b> — a path's directory, resolved, and its last component,
 *       which every write creates or changes <em>relative to the parent's descriptor</em>.</li>
 *   <li><b>symlink policy</b> — {@link Symlinks#FOLLOW_IN_ROOT}: a symbolic link on the way is
 *       followed as if the root were {@code /} (an absolute target or {@code ../..} lands inside
 *       the root), as a container sees its own files; {@link Symlinks#REFUSE}: a symbolic link on
 *       the way is refused, as a layer tar must never write through one.</li>
 * </ul>
 *
 * <h2>The guarantee</h2>
 * Nothing outside the root is created, written, changed, or read, whatever the tree holds and
 * however it changes during the call: every component is resolved inside the root, and then the
 * operation works on descriptors ({@code mkdirat}, {@code openat(O_NOFOLLOW|O_EXCL)},
 * {@code symlinkat}, {@code linkat}, {@code mknodat}, {@code fchownat(AT_SYMLINK_NOFOLLOW)},
 * {@code fchmod} on the opened file, …), never by reopening a path. The last component of a write
 * is never followed: a symbolic link there is replaced, not written through. A read opens only a
 * regular file's contents (never a device's or a fifo's). Names with a NUL byte, a component over
 * 255 bytes or a path over 4096 bytes are refused with one line naming the path.
 *
 * <h2>The kernel</h2>
 * Resolution uses {@code openat2} with {@code RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS} (or
 * {@code RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS} under {@link Symlinks#REFUSE}), Linux 5.6 and
 * newer. Where it is missing (or a seccomp filter refuses it), and whenever directories must be
 * created on the way, the same resolution is done one component at a time: {@code openat(dir,
 * name, O_PATH|O_NOFOLLOW)}, a symbolic link read with {@code readlinkat} and its target resolved
 * from the root's descriptor, {@code ..} taken from the stack of descriptors already open — never
 * from the kernel's {@code ..}, which a concurrent rename could move outside. Changing a mode and
 * an extended attribute of an {@code O_PATH} descriptor goes through {@code /proc/self/fd}.
 *
 * <p>An instance holds the root's descriptor and native scratch memory, and is confined to the
 * thread that opened it. Methods with {@code byte[]} paths take names exactly as a tar holds them;
 * those with {@code String} paths encode them as UTF-8.
 */
public final class SafeRoot implements AutoCloseable {

    /** How a symbolic link met on the way to a path's last component is treated. */
    public enum Symlinks {
        /** Followed as if the root were {@code /}: it can never lead outside. */
        FOLLOW_IN_ROOT,
        /** Refused ({@link SafeFsException.Reason#ESCAPE}): for unpacking layers. */
        REFUSE
    }

    /**
     * Metadata to set on a path without following it: a field left at {@link #KEEP} (or, for the
     * time, {@link #KEEP_TIME}; for extended attributes, an empty map) is left as it is.
     */
    public record Meta(int uid, int gid, int mode, long mtimeSec, int mtimeNsec, Map<String, byte[]> xattrs) {
        public static final int KEEP = -1;
        public static final long KEEP_TIME = Long.MIN_VALUE;

        /** Owner, mode and time, no extended attributes. */
        public static Meta of(int uid, int gid, int mode, long mtimeSec, int mtimeNsec) {
            return new Meta(uid, gid, mode, mtimeSec, mtimeNsec, Map.of());
        }
    }

    /** The longest component, in bytes (NAME_MAX). */
    public static final int MAX_NAME = 255;
    /** The longest path, in bytes (PATH_MAX, with its NUL). */
    public static final int MAX_PATH = 4095;
    /** The most symbolic links followed in one resolution (the kernel's limit). */
    public static final int MAX_LINKS = 40;

    private static final byte[] EMPTY = new byte[0];

    private final Path dir;
    private final Sys sys;
    private final SysAt at;
    private final int rootFd;
    private final Symlinks symlinks;
    private final Resolver resolver;

    private SafeRoot(Path dir, Sys sys, int rootFd, Symlinks symlinks) {
        this.dir = dir;
        this.sys = sys;
        this.at = new SysAt(sys);
        this.rootFd = rootFd;
        this.symlinks = symlinks;
        this.resolver = new Resolver(sys, at, rootFd, symlinks);
    }

    /**
     * Opens a directory as a root. The directory's own path is trusted (berth chose it).
     *
     * @throws SafeFsException NOT_FOUND or NOT_DIRECTORY naming the directory
     */
    public static SafeRoot open(Path dir, Symlinks symlinks) throws IOException {
        Sys sys = new Sys();
        byte[] p = dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
        int fd = new SysAt(sys).openat(Sys.AT_FDCWD, p, Sys.O_PATH | Sys.O_DIRECTORY, 0);
        if (fd < 0) {
            sys.close();
            throw new SafeFsException(-fd == Sys.ENOTDIR ? SafeFsException.Reason.NOT_DIRECTORY
                    : -fd == Sys.ENOENT ? SafeFsException.Reason.NOT_FOUND : SafeFsException.Reason.IO,
                    "\"" + dir + "\": cannot open as a root directory: " + Sys.describe(-fd));
        }
        return new SafeRoot(dir, sys, fd, symlinks);
    }

    /** @return the root directory's path, for messages */
    public Path path() {
        return dir;
    }

    /** @return how this root treats symbolic links on the way */
    public Symlinks symlinks() {
        return symlinks;
    }

    /** For tests: resolve by the per-component walk alone, as on a kernel without {@code openat2}. */
    static void useOpenat2(boolean use) {
        Resolver.useOpenat2(use);
    }

    /** Whether this kernel resolves with {@code openat2} (false after it was found missing). */
    public static boolean usesOpenat2() {
        return Resolver.usesOpenat2();
    }

    // ---------------------------------------------------------------- names

    /** @return a string path's bytes (UTF-8) */
    public static byte[] bytes(String path) {
        return path.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks a name as a tar entry, a symbolic link's target or a client's path may hold it.
     *
     * @throws SafeFsException BAD_NAME: it holds a NUL byte, a component is longer than 255 bytes,
     *                         or the whole is longer than 4095 bytes
     */
    public static void checkName(byte[] path) throws SafeFsException {
        SafeNames.check(path);
    }

    /** @see #checkName(byte[]) */
    public static void checkName(String path) throws SafeFsException {
        checkName(bytes(path));
    }

    /**
     * A path for a one-line message: quoted, read as UTF-8, with NUL, control characters and
     * quotes escaped, so a hostile name cannot break the line or forge another.
     */
    public static String quote(byte[] path) {
        return SafeNames.quote(path);
    }

    /** @see #quote(byte[]) */
    public static String quote(String path) {
        return quote(bytes(path));
    }

    /**
     * A relative path's components, resolved lexically as a tar entry, a build context entry or a
     * {@code COPY} source is: empty components and {@code .} dropped, each {@code ..} taking away the
     * component before it. Links are not looked at.
     *
     * @param path the path, read as relative to a root whatever its leading slashes
     * @return the components (none empty, {@code .} or {@code ..}; an empty list for the root itself),
     *         or empty when a {@code ..} climbs above the root
     */
    public static Optional<List<String>> lexicalParts(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return Optional.empty();
                }
                parts.removeLast();
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return Optional.of(parts);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Makes sure {@code path} is a directory, creating it and every missing directory on the way
     * with {@code mode} (exactly: no umask). An existing directory is left as it is.
     *
     * @throws SafeFsException NOT_DIRECTORY if a component is something else
     */
    public void mkdirs(byte[] path, int mode) throws IOException {
        List<byte[]> parts = SafeNames.split(path);
        resolver.release(resolver.resolve(parts, parts.size(), true, true, true, mode, path));
    }

    /** @see #mkdirs(byte[], int) */
    public void mkdirs(String path, int mode) throws IOException {
        mkdirs(bytes(path), mode);
    }

    /**
     * Creates the directory {@code path} with {@code mode} (missing parents 0755), or sets
     * {@code mode} on it if it is a directory already.
     *
     * @throws SafeFsException NOT_DIRECTORY if something else has the name (remove it first)
     */
    public void mkdir(byte[] path, int mode) throws IOException {
        Resolver.Parent p = resolver.parent(path, true);
        try {
            int rc = at.mkdirat(p.fd(), p.base(), 0700);
            if (rc != 0 && rc != -Sys.EEXIST) {
                throw resolver.failed("mkdir", path, -rc);
            }
            int fd = at.openat(p.fd(), p.base(), Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
            if (fd < 0) {
                throw new SafeFsException(SafeFsException.Reason.NOT_DIRECTORY, quote(path) + ": exists and is not a directory");
            }
            try {
                at.fchmod(fd, mode & 07777, path);
            } finally {
                sys.closeQuietly(fd);
            }
        } finally {
            resolver.release(p.fd());
        }
    }

    /** @see #mkdir(byte[], int) */
    public void mkdir(String path, int mode) throws IOException {
        mkdir(bytes(path), mode);
    }

    /**
     * Creates a new regular file at {@code path} for writing, replacing a non-directory of that
     * name (a symbolic link there is removed, never followed); missing parents are made 0755.
     *
     * @param mode its mode, exactly (no umask); change the owner before setting setuid bits again
     * @throws SafeFsException IS_DIRECTORY if a directory has the name
     */
    public SafeFile create(byte[] path, int mode) throws IOException {
        Resolver.Parent p = resolver.parent(path, true);
        try {
            // O_EXCL|O_NOFOLLOW creates or fails, never following a link: only a name already there is removed first
            // (on an unpack into a new layer that is almost never, so the usual file costs no failing unlinkat)
            int fd = at.openat(p.fd(), p.base(), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOFOLLOW, 0600);
            if (fd == -Sys.EEXIST) {
                resolver.clearBase(p);
                fd = at.openat(p.fd(), p.base(), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOFOLLOW, 0600);
            }
            if (fd < 0) {
                throw resolver.failed("create", path, -fd);
            }
            SafeFile f = new SafeFile(sys, at, fd, path, true);
            if ((mode & 07777) != 0600) {
                try {
                    f.chmod(mode);
                } catch (IOException e) {
                    sys.closeQuietly(fd);
                    throw e;
                }
            }
            return f;
        } finally {
            resolver.release(p.fd());
        }
    }

    /** @see #create(byte[], int) */
    public SafeFile create(String path, int mode) throws IOException {
        return create(bytes(path), mode);
    }

    /** Creates {@code path} as a symbolic link to {@code target} (kept byte for byte), replacing a non-directory. */
    public void symlink(byte[] path, byte[] target) throws IOException {
        checkName(target);
        Resolver.Parent p = resolver.parent(path, true);
        try {
            try {
                at.symlinkat(target, p.fd(), p.base(), path);
            } catch (Sys.SysException e) {
                if (e.errno != Sys.EEXIST) {
                    throw e;
                }
                resolver.clearBase(p); // only a name already there is removed first, as in create
                at.symlinkat(target, p.fd(), p.base(), path);
            }
        } catch (Sys.SysException e) {
            throw resolver.failed("symlink", path, e.errno);
        } finally {
            resolver.release(p.fd());
        }
    }

    /** @see #symlink(byte[], byte[]) */
    public void symlink(String path, String target) throws IOException {
        symlink(bytes(path), bytes(target));
    }

    /**
     * Creates {@code path} as a hard link to {@code existing}, both inside the root; a symbolic
     * link as {@code existing}'s last component is linked itself, never followed.
     *
     * @throws SafeFsException NOT_FOUND if {@code existing} is not there, IS_DIRECTORY if it is a directory
     */
    public void hardlink(byte[] path, byte[] existing) throws IOException {
        Resolver.Parent src = resolver.parent(existing, false, false);
        try {
            Sys.Stat st = at.statAt(src.fd(), src.base(), Sys.AT_SYMLINK_NOFOLLOW, existing);
            if (st == null) {
                throw new SafeFsException(SafeFsException.Reason.NOT_FOUND, quote(path) + ": the link target "
                        + quote(existing) + " does not exist");
            }
            if (st.isDir()) {
                throw new SafeFsException(SafeFsException.Reason.IS_DIRECTORY, quote(path) + ": the link target "
                        + quote(existing) + " is a directory");
            }
            Resolver.Parent dst = resolver.parent(path, true, false);
            try {
                Sys.Stat here = at.statAt(dst.fd(), dst.base(), Sys.AT_SYMLINK_NOFOLLOW, path);
                if (here != null && here.ino() == st.ino() && here.dev() == st.dev()) {
                    return; // the name is that file already
                }
                resolver.clearBase(dst);
                at.linkat(src.fd(), src.base(), dst.fd(), dst.base(), path);
            } catch (Sys.SysException e) {
                throw resolver.failed("link", path, e.errno);
            } finally {
                resolver.release(dst.fd());
            }
        } finally {
            resolver.release(src.fd());
        }
    }

    /** @see #hardlink(byte[], byte[]) */
    public void hardlink(String path, String existing) throws IOException {
        hardlink(bytes(path), bytes(existing));
    }

    /**
     * Creates a device node, fifo or whiteout at {@code path}, replacing a non-directory.
     *
     * @param mode the type ({@link Sys#S_IFCHR}, {@link Sys#S_IFBLK}, {@link Sys#S_IFIFO}) and permission bits
     */
    public void mknod(byte[] path, int mode, int major, int minor) throws IOException {
        Resolver.Parent p = resolver.parent(path, true);
        try {
            resolver.clearBase(p);
            at.mknodat(p.fd(), p.base(), mode, major, minor, path);
        } catch (Sys.SysException e) {
            throw resolver.failed("mknod", path, e.errno);
        } finally {
            resolver.release(p.fd());
        }
    }

    /** @see #mknod(byte[], int, int, int) */
    public void mknod(String path, int mode, int major, int minor) throws IOException {
        mknod(bytes(path), mode, major, minor);
    }

    /**
     * Removes {@code path} and, if it is a directory, everything below it, never following a
     * symbolic link. Nothing there is fine.
     */
    public void remove(byte[] path) throws IOException {
        Resolver.Parent p;
        try {
            p = resolver.parent(path, false);
        } catch (SafeFsException e) {
            if (e.reason() == SafeFsException.Reason.NOT_FOUND) {
                return;
            }
            throw e;
        }
        try {
            resolver.forget(path); // the cached directory, if it is path or below it (never p's own parent)
            removeAt(p.fd(), p.base(), path);
        } finally {
            resolver.release(p.fd());
        }
    }

    /** @see #remove(byte[]) */
    public void remove(String path) throws IOException {
        remove(bytes(path));
    }

    private void removeAt(int dirFd, byte[] name, byte[] shown) throws IOException {
        int rc = at.unlinkat(dirFd, name, 0);
        if (rc == 0 || rc == -Sys.ENOENT) {
            return;
        }
        if (rc != -Sys.EISDIR) {
            throw resolver.failed("unlink", shown, -rc);
        }
        int fd = at.openat(dirFd, name, Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
        if (fd < 0) {
            throw resolver.failed("open", shown, -fd);
        }
        try {
            for (byte[] child : at.listAt(fd, shown)) {
                removeAt(fd, child, shown);
            }
        } finally {
            sys.closeQuietly(fd);
        }
        rc = at.unlinkat(dirFd, name, Sys.AT_REMOVEDIR);
        if (rc != 0 && rc != -Sys.ENOENT) {
            throw resolver.failed("rmdir", shown, -rc);
        }
    }

    /**
     * Sets owner, mode, extended attributes and modification time of {@code path}, in that order,
     * without following it: a symbolic link gets its own owner and time, and no mode.
     *
     * @return the errno of the first extended attribute the file system refused, else 0
     */
    public int setMeta(byte[] path, Meta meta) throws IOException {
        if (SafeNames.split(path).isEmpty()) {
            return setRootMeta(meta);
        }
        Resolver.Parent p = resolver.parent(path, false);
        int refused = 0;
        try {
            int fd = at.openat(p.fd(), p.base(), Sys.O_PATH | Sys.O_NOFOLLOW, 0);
            if (fd < 0) {
                throw -fd == Sys.ENOENT
                        ? new SafeFsException(SafeFsException.Reason.NOT_FOUND, quote(path) + ": does not exist")
                        : resolver.failed("open", path, -fd);
            }
            try {
                refused = applyMeta(fd, at.fstat(fd, path).isSymlink(), meta, path);
            } finally {
                sys.closeQuietly(fd);
            }
            if (meta.mtimeSec() != Meta.KEEP_TIME) {
                at.utimensat(p.fd(), p.base(), meta.mtimeSec(), meta.mtimeNsec(), Sys.AT_SYMLINK_NOFOLLOW, path);
            }
        } catch (Sys.SysException e) {
            throw new SafeFsException(SafeFsException.Reason.IO, quote(path) + ": " + e.getMessage().replace('\n', ' '), e);
        } finally {
            resolver.release(p.fd());
        }
        return refused;
    }

    private int setRootMeta(Meta meta) throws IOException {
        byte[] shown = {'/'};
        int refused;
        try {
            refused = applyMeta(rootFd, false, meta, shown);
            if (meta.mtimeSec() != Meta.KEEP_TIME) {
                at.utimensat(Sys.AT_FDCWD, Resolver.procFd(rootFd), meta.mtimeSec(), meta.mtimeNsec(), 0, shown);
            }
        } catch (Sys.SysException e) {
            throw new SafeFsException(SafeFsException.Reason.IO, "the root " + dir + ": " + e.getMessage(), e);
        }
        return refused;
    }

    /**
     * Owner, mode (not on a symbolic link) and extended attributes of what an {@code O_PATH}
     * descriptor holds.
     *
     * @return the errno of the first extended attribute the file system refused, else 0
     */
    private int applyMeta(int opathFd, boolean symlink, Meta meta, byte[] shown) throws IOException {
        if (meta.uid() != Meta.KEEP || meta.gid() != Meta.KEEP) {
            at.fchownat(opathFd, EMPTY, meta.uid(), meta.gid(), Sys.AT_EMPTY_PATH, shown);
        }
        if (meta.mode() != Meta.KEEP && !symlink) {
            resolver.chmodPath(opathFd, meta.mode(), shown);
        }
        int refused = 0;
        for (Map.Entry<String, byte[]> x : meta.xattrs().entrySet()) {
            int rc = at.setxattr(Resolver.procFd(opathFd), x.getKey(), x.getValue());
            if (rc != 0 && refused == 0) {
                refused = rc;
            }
        }
        return refused;
    }

    /** @see #setMeta(byte[], Meta) */
    public int setMeta(String path, Meta meta) throws IOException {
        return setMeta(bytes(path), meta);
    }

    // ---------------------------------------------------------------- reading

    /** @return the facts of {@code path} itself (a symbolic link as a link), or {@code null} if it is not there */
    public Sys.Stat lstat(byte[] path) throws IOException {
        List<byte[]> parts = SafeNames.split(path);
        if (parts.isEmpty()) {
            return at.fstat(rootFd, path);
        }
        Resolver.Parent p;
        try {
            p = resolver.parent(path, false);
        } catch (SafeFsException e) {
            if (e.reason() == SafeFsException.Reason.NOT_FOUND || e.reason() == SafeFsException.Reason.NOT_DIRECTORY) {
                return null;
            }
            throw e;
        }
        try {
            return at.statAt(p.fd(), p.base(), Sys.AT_SYMLINK_NOFOLLOW, path);
        } finally {
            resolver.release(p.fd());
        }
    }

    /** @see #lstat(byte[]) */
    public Sys.Stat lstat(String path) throws IOException {
        return lstat(bytes(path));
    }

    /** @return the facts of what {@code path} leads to, symbolic links followed inside the root; {@code null} if nothing */
    public Sys.Stat stat(byte[] path) throws IOException {
        List<byte[]> parts = SafeNames.split(path);
        int fd;
        try {
            fd = resolver.resolve(parts, parts.size(), true, false, false, 0, path);
        } catch (SafeFsException e) {
            if (e.reason() == SafeFsException.Reason.NOT_FOUND || e.reason() == SafeFsException.Reason.NOT_DIRECTORY) {
                return null;
            }
            throw e;
        }
        try {
            return at.fstat(fd, path);
        } finally {
            resolver.release(fd);
        }
    }

    /** @see #stat(byte[]) */
    public Sys.Stat stat(String path) throws IOException {
        return stat(bytes(path));
    }

    /**
     * Opens a regular file inside the root for reading.
     *
     * @param followLast whether a symbolic link as the last component is followed (inside the root)
     * @throws SafeFsException NOT_FOUND, IS_DIRECTORY, or NOT_REGULAR for a device, fifo, socket
     *                         or (not followed) symbolic link: their contents are never read
     */
    public SafeFile openRead(byte[] path, boolean followLast) throws IOException {
        List<byte[]> parts = SafeNames.split(path);
        int fd = resolver.resolve(parts, parts.size(), followLast, false, false, 0, path);
        try {
            Sys.Stat st = at.fstat(fd, path);
            if (st.isDir()) {
                throw new SafeFsException(SafeFsException.Reason.IS_DIRECTORY, quote(path) + ": is a directory");
            }
            if (!st.isRegular()) {
                throw new SafeFsException(SafeFsException.Reason.NOT_REGULAR, quote(path) + ": is "
                        + kind(st) + ", not a regular file; its contents are never read");
            }
            // Reopen the very inode the O_PATH descriptor holds: no second lookup by name.
            int rfd = at.openat(Sys.AT_FDCWD, Resolver.procFd(fd), Sys.O_RDONLY | Sys.O_NOCTTY, 0);
            if (rfd < 0) {
                throw resolver.failed("open", path, -rfd);
            }
            return new SafeFile(sys, at, rfd, path, false);
        } finally {
            resolver.release(fd);
        }
    }

    /** @see #openRead(byte[], boolean) */
    public SafeFile openRead(String path, boolean followLast) throws IOException {
        return openRead(bytes(path), followLast);
    }

    /** @return the names in the directory {@code path} (symbolic links followed inside the root), unsorted */
    public List<byte[]> list(byte[] path) throws IOException {
        List<byte[]> parts = SafeNames.split(path);
        int fd = resolver.resolve(parts, parts.size(), true, true, false, 0, path);
        try {
            return at.listAt(fd, path);
        } finally {
            resolver.release(fd);
        }
    }

    /** @see #list(byte[]) */
    public List<String> list(String path) throws IOException {
        List<String> out = new ArrayList<>();
        for (byte[] n : list(bytes(path))) {
            out.add(new String(n, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** @return the target of the symbolic link {@code path}, byte for byte */
    public byte[] readlink(byte[] path) throws IOException {
        Resolver.Parent p = resolver.parent(path, false);
        try {
            return at.readlinkat(p.fd(), p.base(), path);
        } catch (Sys.SysException e) {
            throw resolver.failed("readlink", path, e.errno);
        } finally {
            resolver.release(p.fd());
        }
    }

    /** @see #readlink(byte[]) */
    public String readlink(String path) throws IOException {
        return new String(readlink(bytes(path)), StandardCharsets.UTF_8);
    }

    /**
     * The extended attributes of {@code path} itself (never followed), sorted by name.
     *
     * @throws SafeFsException NOT_FOUND if it is not there
     */
    public java.util.SortedMap<String, byte[]> xattrs(byte[] path) throws IOException {
        List<byte[]> parts = SafeNames.split(path);
        int fd = resolver.resolve(parts, parts.size(), false, false, false, 0, path);
        try {
            java.util.TreeMap<String, byte[]> out = new java.util.TreeMap<>();
            byte[] proc = Resolver.procFd(fd);
            for (String name : at.listxattr(proc)) {
                byte[] value = at.getxattr(proc, name);
                if (value != null) {
                    out.put(name, value);
                }
            }
            return out;
        } finally {
            resolver.release(fd);
        }
    }

    /** A kind of file in words, for messages. */
    public static String kind(Sys.Stat st) {
        return switch (st.type()) {
            case Sys.S_IFDIR -> "a directory";
            case Sys.S_IFREG -> "a regular file";
            case Sys.S_IFLNK -> "a symbolic link";
            case Sys.S_IFCHR -> "a character device";
            case Sys.S_IFBLK -> "a block device";
            case Sys.S_IFIFO -> "a fifo";
            case Sys.S_IFSOCK -> "a socket";
            default -> "a special file";
        };
    }

    @Override
    public void close() {
        resolver.dropCache();
        sys.closeQuietly(rootFd);
        sys.close();
    }
}
