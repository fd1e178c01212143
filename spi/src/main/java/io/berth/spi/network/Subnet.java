package io.berth.spi.network;

import java.util.Objects;

/**
 * One address range of a network and the address of its gateway in it.
 *
 * @param cidr    the range in CIDR form, for example {@code 10.213.0.0/24}; never null
 * @param gateway the gateway's address in the range, for example {@code 10.213.0.1}, or
 *                {@code null} in a request to let the driver choose (the first host address)
 */
public record Subnet(String cidr, String gateway) {
    /** Checks that the range is given. */
    public Subnet {
        Objects.requireNonNull(cidr, "cidr");
    }
}
