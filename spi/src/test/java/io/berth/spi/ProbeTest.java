package io.berth.spi;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeTest {

    @Test
    void givenAllChecksPassed_whenSummarised_thenUsable() {
        Probe probe = Probe.of(Probe.Check.passed("runc", Probe.Kind.PROGRAM, "/usr/sbin/runc"));
        assertTrue(probe.usable());
        assertEquals("usable", probe.summary());
        assertEquals(List.of(), probe.problems());
    }

    @Test
    void givenTwoFailedChecks_whenSummarised_thenOneLineNamesBoth() {
        Probe probe = Probe.of(
                Probe.Check.failed("runc", Probe.Kind.PROGRAM, "not found on PATH"),
                Probe.Check.passed("root", Probe.Kind.PRIVILEGE, "uid 0"),
                Probe.Check.failed("conmon", Probe.Kind.PROGRAM, "not found on PATH"));
        assertFalse(probe.usable());
        assertEquals("not usable: runc: not found on PATH; conmon: not found on PATH", probe.summary());
    }

    @Test
    void givenNoCheck_whenAProbeIsMade_thenItIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Probe(List.of()));
    }
}
