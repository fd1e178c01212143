package io.berth.plugin.runc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The few libc calls the JDK lacks, through the foreign function API: Unix sockets of type
 * {@code SOCK_SEQPACKET} (conmon's attach socket), opening a FIFO without blocking, and
 * pseudo-terminals (opened, read until EIO, resized with {@code ioctl}, runc told with
 * {@code SIGWINCH}). Each call
 * returns its result or throws an {@link IOException} naming the call and {@code strerror(errno)}.
 */
final class Libc {

    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SHUT_WR = 1;
    static final int SHUT_RDWR = 2;
    static final int O_WRONLY = 1;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int O_PATH = 0x200000;
    static final int O_DIRECTORY = 0x10000;
    private static final int EINTR = 4;
    private static final int EIO = 5;
    static final int SIGWINCH = 28;
    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final long TIOCSWINSZ = 0x5414;
    private static final int SUN_PATH_LENGTH = 108;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = function("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CONNECT = function("connect", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle READ = function("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = function("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle SHUTDOWN = function("shutdown", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle OPEN = function("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle POSIX_OPENPT = function("posix_openpt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));
    private static final MethodHandle GRANTPT = function("grantpt", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle UNLOCKPT = function("unlockpt", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle PTSNAME_R = function("ptsname_r", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle TCGETATTR = function("tcgetattr", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle TCSETATTR = function("tcsetattr", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle CFMAKERAW = function("cfmakeraw", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final MethodHandle KILL = function("kill", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private Libc() {
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, CAPTURE_ERRNO);
    }

    /** {@code socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)} connected to {@code path}. */
    static int connectSeqpacket(String path) throws IOException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_LENGTH) {
            throw new IOException("socket path " + path + " is longer than " + (SUN_PATH_LENGTH - 1) + " bytes");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) invoke(SOCKET, state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            check(fd, state, "socket");
            MemorySegment address = arena.allocate(2 + SUN_PATH_LENGTH);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
            int result = (int) invoke(CONNECT, state, fd, address, (int) address.byteSize());
            if (result < 0) {
                IOException e = error(state, "connect to " + path);
                close(fd);
                throw e;
            }
            return fd;
        }
    }

    /**
     * A new pseudo-terminal in raw mode: {@code posix_openpt}, {@code grantpt}, {@code unlockpt},
     * {@code cfmakeraw} applied through the master.
     *
     * @return the master's descriptor (close-on-exec) and the slave's path
     */
    static Pty openPty() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int master = (int) invoke(POSIX_OPENPT, state, O_RDWR | O_NOCTTY | O_CLOEXEC);
            check(master, state, "posix_openpt");
            try {
                check((int) invoke(GRANTPT, state, master), state, "grantpt");
                check((int) invoke(UNLOCKPT, state, master), state, "unlockpt");
                MemorySegment name = arena.allocate(128);
                int result = (int) invoke(PTSNAME_R, state, master, name, 128L);
                if (result != 0) {
                    throw new IOException("ptsname_r: error " + result);
                }
                MemorySegment termios = arena.allocate(128, 8);
                check((int) invoke(TCGETATTR, state, master, termios), state, "tcgetattr");
                invoke(CFMAKERAW, state, termios);
                check((int) invoke(TCSETATTR, state, master, 0, termios), state, "tcsetattr");
                return new Pty(master, name.getString(0));
            } catch (IOException e) {
                close(master);
                throw e;
            }
        }
    }

    /** A pseudo-terminal: its master's descriptor, its slave's path. */
    record Pty(int master, String slave) {
    }

    /** {@code kill(pid, signal)}, errors ignored (the process may be gone). */
    static void kill(long pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            invoke(KILL, arena.allocate(CALL_STATE), (int) pid, signal);
        }
    }

    /**
     * {@code read} on a terminal's master: end of stream once every slave is closed (EIO).
     *
     * @return bytes read, 0 at end of stream
     */
    static int readTerminal(int fd, byte[] buffer) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment native_ = arena.allocate(buffer.length);
            while (true) {
                long n = (long) invoke(READ, state, fd, native_, (long) buffer.length);
                if (n >= 0) {
                    MemorySegment.copy(native_, ValueLayout.JAVA_BYTE, 0, buffer, 0, (int) n);
                    return (int) n;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == EIO) {
                    return 0;
                }
                if (errno != EINTR) {
                    throw error(state, "read");
                }
            }
        }
    }

    /** {@code ioctl(fd, TIOCSWINSZ, &winsize)}. */
    static void resizeTerminal(int fd, int rows, int columns) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment size = arena.allocate(8, 2);
            size.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
            size.set(ValueLayout.JAVA_SHORT, 2, (short) columns);
            check((int) invoke(IOCTL, state, fd, TIOCSWINSZ, size), state, "ioctl TIOCSWINSZ");
        }
    }

    /** {@code open(path, flags)}. */
    static int open(String path, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) invoke(OPEN, state, arena.allocateFrom(path), flags);
            check(fd, state, "open " + path);
            return fd;
        }
    }

    /**
     * {@code read(fd, buffer, length)}, retried on EINTR.
     *
     * @return bytes read, 0 at end of stream
     */
    static int read(int fd, byte[] buffer) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment native_ = arena.allocate(buffer.length);
            while (true) {
                long n = (long) invoke(READ, state, fd, native_, (long) buffer.length);
                if (n >= 0) {
                    MemorySegment.copy(native_, ValueLayout.JAVA_BYTE, 0, buffer, 0, (int) n);
                    return (int) n;
                }
                if ((int) ERRNO.get(state, 0L) != EINTR) {
                    throw error(state, "read");
                }
            }
        }
    }

    /** Writes all of {@code data[offset, offset+length)} in one {@code write} (one packet on a SEQPACKET socket). */
    static void write(int fd, byte[] data, int offset, int length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment native_ = arena.allocate(Math.max(1, length));
            MemorySegment.copy(data, offset, native_, ValueLayout.JAVA_BYTE, 0, length);
            long written = 0;
            while (written < length) {
                long n = (long) invoke(WRITE, state, fd, native_.asSlice(written), length - written);
                if (n < 0) {
                    if ((int) ERRNO.get(state, 0L) == EINTR) {
                        continue;
                    }
                    throw error(state, "write");
                }
                written += n;
            }
        }
    }

    static void shutdown(int fd, int how) {
        try (Arena arena = Arena.ofConfined()) {
            invoke(SHUTDOWN, arena.allocate(CALL_STATE), fd, how);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            invoke(CLOSE, arena.allocate(CALL_STATE), fd);
        }
    }

    private static Object invoke(MethodHandle handle, MemorySegment state, Object... arguments) {
        Object[] all = new Object[arguments.length + 1];
        all[0] = state;
        System.arraycopy(arguments, 0, all, 1, arguments.length);
        try {
            return handle.invokeWithArguments(all);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(int result, MemorySegment state, String what) throws IOException {
        if (result < 0) {
            throw error(state, what);
        }
    }

    private static IOException error(MemorySegment state, String what) {
        int errno = (int) ERRNO.get(state, 0L);
        String text;
        try {
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
            text = message.reinterpret(256).getString(0);
        } catch (Throwable t) {
            text = "errno " + errno;
        }
        return new IOException(what + ": " + text);
    }
}
