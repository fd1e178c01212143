package io.berth.engine.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline audit's command line, read by picocli: mistakes are one line, found before any log is opened. */
class OfflineArgumentsTest {
    @Test
    void givenAnUnknownOption_thenOneLineNamingIt() {
        OfflineMain.UsageException e = assertThrows(OfflineMain.UsageException.class,
                () -> OfflineMain.run(List.of("-H", "unix:///x", "audit", "--log", "/nowhere", "--colour"), System.out));
        assertTrue(e.getMessage().startsWith("Unknown option: '--colour'"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void givenAnOptionWithoutItsValue_thenOneLine() {
        OfflineMain.UsageException e = assertThrows(OfflineMain.UsageException.class,
                () -> OfflineMain.run(List.of("audit", "--log"), System.out));
        assertTrue(e.getMessage().contains("--log"), e.getMessage());
    }

    @Test
    void givenAnObjectTypeWithoutName_thenItAsksForTheName() {
        assertEquals("berth audit container needs the object's name or id", assertThrows(OfflineMain.UsageException.class,
                () -> OfflineMain.run(List.of("audit", "--log=/nowhere", "container"), System.out)).getMessage());
        assertEquals("invalid value for --format: \"yaml\": berth supports --format table and --format json",
                assertThrows(OfflineMain.UsageException.class,
                        () -> OfflineMain.run(List.of("audit", "--log", "/nowhere", "--format", "yaml"), System.out)).getMessage());
    }

    @Test
    void givenHelp_thenUsageAndNoLogOpened() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, OfflineMain.run(List.of("audit", "--log", "/nowhere", "--help"), new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--actor=USER"), out.toString(StandardCharsets.UTF_8));
    }
}
