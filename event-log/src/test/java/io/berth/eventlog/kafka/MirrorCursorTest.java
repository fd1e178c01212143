package io.berth.eventlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.eventlog.EventLogException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mirror's cursor file: per topic, replaced atomically, and refused rather than guessed when damaged. */
class MirrorCursorTest {
    @TempDir
    Path dir;

    @Test
    void givenNoCursorThenMirroringStartsAtTheFirstEvent() {
        assertEquals(0, new MirrorCursor(dir).read("berth.events"));
    }

    @Test
    void givenAWrittenCursorThenItIsReadBackForItsTopicOnlyAndNoTemporaryFileIsLeft() throws Exception {
        MirrorCursor cursor = new MirrorCursor(dir);
        cursor.write("berth.events", 41);
        cursor.write("berth.events", 42);
        assertEquals(42, cursor.read("berth.events"));
        assertEquals(0, cursor.read("another.topic"), "a new topic gets every event");
        assertFalse(Files.exists(dir.resolve(MirrorCursor.FILE_NAME + ".tmp")));
        assertEquals("{\"topic\":\"berth.events\",\"acknowledged\":42}", Files.readString(cursor.file()));
    }

    @Test
    void givenADamagedCursorThenReadingItFailsWithOneLineNamingTheFile() throws Exception {
        Files.writeString(dir.resolve(MirrorCursor.FILE_NAME), "{\"topic\":\"berth.events\",\"ackn");
        EventLogException e = assertThrows(EventLogException.class, () -> new MirrorCursor(dir).read("berth.events"));
        assertTrue(e.getMessage().startsWith("Kafka mirror cursor " + dir.resolve(MirrorCursor.FILE_NAME) + " is unreadable: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(remove it to mirror every event again)"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        Files.writeString(dir.resolve(MirrorCursor.FILE_NAME), "{\"topic\":\"berth.events\",\"acknowledged\":-3}");
        e = assertThrows(EventLogException.class, () -> new MirrorCursor(dir).read("berth.events"));
        assertEquals("Kafka mirror cursor " + dir.resolve(MirrorCursor.FILE_NAME)
                + " has no valid \"acknowledged\" sequence (remove it to mirror every event again)", e.getMessage());
    }
}
