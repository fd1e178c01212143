package io.berth.plugin.overlayfs;

import io.berth.spi.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OverlayfsDriverTest {

    @TempDir
    Path dir;

    @Test
    void givenAKernelWithoutOverlay_whenChecked_thenTheCheckFailsSayingHowToLoadIt() throws IOException {
        Path fake = Files.writeString(dir.resolve("filesystems"), "nodev\tsysfs\nnodev\ttmpfs\n\text4\n");
        Probe.Check check = OverlayfsDriver.kernelCheck(fake);
        assertFalse(check.passed());
        assertTrue(check.detail().contains("modprobe overlay"), check.detail());
    }

    @Test
    void givenAKernelWithOverlay_whenChecked_thenTheCheckPasses() throws IOException {
        Path fake = Files.writeString(dir.resolve("filesystems"), "nodev\tsysfs\nnodev\toverlay\n\text4\n");
        assertTrue(OverlayfsDriver.kernelCheck(fake).passed());
    }

    @Test
    void givenAMissingProcFile_whenChecked_thenTheCheckFailsNamingIt() {
        Probe.Check check = OverlayfsDriver.kernelCheck(dir.resolve("absent"));
        assertFalse(check.passed());
        assertTrue(check.detail().contains(dir.resolve("absent").toString()), check.detail());
    }
}
