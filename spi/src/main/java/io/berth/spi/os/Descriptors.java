package io.berth.spi.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Plain descriptor I/O for what the JDK cannot open: FIFOs opened without blocking, sockets and
 * terminals from {@link Sockets} and {@link Terminals}. Each call allocates its own native memory,
 * so any thread may call; reads and writes are retried on {@code EINTR}. (Files in trees go through
 * {@link io.berth.spi.fs.Sys} and {@link io.berth.spi.fs.SafeRoot} instead.)
 */
public final class Descriptors {

    static final int EINTR = 4;

    private static final MethodHandle OPEN = Native.function("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle READ = Native.function("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = Native.function("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = Native.function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Descriptors() {
    }

    /**
     * {@code open(path, flags)}, flags from {@link io.berth.spi.fs.Sys} ({@code O_PATH}, {@code O_NONBLOCK}, ...).
     *
     * @return the descriptor
     */
    public static int open(String path, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int fd = (int) Native.invoke(OPEN, state, arena.allocateFrom(path), flags);
            Native.check(fd, state, "open " + path);
            return fd;
        }
    }

    /**
     * {@code read(fd, buffer, length)}, retried on EINTR.
     *
     * @return bytes read, 0 at end of stream
     */
    public static int read(int fd, byte[] buffer) throws IOException {
        long n = readOrErrno(fd, buffer);
        if (n < 0) {
            throw new IOException("read: " + Native.describe((int) -n));
        }
        return (int) n;
    }

    /** Like {@link #read}, but the {@code errno} of a failure is returned as {@code -errno} instead of thrown. */
    static long readOrErrno(int fd, byte[] buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment native_ = arena.allocate(buffer.length);
            while (true) {
                long n = (long) Native.invoke(READ, state, fd, native_, (long) buffer.length);
                if (n >= 0) {
                    MemorySegment.copy(native_, ValueLayout.JAVA_BYTE, 0, buffer, 0, (int) n);
                    return n;
                }
                int errno = Native.errno(state);
                if (errno != EINTR) {
                    return -errno;
                }
            }
        }
    }

    /** Writes all of {@code data[offset, offset+length)} in one {@code write} (one packet on a SEQPACKET socket). */
    public static void write(int fd, byte[] data, int offset, int length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment native_ = arena.allocate(Math.max(1, length));
            MemorySegment.copy(data, offset, native_, ValueLayout.JAVA_BYTE, 0, length);
            long written = 0;
            while (written < length) {
                long n = (long) Native.invoke(WRITE, state, fd, native_.asSlice(written), length - written);
                if (n < 0) {
                    if (Native.errno(state) == EINTR) {
                        continue;
                    }
                    throw Native.failure(state, "write");
                }
                written += n;
            }
        }
    }

    /** {@code close(fd)}, errors ignored. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            Native.invoke(CLOSE, Native.callState(arena), fd);
        }
    }
}
