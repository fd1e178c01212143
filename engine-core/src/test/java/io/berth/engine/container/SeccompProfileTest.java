package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeccompProfileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KERNEL_6_1 = 6001;

    private static JsonNode oci(List<String> caps) {
        return SeccompProfile.defaults().toOci(JSON, caps, "amd64", KERNEL_6_1);
    }

    /** Every entry naming {@code syscall}, as "action errno args". */
    private static List<String> entriesFor(JsonNode seccomp, String syscall) {
        List<String> found = new ArrayList<>();
        for (JsonNode entry : seccomp.get("syscalls")) {
            for (JsonNode name : entry.get("names")) {
                if (name.asText().equals(syscall)) {
                    found.add(entry.get("action").asText() + " " + entry.path("errnoRet").asText("-") + " " + entry.path("args"));
                }
            }
        }
        return found;
    }

    @Test
    void givenDockersDefaultCapabilitiesThenTheDefaultIsEpermAndTheAllowListIsDockers() {
        JsonNode seccomp = oci(RuntimeSpecBuilder.DEFAULT_CAPABILITIES);
        assertEquals("SCMP_ACT_ERRNO", seccomp.get("defaultAction").asText());
        assertEquals(1, seccomp.get("defaultErrnoRet").asInt());
        // x32 is left out on purpose (see the resource): libseccomp then refuses every x32 syscall
        assertEquals("[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"]", seccomp.get("architectures").toString());
        assertEquals(List.of("SCMP_ACT_ALLOW - "), entriesFor(seccomp, "read").stream().map(s -> s.replace("- ", "- ").replaceAll("\\s+$", " ")).toList());
        assertEquals(List.of("SCMP_ACT_ALLOW - "), entriesFor(seccomp, "arch_prctl").stream().map(s -> s.replaceAll("\\s+$", " ")).toList());
        for (String refused : List.of("unshare", "setns", "mount", "keyctl", "bpf", "userfaultfd", "perf_event_open", "add_key",
                "kexec_load", "open_by_handle_at", "reboot", "ptrace_nonexistent", "modify_ldt_no", "s390_runtime_instr", "acct")) {
            assertTrue(entriesFor(seccomp, refused).isEmpty(), refused + " falls to the default action");
        }
        // ptrace is Docker's since 4.8; on an older kernel it is refused
        assertFalse(entriesFor(seccomp, "ptrace").isEmpty());
        assertTrue(entriesFor(SeccompProfile.defaults().toOci(JSON, RuntimeSpecBuilder.DEFAULT_CAPABILITIES, "amd64", 4004), "ptrace").isEmpty());
    }

    @Test
    void givenNoSysAdminThenCloneIsAllowedOnlyWithoutNamespaceFlagsAndClone3SaysEnosys() {
        JsonNode seccomp = oci(RuntimeSpecBuilder.DEFAULT_CAPABILITIES);
        assertEquals(List.of("SCMP_ACT_ALLOW - [{\"index\":0,\"value\":0,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]")
                .size(), entriesFor(seccomp, "clone").size());
        String clone = entriesFor(seccomp, "clone").getFirst();
        assertTrue(clone.contains("\"index\":0") && clone.contains("\"value\":2114060288") && clone.contains("SCMP_CMP_MASKED_EQ"), clone);
        assertEquals(List.of("SCMP_ACT_ERRNO 38 "), entriesFor(seccomp, "clone3").stream().map(s -> s.replaceAll("\\s+$", " ")).toList());
        assertEquals(1, entriesFor(seccomp, "socket").size());
        assertTrue(entriesFor(seccomp, "socket").getFirst().contains("\"value\":40") && entriesFor(seccomp, "socket").getFirst().contains("SCMP_CMP_NE"));
        assertEquals(5, entriesFor(seccomp, "personality").size(), "one entry per allowed persona");
    }

    @Test
    void givenAddedCapabilitiesThenTheProfileIsRelaxedAsDockers() {
        List<String> caps = RuntimeSpecBuilder.capabilities(false, List.of("SYS_ADMIN", "SYS_PTRACE", "SYS_TIME"), List.of());
        JsonNode seccomp = oci(caps);
        for (String allowed : List.of("unshare", "setns", "mount", "bpf", "perf_event_open", "kcmp", "clock_settime")) {
            assertEquals(1, entriesFor(seccomp, allowed).size(), allowed + " allowed once");
        }
        assertEquals(List.of("SCMP_ACT_ALLOW - "), entriesFor(seccomp, "clone").stream().map(s -> s.replaceAll("\\s+$", " ")).toList(),
                "clone with any flags, and no argument rule");
        assertEquals(List.of("SCMP_ACT_ALLOW - "), entriesFor(seccomp, "clone3").stream().map(s -> s.replaceAll("\\s+$", " ")).toList());
        assertEquals(1, entriesFor(seccomp, "ptrace").size(), "ptrace named once though two rules allow it");
        // a dropped capability takes its syscalls away: chroot needs CAP_SYS_CHROOT, a default one
        assertFalse(entriesFor(oci(RuntimeSpecBuilder.DEFAULT_CAPABILITIES), "chroot").isEmpty());
        assertTrue(entriesFor(oci(RuntimeSpecBuilder.capabilities(false, List.of(), List.of("SYS_CHROOT"))), "chroot").isEmpty());
    }

    @Test
    void givenAnotherArchitectureThenItsOwnCallsAndArchitecturesAreUsed() {
        JsonNode seccomp = SeccompProfile.defaults().toOci(JSON, RuntimeSpecBuilder.DEFAULT_CAPABILITIES, "arm64", KERNEL_6_1);
        assertEquals("[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]", seccomp.get("architectures").toString());
        assertTrue(entriesFor(seccomp, "arch_prctl").isEmpty());
        assertFalse(entriesFor(seccomp, "set_tls").isEmpty());
    }

    @Test
    void aDockerProfileIsReadWithItsConditions() {
        String profile = """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
                 "syscalls": [
                   {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                   {"name": "chmod", "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_FOWNER"]}},
                   {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}
                 ]}""";
        SeccompProfile parsed = SeccompProfile.parseDocker(profile, JSON);
        JsonNode seccomp = parsed.toOci(JSON, RuntimeSpecBuilder.DEFAULT_CAPABILITIES, "amd64", KERNEL_6_1);
        assertEquals("SCMP_ACT_ALLOW", seccomp.get("defaultAction").asText());
        assertNull(seccomp.get("defaultErrnoRet"));
        assertEquals("[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"]", seccomp.get("architectures").toString());
        assertEquals(List.of("SCMP_ACT_ERRNO 13 "), entriesFor(seccomp, "mkdirat").stream().map(s -> s.replaceAll("\\s+$", " ")).toList());
        assertTrue(entriesFor(seccomp, "chmod").isEmpty(), "excluded: the container has CAP_FOWNER");
        assertEquals(1, entriesFor(seccomp, "socket").size());
    }

    @Test
    void aBadProfileIsOneLineNamingTheFault() {
        IllegalArgumentException json = assertThrows(IllegalArgumentException.class, () -> SeccompProfile.parseDocker("{\"defaultAction\":", JSON));
        assertTrue(json.getMessage().startsWith("the seccomp profile is not valid JSON"), json.getMessage());
        IllegalArgumentException action = assertThrows(IllegalArgumentException.class,
                () -> SeccompProfile.parseDocker("{\"defaultAction\":\"SCMP_ACT_FLY\"}", JSON));
        assertTrue(action.getMessage().contains("defaultAction is \"SCMP_ACT_FLY\""), action.getMessage());
        IllegalArgumentException op = assertThrows(IllegalArgumentException.class, () -> SeccompProfile.parseDocker(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"op\":\"LIKE\"}]}]}", JSON));
        assertTrue(op.getMessage().contains("syscalls[0]") && op.getMessage().contains("LIKE"), op.getMessage());
        IllegalArgumentException fact = assertThrows(IllegalArgumentException.class,
                () -> SeccompProfile.parseFacts("default errno=1\nallow read when=sunny\n", "p.txt"));
        assertEquals("p.txt:2: unknown condition \"when=sunny\"", fact.getMessage());
        for (IllegalArgumentException e : List.of(json, action, op, fact)) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void securityOptionsFollowDocker() {
        JsonNode none = JSON.createObjectNode();
        assertTrue(SecurityOptions.of(none, JSON).seccomp() != null);
        assertFalse(SecurityOptions.of(none, JSON).noNewPrivileges());
        assertNull(SecurityOptions.of(json("{\"SecurityOpt\":[\"seccomp=unconfined\"]}"), JSON).seccomp());
        assertNull(SecurityOptions.of(json("{\"SecurityOpt\":[\"seccomp:unconfined\"]}"), JSON).seccomp());
        assertNull(SecurityOptions.of(json("{\"Privileged\":true}"), JSON).seccomp(), "privileged: no filter at all");
        assertEquals(SeccompProfile.defaults(), SecurityOptions.of(json("{\"SecurityOpt\":[\"seccomp=builtin\"]}"), JSON).seccomp());
        assertTrue(SecurityOptions.of(json("{\"SecurityOpt\":[\"no-new-privileges\"]}"), JSON).noNewPrivileges());
        assertTrue(SecurityOptions.of(json("{\"SecurityOpt\":[\"no-new-privileges:true\"]}"), JSON).noNewPrivileges());
        assertFalse(SecurityOptions.of(json("{\"SecurityOpt\":[\"no-new-privileges=false\"]}"), JSON).noNewPrivileges());
        assertTrue(SecurityOptions.of(json("{\"CgroupnsMode\":\"private\"}"), JSON).privateCgroupNamespace());
        assertFalse(SecurityOptions.of(json("{\"CgroupnsMode\":\"host\"}"), JSON).privateCgroupNamespace());
        SeccompProfile custom = SecurityOptions.of(json("{\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_LOG\\\"}\"]}"), JSON).seccomp();
        assertEquals("SCMP_ACT_LOG", custom.defaultAction().name());
        for (String bad : List.of("{\"SecurityOpt\":[\"fly\"]}", "{\"SecurityOpt\":[\"seccomp=/etc/profile.json\"]}",
                "{\"SecurityOpt\":[\"no-new-privileges=maybe\"]}", "{\"CgroupnsMode\":\"shared\"}", "{\"SecurityOpt\":[\"seccomp=\"]}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecurityOptions.of(json(bad), JSON), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
