package io.berth.plugin.netavark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4Test {

    @Test
    void givenDottedQuads_whenParsedAndFormatted_thenTheyRoundTrip() {
        for (String a : new String[]{"0.0.0.0", "10.213.0.1", "255.255.255.255", "192.0.2.7"}) {
            assertEquals(a, Ipv4.format(Ipv4.parse(a)));
        }
    }

    @Test
    void givenMalformedAddresses_whenParsed_thenTheErrorQuotesThem() {
        for (String bad : new String[]{"", "10.0.0", "10.0.0.256", "fd00::1", "a.b.c.d", "1.2.3.4.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(bad));
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }

    @Test
    void givenASubnetWithHostBits_whenParsed_thenTheErrorSuggestsTheNetworkAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4.Cidr.parse("10.213.0.5/24"));
        assertTrue(e.getMessage().contains("10.213.0.0/24"), e.getMessage());
    }

    @Test
    void givenSubnets_whenCompared_thenOverlapAndHostAddressesFollowTheirPrefixes() {
        Ipv4.Cidr pool = Ipv4.Cidr.parse("10.213.0.0/16");
        Ipv4.Cidr a = Ipv4.Cidr.parse("10.213.4.0/24");
        Ipv4.Cidr b = Ipv4.Cidr.parse("10.214.0.0/24");
        assertTrue(pool.overlaps(a) && a.overlaps(pool));
        assertFalse(a.overlaps(b) || pool.overlaps(b));
        assertEquals("10.213.4.255", Ipv4.format(a.last()));
        assertFalse(a.isHost(Ipv4.parse("10.213.4.0")));
        assertFalse(a.isHost(Ipv4.parse("10.213.4.255")));
        assertTrue(a.isHost(Ipv4.parse("10.213.4.1")));
        assertFalse(a.isHost(Ipv4.parse("10.213.5.1")));
        assertEquals(256, a.size());
    }
}
