package io.berth.spi.fs;

import io.berth.spi.os.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * berth's one binding of the C library's file-system calls, through the Foreign Function API,
 * with paths as <em>raw bytes</em>: the path-based calls for trees berth owns (a layer's directory,
 * a snapshot), the descriptor I/O {@link SafeFile} reads and writes through, and the shared errno,
 * flag and mode numbers. The descriptor-relative calls ({@code openat2}, {@code mkdirat},
 * {@code linkat}, …) that {@link SafeRoot} is built on are in the package-private {@code SysAt},
 * which works in an instance's scratch memory. Shared by engine-core and the plugins (they may
 * depend on spi alone), so no module binds these calls a second time; other concerns (mounts,
 * signals, terminals, sockets, namespaces) are in {@link io.berth.spi.os}.
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

    /** How the platform encodes file names ({@code sun.jnu.encoding}), as {@link java.nio.file.Files} does. */
    private static final Charset FILE_NAMES = fileNameCharset();

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
    static final long SYS_OPENAT2 = 437;
    static final int STATX_BASIC_STATS = 0x7ff;

    static final int PATH_MAX = 4096;
    private static final int IO_BUFFER = 1 << 20;

    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    static final java.lang.foreign.AddressLayout P = ValueLayout.ADDRESS;

    static final MethodHandle STATX = call("statx", FunctionDescriptor.of(I, I, P, I, I, P));
    private static final MethodHandle MKDIR = call("mkdir", FunctionDescriptor.of(I, P, I));
    private static final MethodHandle UNLINK = call("unlink", FunctionDescriptor.of(I, P));
    private static final MethodHandle RMDIR = call("rmdir", FunctionDescriptor.of(I, P));
    private static final MethodHandle LCHOWN = call("lchown", FunctionDescriptor.of(I, P, I, I));
    private static final MethodHandle CHMOD = call("chmod", FunctionDescriptor.of(I, P, I));
    private static final MethodHandle OPEN = Native.variadic("open", FunctionDescriptor.of(I, P, I, I), 2);
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle OPENDIR = call("opendir", FunctionDescriptor.of(P, P));
    private static final MethodHandle READDIR = call("readdir", FunctionDescriptor.of(P, P));
    private static final MethodHandle CLOSEDIR = call("closedir", FunctionDescriptor.of(I, P));

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

    final Arena arena = Arena.ofConfined();
    final MemorySegment state = Native.callState(arena);
    final MemorySegment path1 = arena.allocate(PATH_MAX + 1);
    final MemorySegment path2 = arena.allocate(PATH_MAX + 1);
    private final MemorySegment name = arena.allocate(512);
    final MemorySegment statx = arena.allocate(256, 8);
    final MemorySegment times = arena.allocate(32, 8);
    MemorySegment small = arena.allocate(64 * 1024, 8);
    private final MemorySegment io = arena.allocate(IO_BUFFER, 4096);
    final MemorySegment how = arena.allocate(24, 8);

    private static MethodHandle call(String fn, FunctionDescriptor descriptor) {
        return Native.function(fn, descriptor);
    }

    int errno() {
        return Native.errno(state);
    }

    MemorySegment c(MemorySegment into, byte[] path) throws SysException {
        if (path.length > PATH_MAX - 1) {
            throw new SysException("path too long (" + path.length + " bytes): " + show(path), ENAMETOOLONG);
        }
        MemorySegment.copy(path, 0, into, ValueLayout.JAVA_BYTE, 0, path.length);
        into.set(ValueLayout.JAVA_BYTE, path.length, (byte) 0);
        return into;
    }

    MemorySegment cname(String attr) throws SysException {
        byte[] b = attr.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > 255) {
            throw new SysException("extended attribute name too long: " + attr, ERANGE);
        }
        MemorySegment.copy(b, 0, name, ValueLayout.JAVA_BYTE, 0, b.length);
        name.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
        return name;
    }

    SysException fail(String op, byte[] path) {
        int e = errno();
        return new SysException(op + " " + show(path) + ": " + describe(e), e);
    }

    static RuntimeException rethrow(Throwable t) {
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

    Stat parseStatx() {
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

    void setTimes(long sec, int nsec) {
        times.set(L, 0, sec);
        times.set(L, 8, nsec);
        times.set(L, 16, sec);
        times.set(L, 24, nsec);
    }

    MemorySegment value(byte[] value) {
        if (value.length > small.byteSize()) {
            small = arena.allocate(value.length, 8);
        }
        MemorySegment.copy(value, 0, small, ValueLayout.JAVA_BYTE, 0, value.length);
        return small;
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

    List<byte[]> readAll(MemorySegment d) {
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

    /**
     * {@link #removeTree(byte[])} of a {@link Path}, its name encoded by {@link #fileName}.
     */
    public void removeTree(Path path) throws SysException {
        removeTree(fileName(path));
    }

    /** A path made absolute, as the bytes the kernel sees: encoded as {@link java.nio.file.Files} encodes it. */
    public static byte[] fileName(Path path) {
        return path.toAbsolutePath().toString().getBytes(FILE_NAMES);
    }

    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
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

    @Override
    public void close() {
        arena.close();
    }
}
