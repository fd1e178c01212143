package io.berth.plugin.runc;

import io.berth.spi.runtime.RuntimeInfo;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VersionOutputTest {

    @Test
    void givenDebianRuncOutput_whenParsed_thenVersionCommitSpecAndDetailsAreRead() {
        String output = """
                runc version 1.1.5+ds1
                commit: 1.1.5+ds1-1+deb12u1
                spec: 1.0.2-dev
                go: go1.19.8
                libseccomp: 2.5.4
                """;
        RuntimeInfo info = VersionOutput.parseRunc(output).orElseThrow();
        assertEquals("runc", info.name());
        assertEquals("1.1.5+ds1", info.version());
        assertEquals("1.1.5+ds1-1+deb12u1", info.commit());
        assertEquals("1.0.2-dev", info.ociSpecVersion());
        assertEquals("go1.19.8", info.details().get("go"));
        assertEquals("2.5.4", info.details().get("libseccomp"));
    }

    @Test
    void givenOutputWithoutAVersionLine_whenParsed_thenNothing() {
        assertEquals(Optional.empty(), VersionOutput.parseRunc("crun version 1.8\nspec: 1.0.0\n"));
    }

    @Test
    void givenConmonOutput_whenParsed_thenItsVersionIsRead() {
        assertEquals(Optional.of("2.1.6"), VersionOutput.conmonVersion("conmon version 2.1.6\ncommit: unknown\n"));
    }

    private static io.berth.spi.Probe.Check safety(String output) {
        return VersionOutput.safety(VersionOutput.parseRunc(output).orElseThrow());
    }

    @Test
    void givenRuncFrom1_1_12On_thenItIsSafe() {
        for (String version : java.util.List.of("1.1.12", "1.1.15", "1.2.0-rc.1", "1.3.0", "2.0.0", "v1.1.13")) {
            io.berth.spi.Probe.Check check = safety("runc version " + version + "\ncommit: v" + version + "-0-gabc\n");
            org.junit.jupiter.api.Assertions.assertTrue(check.passed(), version + ": " + check.detail());
            assertEquals(io.berth.spi.Probe.Kind.SECURITY, check.kind());
        }
    }

    @Test
    void givenDebian12sPatchedBuildThenItIsSafeAndItsUnpatchedBuildIsNot() {
        io.berth.spi.Probe.Check patched = safety("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n");
        org.junit.jupiter.api.Assertions.assertTrue(patched.passed(), patched.detail());
        org.junit.jupiter.api.Assertions.assertTrue(safety("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u3\n").passed());
        io.berth.spi.Probe.Check unpatched = safety("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1\n");
        org.junit.jupiter.api.Assertions.assertFalse(unpatched.passed());
        assertEquals("runc 1.1.5+ds1 (commit 1.1.5+ds1-1) is older than 1.1.12 and open to CVE-2024-21626 (a container escape):"
                + " install runc 1.1.12 or later (or Debian 12's 1.1.5+ds1-1+deb12u1), or point the runtime-runc option \"runc\" at one",
                unpatched.detail());
        // a lookalike in another place of the line is not Debian's package version
        org.junit.jupiter.api.Assertions.assertFalse(safety("runc version 1.1.5\ncommit: x1.1.5+ds1-1+deb12u1\n").passed());
        org.junit.jupiter.api.Assertions.assertFalse(safety("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u0\n").passed());
    }

    @Test
    void givenRuncBefore1_1_12ThenItIsRefusedNamingTheVersionFound() {
        for (String version : java.util.List.of("1.1.11", "1.0.0-rc92", "1.1.5", "0.1.1")) {
            io.berth.spi.Probe.Check check = safety("runc version " + version + "\ncommit: v" + version + "\n");
            org.junit.jupiter.api.Assertions.assertFalse(check.passed(), version);
            org.junit.jupiter.api.Assertions.assertTrue(check.detail().startsWith("runc " + version + " "), check.detail());
            org.junit.jupiter.api.Assertions.assertFalse(check.detail().contains("\n"));
        }
        org.junit.jupiter.api.Assertions.assertFalse(safety("runc version unknown\n").passed());
    }
}
