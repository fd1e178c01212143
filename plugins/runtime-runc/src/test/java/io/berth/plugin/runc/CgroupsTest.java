package io.berth.plugin.runc;

import io.berth.spi.Probe;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CgroupsTest {

    @Test
    void givenThisHost_whenCgroupsAreProbed_thenTheCheckSaysWhichHierarchyRuncDrives() {
        Probe.Check check = Cgroups.check();
        assertEquals(Probe.Kind.KERNEL, check.kind());
        assertTrue(check.passed(), check.toString());
        assertTrue(check.detail().contains("cgroup v1") || check.detail().contains("cgroup v2"), check.detail());
    }
}
