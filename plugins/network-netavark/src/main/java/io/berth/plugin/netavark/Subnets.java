package io.berth.plugin.netavark;

import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.NetworkException.Reason;
import io.berth.spi.network.Subnet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The driver's IPv4 subnets and addresses: the checks of a subnet a network is given, the pool that networks
 * created without one draw from (options {@code default-address-pool} and {@code default-address-pool-size}),
 * the subnet of a bridge that is up already, and the choice of a member's address.
 */
final class Subnets {

    private final Map<String, String> options;

    /** @param options the plugin's options */
    Subnets(Map<String, String> options) {
        this.options = Map.copyOf(options);
    }

    /**
     * The subnet of a network being created: the one given, checked, else the pool's lowest free one. When its
     * bridge is up already, only the engine's default network may join it (another daemon made it), with the
     * bridge's subnet and gateway.
     */
    Subnet choose(NetworkDefinition request, String bridge, Collection<NetworkDefinition> known) throws NetworkException {
        String name = request.name();
        if (Files.exists(Path.of("/sys/class/net", bridge))) {
            // Another daemon's default network is up: this one joins its bridge, with its subnet, and
            // takes addresses through the host's leases. Any other bridge of that name is someone else's.
            BridgeAddress found = bridgeAddress(bridge);
            if (!"true".equals(request.options().get(NetavarkDriver.DEFAULT_BRIDGE_OPTION)) || found == null) {
                throw new NetworkException(Reason.CONFLICT, "network " + name + ": interface " + bridge
                        + " exists already on this host; choose another bridge name or subnet");
            }
            Ipv4.Cidr existing = found.subnet();
            if (!request.subnets().isEmpty() && !Ipv4.Cidr.parse(check(name, request.subnets().getFirst(), known).cidr()).equals(existing)) {
                throw new NetworkException(Reason.CONFLICT, "network " + name + ": bridge " + bridge + " exists already on this host with subnet "
                        + existing + ", not " + request.subnets().getFirst().cidr() + "; give the same subnet (bip) as the daemon that made it");
            }
            return check(name, new Subnet(existing.toString(), Ipv4.format(found.address())), known);
        }
        return request.subnets().isEmpty() ? free(name, known) : check(name, request.subnets().getFirst(), known);
    }

    /** @return the given subnet and gateway (default: the first host address) if valid and overlapping no known network */
    Subnet check(String name, Subnet given, Collection<NetworkDefinition> known) throws NetworkException {
        Ipv4.Cidr cidr;
        try {
            cidr = Ipv4.Cidr.parse(given.cidr());
        } catch (IllegalArgumentException e) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": " + e.getMessage());
        }
        if (cidr.prefix() > 30 || cidr.prefix() < 8) {
            throw new NetworkException(Reason.INVALID, "network " + name + ": subnet " + cidr + " must have a prefix length between /8 and /30");
        }
        for (NetworkDefinition other : known) {
            for (Subnet s : other.subnets()) {
                if (Ipv4.Cidr.parse(s.cidr()).overlaps(cidr)) {
                    throw new NetworkException(Reason.CONFLICT, "network " + name + ": subnet " + cidr + " overlaps " + s.cidr()
                            + " of network " + other.name());
                }
            }
        }
        int gateway = cidr.base() + 1;
        if (given.gateway() != null && !given.gateway().isBlank()) {
            try {
                gateway = Ipv4.parse(given.gateway());
            } catch (IllegalArgumentException e) {
                throw new NetworkException(Reason.INVALID, "network " + name + ": gateway " + e.getMessage());
            }
            if (!cidr.isHost(gateway)) {
                throw new NetworkException(Reason.INVALID, "network " + name + ": gateway " + given.gateway()
                        + " is not a host address of subnet " + cidr);
            }
        }
        return new Subnet(cidr.toString(), Ipv4.format(gateway));
    }

    /**
     * An IPv4 address of a host interface and the subnet it is in.
     *
     * @param address the interface's address (a bridge's: its network's gateway)
     * @param subnet  the subnet, from the address's prefix length
     */
    record BridgeAddress(int address, Ipv4.Cidr subnet) { }

    /** The first IPv4 address of a host interface, or null if it has none or is not there. */
    static BridgeAddress bridgeAddress(String bridge) {
        try {
            java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(bridge);
            if (nic == null) {
                return null;
            }
            for (java.net.InterfaceAddress a : nic.getInterfaceAddresses()) {
                if (a.getAddress() instanceof java.net.Inet4Address v4) {
                    int address = Ipv4.parse(v4.getHostAddress());
                    int prefix = a.getNetworkPrefixLength();
                    return new BridgeAddress(address, new Ipv4.Cidr(address & Ipv4.Cidr.mask(prefix), prefix));
                }
            }
        } catch (IOException e) {
            // an interface that cannot be read is treated as one without an address
        }
        return null;
    }

    /** The lowest subnet of the pool that overlaps no known network and no route of the host. */
    Subnet free(String name, Collection<NetworkDefinition> known) throws NetworkException {
        Ipv4.Cidr pool = pool();
        int size = poolSize();
        List<Ipv4.Cidr> taken = new ArrayList<>(hostRoutes());
        for (NetworkDefinition other : known) {
            other.subnets().forEach(s -> taken.add(Ipv4.Cidr.parse(s.cidr())));
        }
        long step = 1L << (32 - size);
        for (long base = Integer.toUnsignedLong(pool.base()); base + step - 1 <= Integer.toUnsignedLong(pool.last()); base += step) {
            Ipv4.Cidr candidate = new Ipv4.Cidr((int) base, size);
            if (taken.stream().noneMatch(candidate::overlaps)) {
                return new Subnet(candidate.toString(), Ipv4.format(candidate.base() + 1));
            }
        }
        throw new NetworkException(Reason.CONFLICT, "network " + name + ": no free /" + size + " subnet left in the address pool " + pool
                + "; give --subnet or set the option default-address-pool");
    }

    /** @return the option {@code default-address-pool} */
    Ipv4.Cidr pool() throws NetworkException {
        String text = options.getOrDefault("default-address-pool", NetavarkDriver.DEFAULT_POOL);
        try {
            return Ipv4.Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new NetworkException(Reason.INVALID, "option default-address-pool: " + e.getMessage());
        }
    }

    /** @return the option {@code default-address-pool-size}, a prefix length within the pool's */
    int poolSize() throws NetworkException {
        String text = options.getOrDefault("default-address-pool-size", String.valueOf(NetavarkDriver.DEFAULT_POOL_SIZE));
        try {
            int size = Integer.parseInt(text.strip());
            if (size >= pool().prefix() && size <= 30) {
                return size;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw new NetworkException(Reason.INVALID, "option default-address-pool-size=" + text
                + " must be a prefix length between the pool's (/" + pool().prefix() + ") and /30");
    }

    /** The destinations of the host's IPv4 routes, except the default route, from /proc/net/route. */
    private static List<Ipv4.Cidr> hostRoutes() {
        List<Ipv4.Cidr> routes = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8 || f[0].equals("Iface")) {
                    continue;
                }
                int destination = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
                int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
                if (mask != 0) {
                    routes.add(new Ipv4.Cidr(destination & mask, Integer.bitCount(mask)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Without the route table the pool's own bookkeeping still prevents clashes between berth's networks.
        }
        return routes;
    }

    /**
     * Refuses to join a bridge that is up with another subnet (another daemon's default network
     * given a different {@code bip}): netavark would add a second gateway address to it.
     */
    static void checkBridge(String where, NetworkDefinition network) throws NetworkException {
        BridgeAddress found = bridgeAddress(network.networkInterface());
        Subnet subnet = network.subnets().getFirst();
        if (found != null && !found.subnet().equals(Ipv4.Cidr.parse(subnet.cidr()))) {
            throw new NetworkException(Reason.CONFLICT, where + ": bridge " + network.networkInterface() + " is up on this host with subnet "
                    + found.subnet() + ", not the network's " + subnet.cidr() + "; another daemon made it with another subnet");
        }
    }

    /**
     * A member's address: the requested one if it is a free host address of the subnet, else the lowest
     * free one (the highest with {@code fromTop}, the anchor's), never the gateway, network or broadcast address.
     *
     * @param held the addresses members of this network and the host's leases hold
     */
    static String address(String where, NetworkDefinition network, Ipv4.Cidr cidr, String requested, Set<Integer> held,
                          boolean fromTop) throws NetworkException {
        int gateway = Ipv4.parse(network.subnets().getFirst().gateway());
        Set<Integer> taken = new HashSet<>(held);
        taken.add(gateway);
        if (requested != null && !requested.isBlank()) {
            int ip;
            try {
                ip = Ipv4.parse(requested);
            } catch (IllegalArgumentException e) {
                throw new NetworkException(Reason.INVALID, where + ": " + e.getMessage());
            }
            if (!cidr.isHost(ip)) {
                throw new NetworkException(Reason.INVALID, where + ": address " + requested + " is not a host address of subnet " + cidr);
            }
            if (taken.contains(ip)) {
                throw new NetworkException(Reason.CONFLICT, where + ": address " + requested
                        + (ip == gateway ? " is the network's gateway" : " is in use by another container"));
            }
            return Ipv4.format(ip);
        }
        if (fromTop) {
            for (long a = Integer.toUnsignedLong(cidr.last()) - 1; a > Integer.toUnsignedLong(cidr.base()); a--) {
                if (!taken.contains((int) a)) {
                    return Ipv4.format((int) a);
                }
            }
        }
        for (long a = Integer.toUnsignedLong(cidr.base()) + 1; a < Integer.toUnsignedLong(cidr.last()); a++) {
            if (!taken.contains((int) a)) {
                return Ipv4.format((int) a);
            }
        }
        throw new NetworkException(Reason.CONFLICT, where + ": no free address left in subnet " + cidr);
    }
}
