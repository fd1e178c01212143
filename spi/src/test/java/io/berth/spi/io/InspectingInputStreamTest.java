package io.berth.spi.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InspectingInputStreamTest {

    /** Counts what passes and fails the end of the stream unless it saw exactly {@code expected} bytes. */
    private static final class Counting extends InspectingInputStream {
        private final long expected;
        long seen;

        Counting(InputStream in, long expected) {
            super(in);
            this.expected = expected;
        }

        @Override
        protected int inspect(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0 && seen != expected) {
                throw new IOException("saw " + seen + " bytes, not " + expected);
            }
            seen += Math.max(n, 0);
            return n;
        }
    }

    @Test
    void givenSingleByteReadsAndSkips_whenReadToTheEnd_thenEveryByteInspected() throws IOException {
        try (Counting in = new Counting(new ByteArrayInputStream(new byte[20_000]), 20_000)) {
            assertEquals(0, in.read());
            assertEquals(10_000, in.skip(10_000));
            assertEquals(0, in.read(new byte[4], 0, 0));
            assertEquals(9_999, in.readAllBytes().length);
            assertEquals(-1, in.read());
            assertEquals(20_000, in.seen);
            assertFalse(in.markSupported());
        }
    }

    @Test
    void givenAShortStream_whenSkippedPastItsEnd_thenTheCheckFails() {
        Counting in = new Counting(new ByteArrayInputStream(new byte[10]), 11);
        assertThrows(IOException.class, () -> in.skip(100));
    }
}
