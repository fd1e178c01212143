package io.berth.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.engine.api.ApiException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeBoundTest {
    @Test
    void unixSecondsWithFractionKeepNanoseconds() {
        assertEquals(Instant.ofEpochSecond(1732790000L, 500_000_000), TimeBound.parse("since", "1732790000.5").time());
    }

    @Test
    void rfc3339WithOffsetIsConvertedToAnInstant() {
        assertEquals(Instant.parse("2026-11-28T09:00:00Z"), TimeBound.parse("since", "2026-11-28T10:00:00+01:00").time());
    }

    @Test
    void sequenceBoundsAreRecognised() {
        TimeBound bound = TimeBound.parse("until", "seq:42");
        assertTrue(bound.isSequence());
        assertEquals(42, bound.sequence());
    }

    @Test
    void aDurationMeansThatLongBeforeNow() {
        Instant before = Instant.now();
        Instant bound = TimeBound.parse("since", "1h30m").time();
        Instant after = Instant.now();
        assertTrue(!bound.isBefore(before.minusSeconds(5400)) && !bound.isAfter(after.minusSeconds(5400)), bound.toString());
        Instant days = TimeBound.parse("since", "1d500ms").time();
        assertTrue(days.isBefore(before.minusSeconds(86_400)), days.toString());
    }

    @Test
    void blankMeansNoBound() {
        assertNull(TimeBound.parse("since", " "));
    }

    @Test
    void garbageIsRefusedNamingTheParameterAndValue() {
        ApiException e = assertThrows(ApiException.class, () -> TimeBound.parse("until", "seq:-3"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("invalid value for until: \"seq:-3\""), e.getMessage());
        assertThrows(ApiException.class, () -> TimeBound.parse("since", "tomorrow"));
    }
}
