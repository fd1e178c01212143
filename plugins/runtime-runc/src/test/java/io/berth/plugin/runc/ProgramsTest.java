package io.berth.plugin.runc;

import io.berth.spi.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgramsTest {

    @TempDir
    Path dir;

    private Path executable(String name) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void givenAProgramOnPath_whenLookedUp_thenItsPathComesFirstInTheDetail() throws IOException {
        Path tool = executable("berth-test-tool");
        Programs.Lookup lookup = new Programs(Map.of(), dir.toString()).lookup("berth-test-tool", "pkg");
        assertEquals(tool, lookup.path());
        assertTrue(lookup.check().detail().startsWith(tool + " "), lookup.check().detail());
    }

    @Test
    void givenAnOptionNamingTheProgram_whenLookedUp_thenTheOptionWinsOverPath() throws IOException {
        executable("berth-test-tool");
        Path other = Files.createDirectory(dir.resolve("other"));
        Path chosen = Files.copy(dir.resolve("berth-test-tool"), other.resolve("berth-test-tool"));
        Programs.Lookup lookup = new Programs(Map.of("berth-test-tool", chosen.toString()), dir.toString())
                .lookup("berth-test-tool", "pkg");
        assertEquals(chosen, lookup.path());
        assertTrue(lookup.check().detail().contains("option berth-test-tool"), lookup.check().detail());
    }

    @Test
    void givenANonExecutableFile_whenNamedByTheOption_thenTheCheckFailsSayingSo() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        Probe.Check check = new Programs(Map.of("plain", plain.toString()), "").lookup("plain", "pkg").check();
        assertFalse(check.passed());
        assertTrue(check.detail().contains("not an executable file"), check.detail());
    }

    @Test
    void givenARelativeOption_whenLookedUp_thenTheCheckFailsAskingForAnAbsolutePath() {
        Probe.Check check = new Programs(Map.of("runc", "bin/runc"), "").lookup("runc", "runc").check();
        assertFalse(check.passed());
        assertTrue(check.detail().contains("not an absolute path"), check.detail());
    }

    @Test
    void givenAProgramNowhere_whenLookedUp_thenTheCheckNamesThePackageAndTheOption() {
        Probe.Check check = new Programs(Map.of(), dir.toString()).lookup("berth-no-such-tool", "berth-no-such-package").check();
        assertFalse(check.passed());
        assertTrue(check.detail().contains("berth-no-such-package") && check.detail().contains("option berth-no-such-tool"),
                check.detail());
    }
}
