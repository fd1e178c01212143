package io.berth.engine.api;

import io.berth.spi.os.Sockets;
import java.lang.reflect.Method;
import java.nio.channels.Channel;

/**
 * The uid, gid and pid of the process on the other end of a Unix-domain socket, from the kernel
 * ({@code getsockopt(SO_PEERCRED)}). The JDK's own {@code SO_PEERCRED} option gives names but no
 * pid, so this asks the kernel through {@link Sockets#peer}.
 *
 * @param pid process id of the peer
 * @param uid user id of the peer
 * @param gid group id of the peer
 */
public record PeerCredentials(long pid, int uid, int gid) {

    /** Returned when the peer cannot be identified (not a Unix socket, or the call failed). */
    public static final PeerCredentials UNKNOWN = new PeerCredentials(0, -1, -1);

    private static final Method FD_VAL;

    static {
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
        if (FD_VAL == null || !FD_VAL.getDeclaringClass().isInstance(channel)) {
            return UNKNOWN;
        }
        try {
            Sockets.Peer peer = Sockets.peer((int) FD_VAL.invoke(channel));
            return peer == null ? UNKNOWN : new PeerCredentials(peer.pid(), peer.uid(), peer.gid());
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            return UNKNOWN;
        }
    }
}
