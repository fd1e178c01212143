package io.berth.engine.api;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.nio.channels.Channel;

/**
 * The uid, gid and pid of the process on the other end of a Unix-domain socket, from the kernel
 * ({@code getsockopt(SO_PEERCRED)}). The JDK's own {@code SO_PEERCRED} option gives names but no
 * pid, so this calls libc through the foreign-function API.
 *
 * @param pid process id of the peer
 * @param uid user id of the peer
 * @param gid group id of the peer
 */
public record PeerCredentials(long pid, int uid, int gid) {

    /** Returned when the peer cannot be identified (not a Unix socket, or the call failed). */
    public static final PeerCredentials UNKNOWN = new PeerCredentials(0, -1, -1);

    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final MethodHandle GETSOCKOPT;
    private static final Method FD_VAL;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        GETSOCKOPT = libc.find("getsockopt")
                .map(symbol -> linker.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS)))
                .orElse(null);
        Method fdVal = null;
        try {
            // Needs --add-exports=java.base/sun.nio.ch=ALL-UNNAMED, which the daemon runs with for Chronicle.
            fdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        } catch (ReflectiveOperationException | RuntimeException e) {
            // peer credentials are then unknown; requests still work
        }
        FD_VAL = fdVal;
    }

    /** The credentials of the peer of {@code channel}, or {@link #UNKNOWN}. */
    public static PeerCredentials of(Channel channel) {
        if (GETSOCKOPT == null || FD_VAL == null || !FD_VAL.getDeclaringClass().isInstance(channel)) {
            return UNKNOWN;
        }
        try {
            int fd = (int) FD_VAL.invoke(channel);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ucred = arena.allocate(12);
                MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
                length.set(ValueLayout.JAVA_INT, 0, 12);
                int rc = (int) GETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_PEERCRED, ucred, length);
                if (rc != 0) {
                    return UNKNOWN;
                }
                return new PeerCredentials(
                        ucred.get(ValueLayout.JAVA_INT, 0),
                        ucred.get(ValueLayout.JAVA_INT, 4),
                        ucred.get(ValueLayout.JAVA_INT, 8));
            }
        } catch (Throwable e) {
            return UNKNOWN;
        }
    }
}
