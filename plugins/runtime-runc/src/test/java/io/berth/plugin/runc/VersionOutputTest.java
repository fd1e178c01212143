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
}
