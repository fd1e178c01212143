package io.berth.spi.fs;

import io.berth.spi.os.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * berth's one binding of the C library's file-system calls, through the Foreign Function API,
 * with paths as <em>raw bytes</em>: path-based calls for trees berth owns (a layer's directory, a
 * snapshot) and descriptor-relative calls ({@code openat2}, {@code mkdirat}, {@code linkat}, …)
 * for {@link SafeRoot}, which is what code writing into or reading from a tree a client controls
 * uses. Shared by engine-core and the plugins (they may depend on spi alone), so no module binds
 * these calls a second time.
 *
 * <p>Why not {@code java.nio.file}: a layer's file names are bytes, not text. NIO turns them into
 * strings with the JVM's {@code sun.jnu.encoding}, which is ASCII when the daemon starts without a
 * UTF-8 locale, and then every non-ASCII name fails; NIO also cannot create device nodes, set
 * {@code trusted.*} or {@code security.*} extended attributes, chown a symbolic link's own owner
 * portably, or stat a file without following it <em>and</em> get its device numbers in one call.
 *
 * <p>An instance owns native scratch memory and is confined to the thread that made it: each
 * unpack, diff or tree removal makes its own and closes it. Failures are {@link SysException}s
 * carrying the call, the path and the kernel's words.
 */
public final class Sys implements AutoCloseable {

    public static final int ENOENT = 2;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int EPERM = 1;
    public static final int EBUSY = 16;
    public static final int ENAMETOOLONG = 36;

    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFSOCK = 0140000;

    private static final boolean ARM = System.getProperty("os.arch", "").contains("aarch64");
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_DIRECTORY = ARM ? 040000 : 0200000;
    public static final int O_NOFOLLOW = ARM ? 0100000 : 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    public static final int O_NONBLOCK = 04000;
    public static final int O_NOCTTY = 0400;

    /** {@code AT_FDCWD}: a *at call's "relative to the working directory". */
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int EXDEV = 18;
    public static final int EAGAIN = 11;
    public static final int ENOSYS = 38;

    /** {@code openat2}'s {@code RESOLVE_*} flags (linux/openat2.h). */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;
    public static final long RESOLVE_IN_ROOT = 0x10;
    private static final long SYS_OPENAT2 = 437;
    private static final int STATX_BASIC_STATS = 0x7ff;

    private static final int PATH_MAX = 4096;
    private static final int IO_BUFFER = 1 << 20;

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout P = ValueLayout.ADDRESS;

    private static final MethodHandle STATX = call("statx", FunctionDescriptor.of(I, I, P, I, I, P));
    private static final MethodHandle MKDIR = call("mkdir", FunctionDescriptor.of(I, P, I));
    private static final MethodHandle UNLINK = call("unlink", FunctionDescriptor.of(I, P));
    private static final MethodHandle RMDIR = call("rmdir", FunctionDescriptor.of(I, P));
    private static final MethodHandle SYMLINK = call("symlink", FunctionDescriptor.of(I, P, P));
    private static final MethodHandle LINK = call("link", FunctionDescriptor.of(I, P, P));
    private static final MethodHandle MKNOD = call("mknod", FunctionDescriptor.of(I, P, I, L));
    private static final MethodHandle LCHOWN = call("lchown", FunctionDescriptor.of(I, P, I, I));
    private static final MethodHandle CHMOD = call("chmod", FunctionDescriptor.of(I, P, I));
    private static final MethodHandle FCHOWN = call("fchown", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle FCHMOD = call("fchmod", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle UTIMENSAT = call("utimensat", FunctionDescriptor.of(I, I, P, P, I));
    private static final MethodHandle FUTIMENS = call("futimens", FunctionDescriptor.of(I, I, P));
    private static final MethodHandle LSETXATTR = call("lsetxattr", FunctionDescriptor.of(I, P, P, P, L, I));
    private static final MethodHandle LISTXATTR = call("listxattr", FunctionDescriptor.of(L, P, P, L));
    private static final MethodHandle GETXATTR = call("getxattr", FunctionDescriptor.of(L, P, P, P, L));
    private static final MethodHandle SETXATTR = call("setxattr", FunctionDescriptor.of(I, P, P, P, L, I));
    private static final MethodHandle FSETXATTR = call("fsetxattr", FunctionDescriptor.of(I, I, P, P, L, I));
    private static final MethodHandle LLISTXATTR = call("llistxattr", FunctionDescriptor.of(L, P, P, L));
    private static final MethodHandle LGETXATTR = call("lgetxattr", FunctionDescriptor.of(L, P, P, P, L));
    private static final MethodHandle READLINK = call("readlink", FunctionDescriptor.of(L, P, P, L));
    private static final MethodHandle OPEN = Native.variadic("open", FunctionDescriptor.of(I, P, I, I), 2);
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle OPENDIR = call("opendir", FunctionDescriptor.of(P, P));
    private static final MethodHandle READDIR = call("readdir", FunctionDescriptor.of(P, P));
    private static final MethodHandle CLOSEDIR = call("closedir", FunctionDescriptor.of(I, P));
    private static final MethodHandle SYSCALL4 = Native.variadic("syscall", FunctionDescriptor.of(L, L, I, P, P, L), 1);
    private static final MethodHandle OPENAT = Native.variadic("openat", FunctionDescriptor.of(I, I, P, I, I), 3);
    private static final MethodHandle MKDIRAT = call("mkdirat", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle UNLINKAT = call("unlinkat", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle SYMLINKAT = call("symlinkat", FunctionDescriptor.of(I, P, I, P));
    private static final MethodHandle LINKAT = call("linkat", FunctionDescriptor.of(I, I, P, I, P, I));
    private static final MethodHandle MKNODAT = call("mknodat", FunctionDescriptor.of(I, I, P, I, L));
    private static final MethodHandle FCHOWNAT = call("fchownat", FunctionDescriptor.of(I, I, P, I, I, I));
    private static final MethodHandle FCHMODAT = call("fchmodat", FunctionDescriptor.of(I, I, P, I, I));
    private static final MethodHandle READLINKAT = call("readlinkat", FunctionDescriptor.of(L, I, P, P, L));
    private static final MethodHandle FDOPENDIR = call("fdopendir", FunctionDescriptor.of(P, I));
    private static final MethodHandle DUP = call("dup", FunctionDescriptor.of(I, I));

    /** What {@code statx} says about a file, without following a final symbolic link. */
    public record Stat(int mode, int uid, int gid, int nlink, long size, long ino, long dev,
                long mtimeSec, int mtimeNsec, int rdevMajor, int rdevMinor) {
        public int type() {
            return mode & S_IFMT;
        }

        public boolean isDir() {
            return type() == S_IFDIR;
        }

        public boolean isSymlink() {
            return type() == S_IFLNK;
        }

        public boolean isRegular() {
            return type() == S_IFREG;
        }

        /** @return whether this is an overlay whiteout: a character device 0/0 */
        public boolean isWhiteout() {
            return type() == S_IFCHR && rdevMajor == 0 && rdevMinor == 0;
        }
    }

    /** A failed system call: the call, the path and the kernel's words, with the errno to react on. */
    public static final class SysException extends IOException {
        private static final long serialVersionUID = 1L;
        public final int errno;

        public SysException(String message, int errno) {
            super(message);
            this.errno = errno;
        }
    }

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state = Native.callState(arena);
    private final MemorySegment path1 = arena.allocate(PATH_MAX + 1);
    private final MemorySegment path2 = arena.allocate(PATH_MAX + 1);
    private final MemorySegment name = arena.allocate(512);
    private final MemorySegment statx = arena.allocate(256, 8);
    private final MemorySegment times = arena.allocate(32, 8);
    private MemorySegment small = arena.allocate(64 * 1024, 8);
    private final MemorySegment io = arena.allocate(IO_BUFFER, 4096);
    private final MemorySegment how = arena.allocate(24, 8);

    private static MethodHandle call(String fn, FunctionDescriptor descriptor) {
        return Native.function(fn, descriptor);
    }

    private int errno() {
        return Native.errno(state);
    }

    private MemorySegment c(MemorySegment into, byte[] path) throws SysException {
        if (path.length > PATH_MAX - 1) {
            throw new SysException("path too long (" + path.length + " bytes): " + show(path), ENAMETOOLONG);
        }
        MemorySegment.copy(path, 0, into, ValueLayout.JAVA_BYTE, 0, path.length);
        into.set(ValueLayout.JAVA_BYTE, path.length, (byte) 0);
        return into;
    }

    private MemorySegment cname(String attr) throws SysException {
        byte[] b = attr.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > 255) {
            throw new SysException("extended attribute name too long: " + attr, ERANGE);
        }
        MemorySegment.copy(b, 0, name, ValueLayout.JAVA_BYTE, 0, b.length);
        name.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
        return name;
    }

    private SysException fail(String op, byte[] path) {
        int e = errno();
        return new SysException(op + " " + show(path) + ": " + describe(e), e);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }

    /** A path for messages: its bytes read as UTF-8 (invalid bytes become U+FFFD). */
    public static String show(byte[] path) {
        return new String(path, StandardCharsets.UTF_8);
    }

    /** @return the path's bytes as a string that maps byte for byte (ISO-8859-1) */
    public static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** @return the bytes of a string made by {@link #latin1} */
    public static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * {@code statx} without following a final symbolic link.
     *
     * @return the file's facts, or {@code null} if it does not exist (or a parent is not a directory)
     */
    public Stat lstat(byte[] path) throws SysException {
        try {
            int rc = (int) STATX.invokeExact(state, AT_FDCWD, c(path1, path), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, statx);
            if (rc != 0) {
                int e = errno();
                if (e == ENOENT || e == ENOTDIR) {
                    return null;
                }
                throw new SysException("stat " + show(path) + ": " + describe(e), e);
            }
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return parseStatx();
    }

    private Stat parseStatx() {
        // struct statx: nlink@0x10 uid@0x14 gid@0x18 mode@0x1c(u16) ino@0x20 size@0x28
        // mtime@0x70 {i64 sec, u32 nsec}; rdev_major@0x80 rdev_minor@0x84 dev_major@0x88 dev_minor@0x8c
        int mode = Short.toUnsignedInt(statx.get(ValueLayout.JAVA_SHORT, 0x1c));
        long dev = ((long) statx.get(I, 0x88) << 32) | Integer.toUnsignedLong(statx.get(I, 0x8c));
        return new Stat(mode, statx.get(I, 0x14), statx.get(I, 0x18), statx.get(I, 0x10), statx.get(L, 0x28),
                statx.get(L, 0x20), dev, statx.get(L, 0x70), statx.get(I, 0x78), statx.get(I, 0x80), statx.get(I, 0x84));
    }

    public void mkdir(byte[] path, int mode) throws SysException {
        int rc;
        try {
            rc = (int) MKDIR.invokeExact(state, c(path1, path), mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("mkdir", path);
        }
    }

    public void unlink(byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) UNLINK.invokeExact(state, c(path1, path));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("unlink", path);
        }
    }

    public void rmdir(byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) RMDIR.invokeExact(state, c(path1, path));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("rmdir", path);
        }
    }

    /** Creates {@code path} as a symbolic link whose target is exactly {@code target}'s bytes. */
    public void symlink(byte[] target, byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) SYMLINK.invokeExact(state, c(path2, target), c(path1, path));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("symlink", path);
        }
    }

    /** Creates {@code path} as a hard link to {@code existing}; never follows a symbolic link. */
    public void link(byte[] existing, byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) LINK.invokeExact(state, c(path2, existing), c(path1, path));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("link", path);
        }
    }

    public void mknod(byte[] path, int mode, int major, int minor) throws SysException {
        long dev = ((long) (major & 0xfffff000) << 32) | ((long) (major & 0xfff) << 8)
                | ((long) (minor & 0xffffff00) << 12) | (minor & 0xff);
        int rc;
        try {
            rc = (int) MKNOD.invokeExact(state, c(path1, path), mode, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("mknod", path);
        }
    }

    public void lchown(byte[] path, int uid, int gid) throws SysException {
        int rc;
        try {
            rc = (int) LCHOWN.invokeExact(state, c(path1, path), uid, gid);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("chown", path);
        }
    }

    /** {@code chmod}; only ever called on a path just checked not to be a symbolic link. */
    public void chmod(byte[] path, int mode) throws SysException {
        int rc;
        try {
            rc = (int) CHMOD.invokeExact(state, c(path1, path), mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("chmod", path);
        }
    }

    /** Sets access and modification time of a path, not following a final symbolic link. */
    public void lutimes(byte[] path, long sec, int nsec) throws SysException {
        setTimes(sec, nsec);
        int rc;
        try {
            rc = (int) UTIMENSAT.invokeExact(state, AT_FDCWD, c(path1, path), times, AT_SYMLINK_NOFOLLOW);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("utimensat", path);
        }
    }

    private void setTimes(long sec, int nsec) {
        times.set(L, 0, sec);
        times.set(L, 8, nsec);
        times.set(L, 16, sec);
        times.set(L, 24, nsec);
    }

    /**
     * Sets an extended attribute on a path, not following a final symbolic link.
     *
     * @return 0, or the errno if the file system does not take it ({@code EOPNOTSUPP}, {@code EPERM})
     */
    public int lsetxattr(byte[] path, String attr, byte[] value) throws SysException {
        MemorySegment v = value(value);
        int rc;
        try {
            rc = (int) LSETXATTR.invokeExact(state, c(path1, path), cname(attr), v, (long) value.length, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            int e = errno();
            if (e == EOPNOTSUPP || e == EPERM) {
                return e;
            }
            throw new SysException("setxattr " + attr + " on " + show(path) + ": " + describe(e), e);
        }
        return 0;
    }

    /**
     * Sets an extended attribute on what a path leads to, following it: for
     * {@code /proc/self/fd/N} of an {@code O_PATH} descriptor, the very file that descriptor holds.
     *
     * @return 0, or the errno if the file system does not take it ({@code EOPNOTSUPP}, {@code EPERM})
     */
    public int setxattr(byte[] path, String attr, byte[] value) throws SysException {
        MemorySegment v = value(value);
        int rc;
        try {
            rc = (int) SETXATTR.invokeExact(state, c(path1, path), cname(attr), v, (long) value.length, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            int e = errno();
            if (e == EOPNOTSUPP || e == EPERM) {
                return e;
            }
            throw new SysException("setxattr " + attr + " on " + show(path) + ": " + describe(e), e);
        }
        return 0;
    }

    private MemorySegment value(byte[] value) {
        if (value.length > small.byteSize()) {
            small = arena.allocate(value.length, 8);
        }
        MemorySegment.copy(value, 0, small, ValueLayout.JAVA_BYTE, 0, value.length);
        return small;
    }

    /** The names of a path's extended attributes (not following a symbolic link), in the kernel's order. */
    public List<String> llistxattr(byte[] path) throws SysException {
        while (true) {
            long n;
            try {
                n = (long) LLISTXATTR.invokeExact(state, c(path1, path), small, small.byteSize());
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                int e = errno();
                if (e == ERANGE) {
                    small = arena.allocate(small.byteSize() * 4, 8);
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
                if (small.get(ValueLayout.JAVA_BYTE, i) == 0) {
                    if (i > start) {
                        byte[] b = small.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE);
                        names.add(latin1(b));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /** Like {@link #llistxattr}, following the path (for {@code /proc/self/fd/N}: the file the descriptor holds). */
    public List<String> listxattr(byte[] path) throws SysException {
        while (true) {
            long n;
            try {
                n = (long) LISTXATTR.invokeExact(state, c(path1, path), small, small.byteSize());
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                int e = errno();
                if (e == ERANGE) {
                    small = arena.allocate(small.byteSize() * 4, 8);
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
                if (small.get(ValueLayout.JAVA_BYTE, i) == 0) {
                    if (i > start) {
                        byte[] b = small.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE);
                        names.add(latin1(b));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /** @return an extended attribute's value, or {@code null} if the path does not have it */
    public byte[] lgetxattr(byte[] path, String attr) throws SysException {
        while (true) {
            long n;
            try {
                n = (long) LGETXATTR.invokeExact(state, c(path1, path), cname(attr), small, small.byteSize());
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                int e = errno();
                if (e == ERANGE) {
                    small = arena.allocate(small.byteSize() * 4, 8);
                    continue;
                }
                if (e == ENODATA || e == EOPNOTSUPP) {
                    return null;
                }
                throw new SysException("getxattr " + attr + " of " + show(path) + ": " + describe(e), e);
            }
            return small.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Like {@link #lgetxattr}, following the path (for {@code /proc/self/fd/N}: the file the descriptor holds). */
    public byte[] getxattr(byte[] path, String attr) throws SysException {
        while (true) {
            long n;
            try {
                n = (long) GETXATTR.invokeExact(state, c(path1, path), cname(attr), small, small.byteSize());
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                int e = errno();
                if (e == ERANGE) {
                    small = arena.allocate(small.byteSize() * 4, 8);
                    continue;
                }
                if (e == ENODATA || e == EOPNOTSUPP) {
                    return null;
                }
                throw new SysException("getxattr " + attr + " of " + show(path) + ": " + describe(e), e);
            }
            return small.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** @return the target of a symbolic link, byte for byte */
    public byte[] readlink(byte[] path) throws SysException {
        long n;
        try {
            n = (long) READLINK.invokeExact(state, c(path1, path), path2, (long) PATH_MAX);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw fail("readlink", path);
        }
        return path2.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** {@code open(path, flags, mode)}; returns the descriptor. */
    public int open(byte[] path, int flags, int mode) throws SysException {
        int fd;
        try {
            fd = (int) OPEN.invokeExact(state, c(path1, path), flags | O_CLOEXEC, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd < 0) {
            throw fail("open", path);
        }
        return fd;
    }

    /** Closes a descriptor; errors are reported for files being written, where they can mean lost data. */
    public void close(int fd, byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("close", path);
        }
    }

    /** Closes a descriptor after a failure, ignoring any error. */
    public void closeQuietly(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable ignored) {
            // Already failing; the first error is the one to report.
        }
    }

    /** The size of the native buffer {@link #write} and {@link #read} copy through. */
    public static int ioBufferSize() {
        return IO_BUFFER;
    }

    /** Writes all of {@code b[off, off+len)} to the descriptor ({@code len <= ioBufferSize()}). */
    public void write(int fd, byte[] b, int off, int len, byte[] pathForErrors) throws SysException {
        MemorySegment.copy(b, off, io, ValueLayout.JAVA_BYTE, 0, len);
        long done = 0;
        while (done < len) {
            long n;
            try {
                n = (long) WRITE.invokeExact(state, fd, io.asSlice(done), (long) len - done);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                throw fail("write", pathForErrors);
            }
            done += n;
        }
    }

    /** Reads up to {@code len} bytes ({@code len <= ioBufferSize()}); returns the count, 0 at the end. */
    public int read(int fd, byte[] b, int off, int len, byte[] pathForErrors) throws SysException {
        long n;
        try {
            n = (long) READ.invokeExact(state, fd, io, (long) len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw fail("read", pathForErrors);
        }
        MemorySegment.copy(io, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
        return (int) n;
    }

    public void fchown(int fd, int uid, int gid, byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) FCHOWN.invokeExact(state, fd, uid, gid);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("chown", path);
        }
    }

    public void fchmod(int fd, int mode, byte[] path) throws SysException {
        int rc;
        try {
            rc = (int) FCHMOD.invokeExact(state, fd, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("chmod", path);
        }
    }

    public void futimes(int fd, long sec, int nsec, byte[] path) throws SysException {
        setTimes(sec, nsec);
        int rc;
        try {
            rc = (int) FUTIMENS.invokeExact(state, fd, times);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("futimens", path);
        }
    }

    /** Like {@link #lsetxattr} on an open descriptor. */
    public int fsetxattr(int fd, String attr, byte[] value, byte[] path) throws SysException {
        MemorySegment v = value(value);
        int rc;
        try {
            rc = (int) FSETXATTR.invokeExact(state, fd, cname(attr), v, (long) value.length, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            int e = errno();
            if (e == EOPNOTSUPP || e == EPERM) {
                return e;
            }
            throw new SysException("setxattr " + attr + " on " + show(path) + ": " + describe(e), e);
        }
        return 0;
    }

    /** The names in a directory, without {@code .} and {@code ..}, unsorted, as raw bytes. */
    public List<byte[]> list(byte[] dir) throws SysException {
        MemorySegment d;
        try {
            d = (MemorySegment) OPENDIR.invokeExact(state, c(path1, dir));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (d.equals(MemorySegment.NULL)) {
            throw fail("opendir", dir);
        }
        return readAll(d);
    }

    private List<byte[]> readAll(MemorySegment d) {
        List<byte[]> names = new ArrayList<>();
        try {
            while (true) {
                MemorySegment ent;
                try {
                    ent = (MemorySegment) READDIR.invokeExact(state, d);
                } catch (Throwable t) {
                    throw rethrow(t);
                }
                if (ent.equals(MemorySegment.NULL)) {
                    return names;
                }
                // struct dirent64: d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name[] at 19
                MemorySegment e = ent.reinterpret(19 + 256);
                int len = 0;
                while (e.get(ValueLayout.JAVA_BYTE, 19 + len) != 0) {
                    len++;
                }
                byte[] n = e.asSlice(19, len).toArray(ValueLayout.JAVA_BYTE);
                if (!(len == 1 && n[0] == '.') && !(len == 2 && n[0] == '.' && n[1] == '.')) {
                    names.add(n);
                }
            }
        } finally {
            try {
                int ignored = (int) CLOSEDIR.invokeExact(state, d);
            } catch (Throwable ignored) {
                // Nothing to do about a failed closedir.
            }
        }
    }

    /**
     * Removes a path and, if it is a directory, everything under it, never following a symbolic
     * link. A path that does not exist is fine.
     */
    public void removeTree(byte[] path) throws SysException {
        Stat st = lstat(path);
        if (st == null) {
            return;
        }
        if (st.isDir()) {
            for (byte[] child : list(path)) {
                removeTree(join(path, child));
            }
            rmdir(path);
        } else {
            unlink(path);
        }
    }

    /** @return {@code dir + "/" + name} as bytes */
    public static byte[] join(byte[] dir, byte[] name) {
        byte[] out = new byte[dir.length + 1 + name.length];
        System.arraycopy(dir, 0, out, 0, dir.length);
        out[dir.length] = '/';
        System.arraycopy(name, 0, out, dir.length + 1, name.length);
        return out;
    }


    /**
     * @param errno an error number
     * @return the C library's text for it and the number, e.g. {@code Operation not permitted (errno 1)}
     */
    public static String describe(int errno) {
        return Native.describe(errno);
    }

    /**
     * {@code openat2(dirfd, path, {flags, mode, resolve})} through {@code syscall(437, …)}: the C
     * library has no wrapper for it.
     *
     * @return the descriptor, or {@code -errno} (so a caller can fall back on {@code ENOSYS},
     *         retry on {@code EAGAIN}, or report {@code EXDEV}/{@code ELOOP} as an escape)
     */
    public int openat2(int dirfd, byte[] path, int flags, int mode, long resolve) throws SysException {
        how.set(L, 0, (long) (flags | O_CLOEXEC));
        how.set(L, 8, (long) mode);
        how.set(L, 16, resolve);
        long rc;
        try {
            rc = (long) SYSCALL4.invokeExact(state, SYS_OPENAT2, dirfd, c(path1, path), how, 24L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return rc < 0 ? -errno() : (int) rc;
    }

    /** {@code openat(dirfd, name, flags|O_CLOEXEC, mode)}; returns the descriptor or {@code -errno}. */
    public int openat(int dirfd, byte[] name, int flags, int mode) throws SysException {
        int fd;
        try {
            fd = (int) OPENAT.invokeExact(state, dirfd, c(path1, name), flags | O_CLOEXEC, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return fd < 0 ? -errno() : fd;
    }

    /** {@code dup(fd)} (with no {@code O_CLOEXEC} race: berth never forks from Java). */
    public int dup(int fd) throws SysException {
        int rc;
        try {
            rc = (int) DUP.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc < 0) {
            throw new SysException("dup: " + describe(errno()), errno());
        }
        return rc;
    }

    /**
     * {@code statx(dirfd, name, flags)}; with an empty name and {@link #AT_EMPTY_PATH}, the
     * descriptor itself.
     *
     * @return the facts, or {@code null} if the name does not exist
     */
    public Stat statAt(int dirfd, byte[] name, int flags, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) STATX.invokeExact(state, dirfd, c(path1, name), flags, STATX_BASIC_STATS, statx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            int e = errno();
            if (e == ENOENT || e == ENOTDIR) {
                return null;
            }
            throw new SysException("stat " + show(pathForErrors) + ": " + describe(e), e);
        }
        return parseStatx();
    }

    /** The facts of an open descriptor (an {@code O_PATH} one included), never following it. */
    public Stat fstat(int fd, byte[] pathForErrors) throws SysException {
        Stat st = statAt(fd, new byte[0], AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, pathForErrors);
        if (st == null) {
            throw new SysException("stat " + show(pathForErrors) + ": " + describe(ENOENT), ENOENT);
        }
        return st;
    }

    /** {@code mkdirat}; returns 0 or {@code -errno}. */
    public int mkdirat(int dirfd, byte[] name, int mode) throws SysException {
        int rc;
        try {
            rc = (int) MKDIRAT.invokeExact(state, dirfd, c(path1, name), mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return rc != 0 ? -errno() : 0;
    }

    /** {@code unlinkat} ({@link #AT_REMOVEDIR} for a directory); returns 0 or {@code -errno}. */
    public int unlinkat(int dirfd, byte[] name, int flags) throws SysException {
        int rc;
        try {
            rc = (int) UNLINKAT.invokeExact(state, dirfd, c(path1, name), flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return rc != 0 ? -errno() : 0;
    }

    /** {@code symlinkat(target, dirfd, name)}: the link holds {@code target}'s bytes exactly. */
    public void symlinkat(byte[] target, int dirfd, byte[] name, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) SYMLINKAT.invokeExact(state, c(path2, target), dirfd, c(path1, name));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("symlink", pathForErrors);
        }
    }

    /** {@code linkat(olddir, oldname, newdir, newname, 0)}: a final symbolic link is linked, not followed. */
    public void linkat(int olddir, byte[] oldname, int newdir, byte[] newname, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) LINKAT.invokeExact(state, olddir, c(path2, oldname), newdir, c(path1, newname), 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("link", pathForErrors);
        }
    }

    /** {@code mknodat}; {@code mode} holds the type ({@link #S_IFCHR}, …) and permission bits. */
    public void mknodat(int dirfd, byte[] name, int mode, int major, int minor, byte[] pathForErrors) throws SysException {
        long dev = ((long) (major & 0xfffff000) << 32) | ((long) (major & 0xfff) << 8)
                | ((long) (minor & 0xffffff00) << 12) | (minor & 0xff);
        int rc;
        try {
            rc = (int) MKNODAT.invokeExact(state, dirfd, c(path1, name), mode, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("mknod", pathForErrors);
        }
    }

    /** {@code fchownat(dirfd, name, uid, gid, flags)}; with an empty name and {@link #AT_EMPTY_PATH}, the descriptor. */
    public void fchownat(int dirfd, byte[] name, int uid, int gid, int flags, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) FCHOWNAT.invokeExact(state, dirfd, c(path1, name), uid, gid, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("chown", pathForErrors);
        }
    }

    /** {@code fchmodat(dirfd, name, mode, 0)}: callers make sure the name is not a symbolic link. */
    public void fchmodat(int dirfd, byte[] name, int mode, byte[] pathForErrors) throws SysException {
        int rc;
        try {
            rc = (int) FCHMODAT.invokeExact(state, dirfd, c(path1, name), mode, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("chmod", pathForErrors);
        }
    }

    /** {@code utimensat(dirfd, name, times, flags)}: access and modification time both set. */
    public void utimensat(int dirfd, byte[] name, long sec, int nsec, int flags, byte[] pathForErrors) throws SysException {
        setTimes(sec, nsec);
        int rc;
        try {
            rc = (int) UTIMENSAT.invokeExact(state, dirfd, c(path1, name), times, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw fail("utimensat", pathForErrors);
        }
    }

    /** {@code readlinkat}; with an empty name, the symbolic link an {@code O_PATH} descriptor holds. */
    public byte[] readlinkat(int dirfd, byte[] name, byte[] pathForErrors) throws SysException {
        long n;
        try {
            n = (long) READLINKAT.invokeExact(state, dirfd, c(path1, name), path2, (long) PATH_MAX);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw fail("readlink", pathForErrors);
        }
        return path2.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The names in the directory {@code dirfd} (not consumed), without {@code .} and {@code ..}. */
    public List<byte[]> listAt(int dirfd, byte[] pathForErrors) throws SysException {
        int fd = openat(dirfd, new byte[]{'.'}, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0) {
            throw new SysException("opendir " + show(pathForErrors) + ": " + describe(-fd), -fd);
        }
        MemorySegment d;
        try {
            d = (MemorySegment) FDOPENDIR.invokeExact(state, fd);
        } catch (Throwable t) {
            closeQuietly(fd);
            throw rethrow(t);
        }
        if (d.equals(MemorySegment.NULL)) {
            closeQuietly(fd);
            throw fail("opendir", pathForErrors);
        }
        return readAll(d);
    }

    @Override
    public void close() {
        arena.close();
    }
}
