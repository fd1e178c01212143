package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ExitStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExitFileTest {

    @TempDir
    Path dir;

    @Test
    void givenAPlainCode_whenDecoded_thenNoSignal() {
        ExitStatus exit = ExitFile.decode(3, false, Instant.EPOCH);
        assertEquals(3, exit.code());
        assertEquals(0, exit.signal());
    }

    @Test
    void givenConmons128PlusSignal_whenDecoded_thenTheCodeStaysAndTheSignalIsSplitOut() {
        assertEquals(new ExitStatus(137, 9, true, Instant.EPOCH), ExitFile.decode(137, true, Instant.EPOCH));
        assertEquals(15, ExitFile.decode(143, false, Instant.EPOCH).signal());
        assertEquals(0, ExitFile.decode(128, false, Instant.EPOCH).signal(), "128 is no signal");
        assertEquals(0, ExitFile.decode(255, false, Instant.EPOCH).signal(), "beyond 128+64 is no signal");
    }

    @Test
    void givenAnExitFile_whenRead_thenItsTextIsTheCodeAndItsMtimeTheTime() throws Exception {
        Path file = Files.writeString(dir.resolve("c1"), "143");
        Instant mtime = Instant.parse("2026-01-02T03:04:05Z");
        Files.setLastModifiedTime(file, FileTime.from(mtime));
        assertEquals(Optional.of(new ExitStatus(143, 15, false, mtime)), ExitFile.read("c1", file, false));
    }

    @Test
    void givenNoExitFile_whenRead_thenEmpty() throws Exception {
        assertEquals(Optional.empty(), ExitFile.read("c1", dir.resolve("c1"), false));
    }

    @Test
    void givenConmonsMinusOne_whenRead_thenFailedSayingConmonCouldNotTell() throws Exception {
        Path file = Files.writeString(dir.resolve("c1"), "-1");
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, () -> ExitFile.read("c1", file, false));
        assertEquals(ContainerRuntimeException.Reason.FAILED, e.reason());
        assertTrue(e.getMessage().contains("c1") && e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void givenGarbage_whenRead_thenFailedNamingTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("c1"), "oops");
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, () -> ExitFile.read("c1", file, false));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("oops"), e.getMessage());
    }
}
