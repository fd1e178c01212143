package io.berth.plugin.netavark;

import java.util.regex.Pattern;

/**
 * IPv4 addresses as ints and subnets in CIDR form: the arithmetic the driver's address management
 * needs, with one-line errors quoting the input.
 */
final class Ipv4 {

    private static final Pattern DOTTED = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private Ipv4() {
    }

    /** @param text a dotted quad @return it as an int @throws IllegalArgumentException quoting it */
    static int parse(String text) {
        var m = DOTTED.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address"
                    + (text != null && text.contains(":") ? " (IPv6 is not supported by this driver yet)" : ""));
        }
        int value = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address: " + octet + " is above 255");
            }
            value = value << 8 | octet;
        }
        return value;
    }

    /** @param address an address as an int @return its dotted quad */
    static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 255) + "." + (address >>> 8 & 255) + "." + (address & 255);
    }

    /**
     * A subnet: its network address and prefix length.
     *
     * @param base   the network address (host bits zero)
     * @param prefix the prefix length, 0 to 32
     */
    record Cidr(int base, int prefix) {

        /**
         * @param text for example {@code 10.213.0.0/24}
         * @return the subnet
         * @throws IllegalArgumentException quoting the text when it is malformed or has host bits set
         */
        static Cidr parse(String text) {
            String t = text == null ? "" : text.strip();
            int slash = t.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("subnet \"" + text + "\" needs a prefix length, for example 10.213.0.0/24");
            }
            int address;
            try {
                address = Ipv4.parse(t.substring(0, slash));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("subnet \"" + text + "\": " + e.getMessage());
            }
            int prefix;
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("subnet \"" + text + "\": the prefix length is not a number");
            }
            if (prefix < 0 || prefix > 32) {
                throw new IllegalArgumentException("subnet \"" + text + "\": the prefix length must lie between 0 and 32");
            }
            Cidr cidr = new Cidr(address & mask(prefix), prefix);
            if (cidr.base != address) {
                throw new IllegalArgumentException("subnet \"" + text + "\" has host bits set; did you mean " + cidr + "?");
            }
            return cidr;
        }

        static int mask(int prefix) {
            return prefix == 0 ? 0 : -1 << (32 - prefix);
        }

        /** @return how many addresses it holds */
        long size() {
            return 1L << (32 - prefix);
        }

        /** @return the last address (the broadcast address) */
        int last() {
            return (int) (Integer.toUnsignedLong(base) + size() - 1);
        }

        boolean contains(int address) {
            return (address & mask(prefix)) == base;
        }

        boolean overlaps(Cidr other) {
            int shorter = Math.min(prefix, other.prefix);
            return (base & mask(shorter)) == (other.base & mask(shorter));
        }

        /** @return whether the address may be given to a host: not the network or broadcast address */
        boolean isHost(int address) {
            return contains(address) && address != base && address != last();
        }

        @Override
        public String toString() {
            return format(base) + "/" + prefix;
        }
    }
}
