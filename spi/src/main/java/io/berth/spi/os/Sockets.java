package io.berth.spi.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Unix sockets the JDK cannot open or ask: {@code SOCK_SEQPACKET} (conmon's attach socket) and the
 * peer's credentials with its pid ({@code SO_PEERCRED}). Read, write and close them with
 * {@link Descriptors}.
 */
public final class Sockets {

    /** {@code shutdown}: no more sending. */
    public static final int SHUT_WR = 1;
    /** {@code shutdown}: no more sending or receiving. */
    public static final int SHUT_RDWR = 2;

    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SUN_PATH_LENGTH = 108;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;

    private static final MethodHandle SOCKET = Native.function("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CONNECT = Native.function("connect", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SHUTDOWN = Native.function("shutdown", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Native.function("getsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private Sockets() {
    }

    /** {@code socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)} connected to {@code path}. */
    public static int connectSeqpacket(String path) throws IOException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_LENGTH) {
            throw new IOException("socket path " + path + " is longer than " + (SUN_PATH_LENGTH - 1) + " bytes");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int fd = (int) Native.invoke(SOCKET, state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            Native.check(fd, state, "socket");
            MemorySegment address = arena.allocate(2 + SUN_PATH_LENGTH);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
            int result = (int) Native.invoke(CONNECT, state, fd, address, (int) address.byteSize());
            if (result < 0) {
                IOException e = Native.failure(state, "connect to " + path);
                Descriptors.close(fd);
                throw e;
            }
            return fd;
        }
    }

    /** {@code shutdown(fd, how)}, errors ignored. */
    public static void shutdown(int fd, int how) {
        try (Arena arena = Arena.ofConfined()) {
            Native.invoke(SHUTDOWN, Native.callState(arena), fd, how);
        }
    }

    /**
     * The process on the other end of a connected Unix socket.
     *
     * @param pid its process id
     * @param uid its user id
     * @param gid its group id
     */
    public record Peer(long pid, int uid, int gid) {
    }

    /**
     * {@code getsockopt(fd, SOL_SOCKET, SO_PEERCRED)}.
     *
     * @return the peer, or {@code null} if the kernel does not say (not a Unix socket)
     */
    public static Peer peer(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(12);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, 12);
            int rc = (int) Native.invoke(GETSOCKOPT, Native.callState(arena), fd, SOL_SOCKET, SO_PEERCRED, ucred, length);
            if (rc != 0) {
                return null;
            }
            return new Peer(ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4), ucred.get(ValueLayout.JAVA_INT, 8));
        }
    }
}
