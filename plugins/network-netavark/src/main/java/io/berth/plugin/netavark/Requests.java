package io.berth.plugin.netavark;

import io.berth.spi.network.AttachRequest;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.NetworkException.Reason;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * The checks of what the engine asks the driver to create or attach, made before anything is made: the
 * names and ids, the driver, one IPv4 subnet, the bridge's name, the MTU, a member's DNS names.
 */
final class Requests {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    static final Pattern INTERFACE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}");
    private static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";

    private Requests() {
    }

    /** Refuses a network whose name, id or driver is invalid, or whose name or id another network has. */
    static void checkCreate(NetworkDefinition request, Collection<NetworkDefinition> networks) throws NetworkException {
        String name = request.name();
        if (!NAME.matcher(name).matches()) {
            throw new NetworkException(Reason.INVALID, "network name \"" + name
                    + "\" is invalid: use letters, digits, '_', '.', '-', starting with a letter or digit, at most 64");
        }
        if (!ID.matcher(request.id()).matches()) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": id \"" + request.id() + "\" is not 64 lower-case hex digits");
        }
        if (!request.driver().equals("bridge")) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": driver \"" + request.driver()
                    + "\" is not supported by netavark here; use bridge");
        }
        for (NetworkDefinition known : networks) {
            if (known.name().equals(name)) {
                throw new NetworkException(Reason.CONFLICT, "network with name " + name + " already exists");
            }
            if (known.id().equals(request.id())) {
                throw new NetworkException(Reason.CONFLICT, "network " + name + ": id " + request.id() + " is taken by network " + known.name());
            }
        }
    }

    /** @return the bridge the network gets: option {@code com.docker.network.bridge.name}, else {@code br-} and 12 digits of its id */
    static String bridgeName(NetworkDefinition request, Collection<NetworkDefinition> networks) throws NetworkException {
        String name = request.name();
        if (request.subnets().size() > 1) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": " + request.subnets().size()
                    + " subnets given; this driver takes one IPv4 subnet per network");
        }
        String bridge = request.options().getOrDefault(BRIDGE_NAME_OPTION, request.networkInterface());
        if (bridge.isEmpty()) {
            bridge = "br-" + request.id().substring(0, 12);
        }
        if (!INTERFACE.matcher(bridge).matches()) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": bridge name \"" + bridge
                    + "\" is invalid: at most 15 letters, digits, '_', '.', '-'");
        }
        for (NetworkDefinition known : networks) {
            if (known.networkInterface().equals(bridge)) {
                throw new NetworkException(Reason.CONFLICT, "network " + name + ": bridge " + bridge + " is used by network " + known.name());
            }
        }
        return bridge;
    }

    /** Refuses an MTU option that is not a number. */
    static void checkMtu(NetworkDefinition request) throws NetworkException {
        String name = request.name();
        String mtu = request.options().get(NetavarkDriver.MTU_OPTION);
        if (mtu != null && !mtu.matches("\\d{3,5}")) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": option " + NetavarkDriver.MTU_OPTION + "=" + mtu + " is not a number");
        }
    }

    /** Refuses an attach request whose container id, name or aliases are invalid. */
    static void checkAttach(String where, NetworkDefinition network, AttachRequest request) throws NetworkException {
        String cid = request.containerId();
        if (!CONTAINER_ID.matcher(cid).matches()) {
            throw new NetworkException(Reason.INVALID, "network " + network.name() + ": container id \"" + cid + "\" is invalid");
        }
        if (!request.containerName().isEmpty() && !NAME.matcher(request.containerName()).matches()) {
            throw new NetworkException(Reason.INVALID, where + ": container name \"" + request.containerName() + "\" is not a valid DNS name");
        }
        for (String alias : request.aliases()) {
            if (!NAME.matcher(alias).matches()) {
                throw new NetworkException(Reason.INVALID, where + ": alias \"" + alias + "\" is not a valid DNS name");
            }
        }
    }
}
