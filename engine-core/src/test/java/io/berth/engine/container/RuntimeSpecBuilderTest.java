package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeSpecBuilderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RuntimeSpecInput input(boolean privileged, boolean hostNetwork, List<String> add, List<String> drop) {
        return new RuntimeSpecInput("c1", Path.of("/r/rootfs"), List.of("sh"), List.of("PATH=/bin"), "/", 0, 0, List.of(),
                "c1", false, false, privileged, add, drop, hostNetwork, 64L << 20, 500_000_000L, 100, "/berth/c1",
                List.of(new RuntimeSpecInput.MountSpec("/etc/hosts", "bind", "/r/hosts", List.of("rbind", "rprivate"))), Map.of(),
                new SecurityOptions(privileged ? null : SeccompProfile.defaults(), false, false));
    }

    @Test
    void defaultCapabilitiesAreDockersFourteen() {
        JsonNode spec = new RuntimeSpecBuilder(JSON).build(input(false, false, List.of(), List.of()));
        assertEquals(14, spec.at("/process/capabilities/bounding").size());
        assertEquals(RuntimeSpecBuilder.DEFAULT_CAPABILITIES.size(), spec.at("/process/capabilities/effective").size());
    }

    @Test
    void capAddAndDropWorkWithOrWithoutThePrefixAndWithAll() {
        List<String> caps = RuntimeSpecBuilder.capabilities(false, List.of("net_admin"), List.of("CAP_CHOWN", "kill"));
        assertTrue(caps.contains("CAP_NET_ADMIN"));
        assertFalse(caps.contains("CAP_CHOWN") || caps.contains("CAP_KILL"));
        assertTrue(RuntimeSpecBuilder.capabilities(false, List.of(), List.of("ALL")).isEmpty());
        assertEquals(RuntimeSpecBuilder.ALL_CAPABILITIES.size(), RuntimeSpecBuilder.capabilities(false, List.of("ALL"), List.of()).size());
        assertThrows(IllegalArgumentException.class, () -> RuntimeSpecBuilder.capabilities(false, List.of("FLY"), List.of()));
    }

    @Test
    void unprivilegedContainersGetMaskedAndReadOnlyPathsAndNoDevices() {
        JsonNode spec = new RuntimeSpecBuilder(JSON).build(input(false, false, List.of(), List.of()));
        assertTrue(spec.at("/linux/maskedPaths").toString().contains("/proc/kcore"));
        assertTrue(spec.at("/linux/readonlyPaths").toString().contains("/proc/sys"));
        assertFalse(spec.at("/linux/resources/devices/0/allow").asBoolean());
        assertEquals("ro", spec.at("/mounts/3/options/3").asText(), "/sys is read-only");
    }

    @Test
    void privilegedContainersGetEverything() {
        JsonNode spec = new RuntimeSpecBuilder(JSON).build(input(true, false, List.of(), List.of()));
        assertTrue(spec.at("/linux/maskedPaths").isMissingNode());
        assertTrue(spec.at("/linux/resources/devices/0/allow").asBoolean());
        assertEquals(RuntimeSpecBuilder.ALL_CAPABILITIES.size(), spec.at("/process/capabilities/bounding").size());
    }

    @Test
    void hostNetworkSharesTheNetworkNamespace() {
        assertTrue(new RuntimeSpecBuilder(JSON).build(input(false, false, List.of(), List.of())).at("/linux/namespaces").toString().contains("network"));
        assertFalse(new RuntimeSpecBuilder(JSON).build(input(false, true, List.of(), List.of())).at("/linux/namespaces").toString().contains("network"));
    }

    @Test
    void limitsBecomeCgroupResources() {
        JsonNode spec = new RuntimeSpecBuilder(JSON).build(input(false, false, List.of(), List.of()));
        assertEquals(64L << 20, spec.at("/linux/resources/memory/limit").asLong());
        assertEquals(50_000, spec.at("/linux/resources/cpu/quota").asLong(), "0.5 CPU of a 100 ms period");
        assertEquals(100, spec.at("/linux/resources/pids/limit").asLong());
        assertEquals("/etc/hosts", spec.at("/mounts/7/destination").asText(), "extra mounts follow the defaults");
    }

    @Test
    void givenSecurityOptionsThenTheSpecCarriesTheFilterNoNewPrivilegesAndTheCgroupNamespace() {
        RuntimeSpecInput base = input(false, false, List.of(), List.of());
        JsonNode spec = new RuntimeSpecBuilder(JSON).build(base);
        assertEquals("SCMP_ACT_ERRNO", spec.at("/linux/seccomp/defaultAction").asText());
        assertFalse(spec.at("/process/noNewPrivileges").asBoolean());
        assertFalse(spec.at("/linux/namespaces").toString().contains("cgroup"));
        RuntimeSpecInput hardened = new RuntimeSpecInput(base.id(), base.rootfs(), base.args(), base.env(), base.cwd(), base.uid(),
                base.gid(), base.additionalGids(), base.hostname(), base.terminal(), base.readOnlyRootfs(), base.privileged(),
                base.capAdd(), base.capDrop(), base.hostNetwork(), base.memoryBytes(), base.nanoCpus(), base.pidsLimit(),
                base.cgroupsPath(), base.mounts(), base.sysctls(), new SecurityOptions(null, true, true));
        JsonNode other = new RuntimeSpecBuilder(JSON).build(hardened);
        assertTrue(other.at("/linux/seccomp").isMissingNode(), "unconfined: no filter");
        assertTrue(other.at("/process/noNewPrivileges").asBoolean());
        assertTrue(other.at("/linux/namespaces").toString().contains("{\"type\":\"cgroup\"}"));
        assertTrue(new RuntimeSpecBuilder(JSON).build(input(true, false, List.of(), List.of())).at("/linux/seccomp").isMissingNode(),
                "privileged: no filter");
    }
}
