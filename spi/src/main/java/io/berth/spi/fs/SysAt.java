package io.berth.spi.fs;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import io.berth.spi.os.Native;

import static io.berth.spi.fs.Sys.*;

/**
 * The descriptor-relative calls {@link SafeRoot} and {@link SafeFile} are built on: {@code openat2}
 * and the {@code *at} family, calls on an open descriptor, and extended attributes through
 * {@code /proc/self/fd/N}. Kept apart from {@link Sys}'s path-based calls, which are for trees
 * berth owns; it works in the native scratch memory of the {@link Sys} it is made with, and is
 * confined to that instance's thread in the same way.
 */
final class SysAt {

    private static final MethodHandle SYSCALL4 = Native.variadic("syscall", FunctionDescriptor.of(L, L, I, P, P, L), 1);
    private static final MethodHandle OPENAT = Native.variadic("openat", FunctionDescriptor.of(I, I, P, I, I), 3);
    private static final MethodHandle MKDIRAT = Native.function("mkdirat", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle UNLINKAT = Native.function("unlinkat", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle SYMLINKAT = Native.function("symlinkat", FunctionDescriptor.of(I, P, I, P));
    private static final MethodHandle LINKAT = Native.function("linkat", FunctionDescriptor.of(I, I, P, I, P, I));
    private static final MethodHandle MKNODAT = Native.function("mknodat", FunctionDescriptor.of(I, I, P, I, L));
    private static final MethodHandle FCHOWNAT = Native.function("fchownat", FunctionDescriptor.of(I, I, P, I, I, I));
    private static final MethodHandle FCHMODAT = Native.function("fchmodat", FunctionDescriptor.of(I, I, P, I, I));
    private static final MethodHandle READLINKAT = Native.function("readlinkat", FunctionDescriptor.of(L, I, P, P, L));
    private static final MethodHandle FDOPENDIR = Native.function("fdopendir", FunctionDescriptor.of(P, I));
    private static final MethodHandle FCHOWN = Native.function("fchown", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle FCHMOD = Native.function("fchmod", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle FUTIMENS = Native.function("futimens", FunctionDescriptor.of(I, I, P));
    private static final MethodHandle FSETXATTR = Native.function("fsetxattr", FunctionDescriptor.of(I, I, P, P, L, I));
    private static final MethodHandle SETXATTR = Native.function("setxattr", FunctionDescriptor.of(I, P, P, P, L, I));
    private static final MethodHandle LISTXATTR = Native.function("listxattr", FunctionDescriptor.of(L, P, P, L));
    private static final MethodHandle GETXATTR = Native.function("getxattr", FunctionDescriptor.of(L, P, P, P, L));
    private static final MethodHandle UTIMENSAT = Native.function("utimensat", FunctionDescriptor.of(I, I, P, P, I));

    private final Sys sys;

    SysAt(Sys sys) {
        this.sys = sys;
    }

    /**
     * Sets an extended attribute on what a path leads to, following it: for
     * {@code /proc/self/fd/N} of an {@code O_PATH} descriptor, the very file that descriptor holds.
     *
     * @return 0, or the errno if the file system does not take it ({@code EOPNOTSUPP}, {@code EPERM})
     */
    int setxattr(byte[] path, String attr, byte[] value) throws SysException {
        MemorySegment v = sys.value(value);
        int rc;
        try {
            rc = (int) SETXATTR.invokeExact(sys.state, sys.c(sys.path1, path), sys.cname(attr), v, (long) value.length, 0);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        return setxattrResult(rc, attr, path);
    }

    /** The names of the extended attributes of what a path leads to, following it (for {@code /proc/self/fd/N}: the file the descriptor holds). */
    List<String> listxattr(byte[] path) throws SysException {
        while (true) {
            long n;
            try {
                n = (long) LISTXATTR.invokeExact(sys.state, sys.c(sys.path1, path), sys.small, sys.small.byteSize());
            } catch (Throwable t) {
                throw sys.rethrow(t);
            }
            if (n < 0) {
                int e = sys.errno();
                if (e == ERANGE) {
                    sys.small = sys.arena.allocate(sys.small.byteSize() * 4, 8);
                    continue;
                }
                if (e == EOPNOTSUPP) {
                    return List.of();
                }
                throw new SysException("listxattr " + show(path) + ": " + describe(e), e);
            }
            List<String> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (sys.small.get(ValueLayout.JAVA_BYTE, i) == 0) {
                    if (i > start) {
                        byte[] b = sys.small.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE);
                        names.add(latin1(b));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /** An extended attribute of what a path leads to, following it (for {@code /proc/self/fd/N}: the file the descriptor holds); {@code null} if it has none by that name. */
    byte[] getxattr(byte[] path, String attr) throws SysException {
        while (true) {
            long n;
            try {
                n = (long) GETXATTR.invokeExact(sys.state, sys.c(sys.path1, path), sys.cname(attr), sys.small, sys.small.byteSize());
            } catch (Throwable t) {
                throw sys.rethrow(t);
            }
            if (n < 0) {
                int e = sys.errno();
                if (e == ERANGE) {
                    sys.small = sys.arena.allocate(sys.small.byteSize() * 4, 8);
                    continue;
                }
                if (e == ENODATA || e == EOPNOTSUPP) {
                    return null;
                }
                throw new SysException("getxattr " + attr + " of " + show(path) + ": " + describe(e), e);
            }
            return sys.small.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    void fchown(int fd, int uid, int gid, byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) FCHOWN.invokeExact(sys.state, fd, uid, gid);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("chown", path);
        }
    }

    void fchmod(int fd, int mode, byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) FCHMOD.invokeExact(sys.state, fd, mode);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("chmod", path);
        }
    }

    void futimes(int fd, long sec, int nsec, byte[] path) throws SysException {
        sys.setTimes(sec, nsec);
        int rc;
        try {
            rc = (int) FUTIMENS.invokeExact(sys.state, fd, sys.times);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("futimens", path);
        }
    }

    /** 0, or the errno of a file system that does not take the attribute; any other failure is thrown. */
    private int setxattrResult(int rc, String attr, byte[] path) throws SysException {
        if (rc == 0) {
            return 0;
        }
        int e = sys.errno();
        if (e == EOPNOTSUPP || e == EPERM) {
            return e;
        }
        throw new SysException("setxattr " + attr + " on " + show(path) + ": " + describe(e), e);
    }

    /** Like {@link #setxattr} on an open descriptor. */
    int fsetxattr(int fd, String attr, byte[] value, byte[] path) throws SysException {
        MemorySegment v = sys.value(value);
        int rc;
        try {
            rc = (int) FSETXATTR.invokeExact(sys.state, fd, sys.cname(attr), v, (long) value.length, 0);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        return setxattrResult(rc, attr, path);
    }

    /**
     * {@code openat2(dirfd, path, {flags, mode, resolve})} through {@code syscall(437, …)}: the C
     * library has no wrapper for it.
     *
     * @return the descriptor, or {@code -errno} (so a caller can fall back on {@code ENOSYS},
     *         retry on {@code EAGAIN}, or report {@code EXDEV}/{@code ELOOP} as an escape)
     */
    int openat2(int dirfd, byte[] path, int flags, int mode, long resolve) throws SysException {
        sys.how.set(L, 0, (long) (flags | O_CLOEXEC));
        sys.how.set(L, 8, (long) mode);
        sys.how.set(L, 16, resolve);
        long rc;
        try {
            rc = (long) SYSCALL4.invokeExact(sys.state, SYS_OPENAT2, dirfd, sys.c(sys.path1, path), sys.how, 24L);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        return rc < 0 ? -sys.errno() : (int) rc;
    }

    /** {@code openat(dirfd, name, flags|O_CLOEXEC, mode)}; returns the descriptor or {@code -errno}. */
    int openat(int dirfd, byte[] name, int flags, int mode) throws SysException {
        int fd;
        try {
            fd = (int) OPENAT.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), flags | O_CLOEXEC, mode);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        return fd < 0 ? -sys.errno() : fd;
    }

    /**
     * {@code statx(dirfd, name, flags)}; with an empty name and {@link Sys#AT_EMPTY_PATH}, the
     * descriptor itself.
     *
     * @return the facts, or {@code null} if the name does not exist
     */
    Stat statAt(int dirfd, byte[] name, int flags, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) STATX.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), flags, STATX_BASIC_STATS, sys.statx);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            int e = sys.errno();
            if (e == ENOENT || e == ENOTDIR) {
                return null;
            }
            throw new SysException("stat " + show(pathForErrors) + ": " + describe(e), e);
        }
        return sys.parseStatx();
    }

    /** The facts of an open descriptor (an {@code O_PATH} one included), never following it. */
    Stat fstat(int fd, byte[] pathForErrors) throws SysException {
        Stat st = statAt(fd, new byte[0], AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, pathForErrors);
        if (st == null) {
            throw new SysException("stat " + show(pathForErrors) + ": " + describe(ENOENT), ENOENT);
        }
        return st;
    }

    /** {@code mkdirat}; returns 0 or {@code -errno}. */
    int mkdirat(int dirfd, byte[] name, int mode) throws SysException {
        int rc;
        try {
            rc = (int) MKDIRAT.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), mode);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        return rc != 0 ? -sys.errno() : 0;
    }

    /** {@code unlinkat} ({@link Sys#AT_REMOVEDIR} for a directory); returns 0 or {@code -errno}. */
    int unlinkat(int dirfd, byte[] name, int flags) throws SysException {
        int rc;
        try {
            rc = (int) UNLINKAT.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), flags);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        return rc != 0 ? -sys.errno() : 0;
    }

    /** {@code symlinkat(target, dirfd, name)}: the link holds {@code target}'s bytes exactly. */
    void symlinkat(byte[] target, int dirfd, byte[] name, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) SYMLINKAT.invokeExact(sys.state, sys.c(sys.path2, target), dirfd, sys.c(sys.path1, name));
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("symlink", pathForErrors);
        }
    }

    /** {@code linkat(olddir, oldname, newdir, newname, 0)}: a final symbolic link is linked, not followed. */
    void linkat(int olddir, byte[] oldname, int newdir, byte[] newname, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) LINKAT.invokeExact(sys.state, olddir, sys.c(sys.path2, oldname), newdir, sys.c(sys.path1, newname), 0);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("link", pathForErrors);
        }
    }

    /** {@code mknodat}; {@code mode} holds the type ({@link Sys#S_IFCHR}, …) and permission bits. */
    void mknodat(int dirfd, byte[] name, int mode, int major, int minor, byte[] pathForErrors) throws SysException {
        long dev = ((long) (major & 0xfffff000) << 32) | ((long) (major & 0xfff) << 8)
                | ((long) (minor & 0xffffff00) << 12) | (minor & 0xff);
        int rc;
        try {
            rc = (int) MKNODAT.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), mode, dev);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("mknod", pathForErrors);
        }
    }

    /** {@code fchownat(dirfd, name, uid, gid, flags)}; with an empty name and {@link Sys#AT_EMPTY_PATH}, the descriptor. */
    void fchownat(int dirfd, byte[] name, int uid, int gid, int flags, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) FCHOWNAT.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), uid, gid, flags);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("chown", pathForErrors);
        }
    }

    /** {@code fchmodat(dirfd, name, mode, 0)}: callers make sure the name is not a symbolic link. */
    void fchmodat(int dirfd, byte[] name, int mode, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) FCHMODAT.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), mode, 0);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("chmod", pathForErrors);
        }
    }

    /** {@code utimensat(dirfd, name, times, flags)}: access and modification time both set. */
    void utimensat(int dirfd, byte[] name, long sec, int nsec, int flags, byte[] pathForErrors) throws SysException {
        sys.setTimes(sec, nsec);
        int rc;
        try {
            rc = (int) UTIMENSAT.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), sys.times, flags);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (rc != 0) {
            throw sys.fail("utimensat", pathForErrors);
        }
    }

    /** {@code readlinkat}; with an empty name, the symbolic link an {@code O_PATH} descriptor holds. */
    byte[] readlinkat(int dirfd, byte[] name, byte[] pathForErrors) throws SysException {
        long n;
        try {
            n = (long) READLINKAT.invokeExact(sys.state, dirfd, sys.c(sys.path1, name), sys.path2, (long) PATH_MAX);
        } catch (Throwable t) {
            throw sys.rethrow(t);
        }
        if (n < 0) {
            throw sys.fail("readlink", pathForErrors);
        }
        return sys.path2.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The names in the directory {@code dirfd} (not consumed), without {@code .} and {@code ..}. */
    List<byte[]> listAt(int dirfd, byte[] pathForErrors) throws SysException {
        int fd = openat(dirfd, new byte[]{'.'}, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0) {
            throw new SysException("opendir " + show(pathForErrors) + ": " + describe(-fd), -fd);
        }
        MemorySegment d;
        try {
            d = (MemorySegment) FDOPENDIR.invokeExact(sys.state, fd);
        } catch (Throwable t) {
            sys.closeQuietly(fd);
            throw sys.rethrow(t);
        }
        if (d.equals(MemorySegment.NULL)) {
            sys.closeQuietly(fd);
            throw sys.fail("opendir", pathForErrors);
        }
        return sys.readAll(d);
    }
}
