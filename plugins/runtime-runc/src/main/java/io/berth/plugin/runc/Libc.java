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
 * {@code SOCK_SEQPACKET} (conmon's attach socket) and opening a FIFO without blocking. Each call
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
