package io.berth.plugin.netavark;

import io.berth.spi.network.NetworkException;
import io.berth.spi.network.NetworkException.Reason;
import io.berth.spi.network.PortMapping;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.List;

/**
 * The host ports a member asks to publish. netavark 1.4 holds no published port open (Podman's conmon
 * does), so each is checked here before {@code setup}: against the other ports asked for, the ports the
 * driver's other members publish, and by binding it.
 */
final class HostPorts {

    private HostPorts() {
    }

    /** Refuses host ports another attachment publishes or another program holds, before anything is made. */
    static void check(String where, List<PortMapping> requested, Collection<StoredAttachment> held) throws NetworkException {
        for (int i = 0; i < requested.size(); i++) {
            PortMapping p = requested.get(i);
            for (int j = 0; j < i; j++) {
                if (p.clashesWith(requested.get(j))) {
                    throw new NetworkException(Reason.PORT_IN_USE, where + ": host port " + p + " is requested twice");
                }
            }
            for (StoredAttachment s : held) {
                for (PortMapping other : s.ports()) {
                    if (p.clashesWith(other)) {
                        throw new NetworkException(Reason.PORT_IN_USE, where + ": host port " + hostSide(p)
                                + " is already published by container " + s.containerId().substring(0, Math.min(12, s.containerId().length())));
                    }
                }
            }
            for (int port = p.hostPort(); port < p.hostPort() + p.range(); port++) {
                bindTest(where, p, port);
            }
        }
    }

    private static void bindTest(String where, PortMapping p, int port) throws NetworkException {
        if (p.hostIp().contains(":")) {
            throw new NetworkException(Reason.INVALID, where + ": host address " + p.hostIp()
                    + " is IPv6, which this driver does not publish on yet; give an IPv4 address or none");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp());
        } catch (IOException e) {
            throw new NetworkException(Reason.INVALID, where + ": host address \"" + p.hostIp() + "\" is not an IP address");
        }
        try {
            if (p.protocol().equals("udp")) {
                try (DatagramSocket socket = new DatagramSocket(null)) {
                    socket.bind(new InetSocketAddress(address, port));
                }
            } else {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.setReuseAddress(true);
                    socket.bind(new InetSocketAddress(address, port));
                }
            }
        } catch (java.net.BindException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("assign requested address")) {
                throw new NetworkException(Reason.INVALID, where + ": host address " + p.hostIp() + " is not an address of this host");
            }
            throw new NetworkException(Reason.PORT_IN_USE, where + ": host port " + (p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp())
                    + ":" + port + "/" + p.protocol() + " is already in use");
        } catch (IOException e) {
            throw new NetworkException(Reason.PORT_IN_USE, where + ": cannot check host port " + port + "/" + p.protocol() + ": " + e.getMessage());
        }
    }

    private static String hostSide(PortMapping p) {
        return (p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp()) + ":" + p.hostPort() + "/" + p.protocol();
    }
}
