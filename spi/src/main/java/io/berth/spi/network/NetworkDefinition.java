package io.berth.spi.network;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a network is. The engine records it in its event log when the network is created and hands
 * it to the driver again after a restart ({@link io.berth.spi.NetworkDriver#restore}).
 *
 * <p>In a request to {@link io.berth.spi.NetworkDriver#create create} a network, {@code subnets},
 * a subnet's gateway and {@code networkInterface} may be left out: the driver fills them in and
 * returns the completed definition, which is what the engine records.
 *
 * @param name             the user's name for the network, unique on the host, for example
 *                         {@code bridge} or {@code app}: letters, digits, {@code _ . -}, at most 64
 * @param id               the engine's id for it: 64 lower-case hex digits
 * @param driver           Docker's driver name; {@code bridge} is the one every driver offers
 * @param subnets          its address ranges; empty in a request to let the driver choose a free one
 * @param networkInterface the host's bridge interface, at most 15 characters, for example
 *                         {@code berth0}; empty to let the driver name it
 * @param internal         no route out of the network and no outbound masquerading
 * @param dnsEnabled       members resolve each other's names through the network's DNS server
 * @param labels           the user's labels, kept and returned as given
 * @param options          driver options ({@code -o key=value}); each driver documents the keys it reads
 */
public record NetworkDefinition(String name, String id, String driver, List<Subnet> subnets, String networkInterface,
                                boolean internal, boolean dnsEnabled, Map<String, String> labels,
                                Map<String, String> options) {

    /** Copies the collections; a null collection or interface counts as empty. */
    public NetworkDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        driver = driver == null || driver.isBlank() ? "bridge" : driver;
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        networkInterface = networkInterface == null ? "" : networkInterface;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /**
     * A bridge network request with DNS on, no labels or options, the subnet and interface left to
     * the driver.
     *
     * @param name the network's name
     * @param id   its id
     * @return the request
     */
    public static NetworkDefinition bridge(String name, String id) {
        return new NetworkDefinition(name, id, "bridge", List.of(), "", false, true, Map.of(), Map.of());
    }

    /**
     * Returns the same definition with other subnets.
     *
     * @param newSubnets the subnets
     * @return the same definition with other subnets
     */
    public NetworkDefinition withSubnets(List<Subnet> newSubnets) {
        return new NetworkDefinition(name, id, driver, newSubnets, networkInterface, internal, dnsEnabled, labels, options);
    }

    /**
     * Returns the same definition, internal or not.
     *
     * @param newInternal whether it is internal
     * @return the same definition, internal or not
     */
    public NetworkDefinition withInternal(boolean newInternal) {
        return new NetworkDefinition(name, id, driver, subnets, networkInterface, newInternal, dnsEnabled, labels, options);
    }

    /**
     * Returns the same definition with another host interface.
     *
     * @param newInterface the bridge's name
     * @return the same definition with another host interface
     */
    public NetworkDefinition withNetworkInterface(String newInterface) {
        return new NetworkDefinition(name, id, driver, subnets, newInterface, internal, dnsEnabled, labels, options);
    }
}
