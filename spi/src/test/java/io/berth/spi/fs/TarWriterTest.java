package io.berth.spi.fs;

import io.berth.spi.Digests;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TarWriterTest {

    /**
     * Layer diff ids are the digests of these bytes: a change to the header layout would give every
     * rebuilt layer a new diff id and miss every build cache entry, so the exact bytes are pinned.
     */
    @Test
    void givenTheSameEntries_whenWritten_thenTheBytesAreThePinnedOnes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        byte[] cap = {1, 0, 0, 2, (byte) 0x80, 0, 0, 0};
        w.begin("etc/".getBytes(StandardCharsets.US_ASCII), '5', 0755, 0, 0, 0, 1_700_000_000L, null, 0, 0, Map.of());
        w.begin(("x".repeat(150) + "/\u00e9").getBytes(StandardCharsets.UTF_8), '0', 04755, 3_000_000_000L, 7, 3,
                1_700_000_000L, null, 0, 0, new TreeMap<>(Map.of("security.capability", cap)));
        w.write(new byte[]{'a', 'b', 'c'}, 0, 3);
        w.begin("l".getBytes(StandardCharsets.US_ASCII), '2', 0777, 0, 0, 0, 5, "t".repeat(120).getBytes(StandardCharsets.US_ASCII), 0, 0, Map.of());
        w.begin("dev".getBytes(StandardCharsets.US_ASCII), '3', 0600, 0, 0, 0, 5, null, 4095, 1_048_575, Map.of());
        w.begin(".wh.gone".getBytes(StandardCharsets.US_ASCII), '0', 0, 0, 0, 0, 0, null, 0, 0, Map.of());
        w.finish();
        assertEquals("sha256:fcae8082bfbee5898c4f87952707e4eebedadda1062c8557e0ddde924874bacb", Digests.sha256(out.toByteArray()));
    }

    @Test
    void givenTheStringHelpers_whenReadBackByAnotherTarReader_thenNamesModesOwnersTimesAndContentMatch() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.directory("blobs", 0755, 0, 0, 1);
        w.file("blobs/data", 0644, 2, "hello".getBytes(StandardCharsets.UTF_8));
        w.regularFile("r\u00e9sum\u00e9/" + "n".repeat(120), 0600, 1000, 1001, 3, 4);
        w.writeFrom(new ByteArrayInputStream(new byte[]{1, 2, 3, 4}));
        w.symlink("link", "blobs/data", 0777, 5, 6, 4);
        w.finish();

        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            TarArchiveEntry dir = in.getNextEntry();
            assertEquals("blobs/", dir.getName());
            assertTrue(dir.isDirectory());
            assertEquals(0755, dir.getMode() & 07777);
            TarArchiveEntry data = in.getNextEntry();
            assertEquals("blobs/data", data.getName());
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
            assertEquals(2_000, data.getModTime().getTime());
            TarArchiveEntry longName = in.getNextEntry();
            assertEquals("r\u00e9sum\u00e9/" + "n".repeat(120), longName.getName());
            assertEquals(1000, longName.getLongUserId());
            assertEquals(1001, longName.getLongGroupId());
            assertArrayEquals(new byte[]{1, 2, 3, 4}, in.readAllBytes());
            TarArchiveEntry link = in.getNextEntry();
            assertTrue(link.isSymbolicLink());
            assertEquals("blobs/data", link.getLinkName());
            assertNull(in.getNextEntry());
        }
    }

    @Test
    void givenContentShorterOrLongerThanAnnounced_whenCopied_thenTheWriterRefuses() throws IOException {
        TarWriter w = new TarWriter(new ByteArrayOutputStream());
        w.regularFile("short", 0644, 0, 0, 0, 4);
        assertThrows(IOException.class, () -> w.writeFrom(new ByteArrayInputStream(new byte[3])));
        TarWriter v = new TarWriter(new ByteArrayOutputStream());
        v.regularFile("long", 0644, 0, 0, 0, 2);
        assertThrows(IOException.class, () -> v.writeFrom(new ByteArrayInputStream(new byte[3])));
    }
}
