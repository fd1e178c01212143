package io.berth.spi.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * How {@link SafeRoot} turns a path into a descriptor inside the root: {@code openat2} where the
 * kernel has it, else (and whenever directories are created on the way) a walk one component at a
 * time that follows symbolic links from the root's descriptor and takes {@code ..} from its own
 * stack. Also keeps the last parent directory open, since a tar's entries come directory by directory.
 */
final class Resolver {

    private static volatile boolean openat2Works = !Boolean.getBoolean("berth.fs.noOpenat2");

    private final Sys sys;
    private final SysAt at;
    private final int rootFd;
    private final SafeRoot.Symlinks symlinks;
    /*
     * The last parent directory resolved, kept open: a tar's entries come directory by directory, so
     * most entries share their parent with the one before. Kept only under REFUSE, where a path has
     * no symbolic link in it and is therefore the directory's real name, and dropped when remove()
     * takes away that directory or one above it (no other operation removes a directory).
     */
    private byte[] cachedKey;
    private int cachedFd = -1;

    Resolver(Sys sys, SysAt at, int rootFd, SafeRoot.Symlinks symlinks) {
        this.sys = sys;
        this.at = at;
        this.rootFd = rootFd;
        this.symlinks = symlinks;
    }

    static void useOpenat2(boolean use) {
        openat2Works = use;
    }

    static boolean usesOpenat2() {
        return openat2Works;
    }

    /** Closes a descriptor from {@link #resolve} or {@link #parent} unless it is the root's or the cached one. */
    void release(int fd) {
        if (fd != rootFd && fd != cachedFd && fd >= 0) {
            sys.closeQuietly(fd);
        }
    }

    /**
     * Resolves the first {@code n} components.
     *
     * @param followLast whether a symbolic link as the n-th component is followed
     * @param mustBeDir  whether the result must be a directory
     * @param create     whether missing directories are created (with {@code mode})
     * @return an {@code O_PATH} descriptor (the root's own for n == 0: see {@link #release})
     */
    int resolve(List<byte[]> parts, int n, boolean followLast, boolean mustBeDir, boolean create, int mode,
                        byte[] shown) throws IOException {
        if (n == 0) {
            return rootFd;
        }
        if (!followLast && !SafeNames.isDotDot(parts.get(n - 1))) {
            // The parent as usual, then the last component itself, never followed.
            int parent = parentFd(parts, n - 1, create, true, shown);
            try {
                byte[] c = parts.get(n - 1);
                int fd = at.openat(parent, c, Sys.O_PATH | Sys.O_NOFOLLOW, 0);
                if (fd == -Sys.ENOENT && create && mustBeDir) {
                    int made = at.mkdirat(parent, c, 0700);
                    if (made != 0 && made != -Sys.EEXIST) {
                        throw failed("mkdir", shown, -made);
                    }
                    fd = at.openat(parent, c, Sys.O_PATH | Sys.O_NOFOLLOW, 0);
                    if (fd >= 0 && made == 0) {
                        chmodPath(fd, mode, shown);
                    }
                }
                if (fd < 0) {
                    throw -fd == Sys.ENOENT
                            ? new SafeFsException(SafeFsException.Reason.NOT_FOUND, SafeNames.quote(shown) + ": does not exist")
                            : failed("open", shown, -fd);
                }
                if (mustBeDir && !at.fstat(fd, shown).isDir()) {
                    sys.closeQuietly(fd);
                    throw new SafeFsException(SafeFsException.Reason.NOT_DIRECTORY, SafeNames.quote(shown) + ": is not a directory");
                }
                return fd;
            } finally {
                release(parent);
            }
        }
        if (followLast && openat2Works) {
            long resolve = Sys.RESOLVE_NO_MAGICLINKS | (symlinks == SafeRoot.Symlinks.REFUSE
                    ? Sys.RESOLVE_BENEATH | Sys.RESOLVE_NO_SYMLINKS : Sys.RESOLVE_IN_ROOT);
            byte[] joined = SafeNames.join(parts, n);
            for (int attempt = 0; attempt < 3; attempt++) {
                int fd = at.openat2(rootFd, joined, Sys.O_PATH | (mustBeDir ? Sys.O_DIRECTORY : 0), 0, resolve);
                if (fd >= 0) {
                    return fd;
                }
                if (-fd == Sys.ENOSYS || -fd == Sys.EPERM) {
                    openat2Works = false; // an old kernel, or a seccomp filter: walk from now on
                    break;
                }
                if (-fd != Sys.EAGAIN) {
                    break; // ENOENT, ELOOP, ENOTDIR, EXDEV: the walk creates, or says exactly what is wrong
                }
            }
        }
        return walk(parts, n, followLast, mustBeDir, create, mode, shown);
    }

    private int walk(List<byte[]> parts, int n, boolean followLast, boolean mustBeDir, boolean create, int mode,
                     byte[] shown) throws IOException {
        Deque<Integer> fds = new ArrayDeque<>();
        Deque<byte[]> names = new ArrayDeque<>();
        Deque<byte[]> pending = new ArrayDeque<>(parts.subList(0, n));
        int links = 0;
        boolean ok = false;
        try {
            while (!pending.isEmpty()) {
                byte[] c = pending.pollFirst();
                boolean last = pending.isEmpty();
                int top = fds.isEmpty() ? rootFd : fds.peek();
                if (SafeNames.isDotDot(c)) {
                    if (fds.isEmpty()) {
                        if (symlinks == SafeRoot.Symlinks.REFUSE) {
                            throw new SafeFsException(SafeFsException.Reason.ESCAPE,
                                    SafeNames.quote(shown) + ": climbs out of the root with \"..\"");
                        }
                    } else {
                        sys.closeQuietly(fds.pop());
                        names.pop();
                    }
                    continue;
                }
                int fd = at.openat(top, c, Sys.O_PATH | Sys.O_NOFOLLOW, 0);
                if (fd == -Sys.ENOENT && create && (!last || mustBeDir)) {
                    int made = at.mkdirat(top, c, 0700);
                    if (made != 0 && made != -Sys.EEXIST) {
                        throw failed("mkdir", SafeNames.here(names, c), -made);
                    }
                    fd = at.openat(top, c, Sys.O_PATH | Sys.O_NOFOLLOW, 0);
                    if (fd >= 0 && made == 0) {
                        chmodPath(fd, mode, SafeNames.here(names, c));
                    }
                }
                if (fd < 0) {
                    if (-fd == Sys.ENOENT) {
                        throw new SafeFsException(SafeFsException.Reason.NOT_FOUND, SafeNames.quote(shown) + ": "
                                + (last && names.isEmpty() ? "does not exist" : SafeNames.quote(SafeNames.here(names, c)) + " does not exist"));
                    }
                    throw failed("open", SafeNames.here(names, c), -fd);
                }
                Sys.Stat st;
                try {
                    st = at.fstat(fd, SafeNames.here(names, c));
                } catch (IOException e) {
                    sys.closeQuietly(fd);
                    throw e;
                }
                if (st.isSymlink() && (!last || followLast)) {
                    sys.closeQuietly(fd);
                    if (symlinks == SafeRoot.Symlinks.REFUSE) {
                        throw new SafeFsException(SafeFsException.Reason.ESCAPE, SafeNames.quote(shown)
                                + ": goes through the symbolic link " + SafeNames.quote(SafeNames.here(names, c)));
                    }
                    if (++links > SafeRoot.MAX_LINKS) {
                        throw new SafeFsException(SafeFsException.Reason.LOOP, SafeNames.quote(shown)
                                + ": too many levels of symbolic links");
                    }
                    byte[] target = at.readlinkat(top, c, SafeNames.here(names, c));
                    if (target.length > 0 && target[0] == '/') {
                        while (!fds.isEmpty()) {
                            sys.closeQuietly(fds.pop());
                        }
                        names.clear();
                    }
                    List<byte[]> more = SafeNames.split(target);
                    for (int i = more.size() - 1; i >= 0; i--) {
                        pending.addFirst(more.get(i));
                    }
                    continue;
                }
                if (!st.isDir() && (!last || mustBeDir)) {
                    sys.closeQuietly(fd);
                    throw new SafeFsException(SafeFsException.Reason.NOT_DIRECTORY, SafeNames.quote(shown) + ": "
                            + SafeNames.quote(SafeNames.here(names, c)) + " is not a directory");
                }
                fds.push(fd);
                names.push(c);
            }
            ok = true;
            return fds.isEmpty() ? rootFd : fds.pop();
        } finally {
            if (!ok || !fds.isEmpty()) {
                while (!fds.isEmpty()) {
                    sys.closeQuietly(fds.pop());
                }
            }
        }
    }

    SafeFsException failed(String op, byte[] path, int errno) {
        // ENOENT after the parent was resolved: the directory went away meanwhile (a racing rename or removal)
        return new SafeFsException(errno == Sys.ENOTDIR ? SafeFsException.Reason.NOT_DIRECTORY
                : errno == Sys.EISDIR ? SafeFsException.Reason.IS_DIRECTORY
                : errno == Sys.ENOENT ? SafeFsException.Reason.NOT_FOUND : SafeFsException.Reason.IO,
                SafeNames.quote(path) + ": " + op + ": " + Sys.describe(errno));
    }

    /** A path's parent, resolved, and its last component. */
    record Parent(int fd, byte[] base, byte[] shown) {
    }

    Parent parent(byte[] path, boolean create) throws IOException {
        return parent(path, create, true);
    }

    Parent parent(byte[] path, boolean create, boolean mayCache) throws IOException {
        List<byte[]> parts = SafeNames.split(path);
        if (parts.isEmpty()) {
            throw new SafeFsException(SafeFsException.Reason.IS_DIRECTORY, SafeNames.quote(path) + ": names the root itself");
        }
        byte[] base = parts.getLast();
        if (SafeNames.isDotDot(base)) {
            throw new SafeFsException(SafeFsException.Reason.BAD_NAME, SafeNames.quote(path) + ": ends in \"..\"");
        }
        return new Parent(parentFd(parts, parts.size() - 1, create, mayCache, path), base, path);
    }

    /** The directory of the first {@code n} components, from the cache when it holds it (see {@link #release}). */
    private int parentFd(List<byte[]> parts, int n, boolean create, boolean mayCache, byte[] shown) throws IOException {
        boolean cacheable = symlinks == SafeRoot.Symlinks.REFUSE && n > 0 && parts.subList(0, n).stream().noneMatch(SafeNames::isDotDot);
        byte[] key = cacheable ? SafeNames.join(parts, n) : null;
        if (key != null && cachedFd >= 0 && java.util.Arrays.equals(key, cachedKey)) {
            return cachedFd;
        }
        int fd = resolve(parts, n, true, true, create, 0755, shown);
        if (key != null && mayCache) {
            dropCache();
            cachedKey = key;
            cachedFd = fd;
        }
        return fd;
    }

    void dropCache() {
        if (cachedFd >= 0) {
            int fd = cachedFd;
            cachedFd = -1;
            cachedKey = null;
            sys.closeQuietly(fd);
        }
    }

    /** Drops the cached parent if {@code path} is it or a directory above it. */
    void forget(byte[] path) throws SafeFsException {
        if (cachedKey == null) {
            return;
        }
        byte[] p = SafeNames.join(SafeNames.split(path), SafeNames.split(path).size());
        if (cachedKey.length >= p.length && java.util.Arrays.equals(cachedKey, 0, p.length, p, 0, p.length)
                && (cachedKey.length == p.length || cachedKey[p.length] == '/')) {
            dropCache();
        }
    }

    /** Removes a non-directory at the parent's base, so a new entry can take its name. */
    void clearBase(Parent p) throws IOException {
        int rc = at.unlinkat(p.fd, p.base, 0);
        if (rc == -Sys.EISDIR) {
            throw new SafeFsException(SafeFsException.Reason.IS_DIRECTORY, SafeNames.quote(p.shown) + ": is a directory");
        }
        if (rc != 0 && rc != -Sys.ENOENT) {
            throw failed("unlink", p.shown, -rc);
        }
    }

    /** chmod of what an O_PATH descriptor holds (never a symbolic link: callers check). */
    void chmodPath(int opathFd, int mode, byte[] shown) throws IOException {
        try {
            at.fchmodat(Sys.AT_FDCWD, procFd(opathFd), mode & 07777, shown);
        } catch (Sys.SysException e) {
            throw new SafeFsException(SafeFsException.Reason.IO, SafeNames.quote(shown) + ": chmod: " + Sys.describe(e.errno), e);
        }
    }

    static byte[] procFd(int fd) {
        return ("/proc/self/fd/" + fd).getBytes(StandardCharsets.US_ASCII);
    }
}
