package io.berth.text.time;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeArgumentTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @Test
    void givenEachForm_thenTheInstantItNames() {
        assertEquals(Instant.ofEpochSecond(1732790000L, 500_000_000), at("1732790000.5"));
        assertEquals(Instant.EPOCH, at("0"));
        assertEquals(Instant.parse("2026-11-28T09:00:00Z"), at("2026-11-28T10:00:00+01:00"));
        assertEquals(Instant.parse("2026-11-28T09:00:00Z"), at("2026-11-28 09:00:00z"));
        assertEquals(NOW.minusSeconds(5400), at("1h30m"));
        assertEquals(NOW.minusSeconds(86_400 + 1), at("1d1s"));
        assertEquals(NOW.plusSeconds(3600), at("-1h"), "a negative duration is after now, as in Docker");
    }

    @Test
    void givenSeq_thenASequenceBound() {
        TimeArgument bound = TimeArgument.parse("--until", "seq:42", NOW);
        assertTrue(bound.isSequence());
        assertEquals(42, bound.sequence());
    }

    @Test
    void givenGarbage_thenOneLineNamingOptionAndValue() {
        assertEquals("invalid value for since: \"tomorrow\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N",
                assertThrows(IllegalArgumentException.class, () -> TimeArgument.parse("since", "tomorrow", NOW)).getMessage());
    }

    @Test
    void givenAnInstant_thenUnixSecondsForTheApi() {
        assertEquals("1732790000", TimeArgument.unixSeconds(Instant.ofEpochSecond(1732790000L)));
        assertEquals("1732790000.000000001", TimeArgument.unixSeconds(Instant.ofEpochSecond(1732790000L, 1)));
        assertEquals("0", TimeArgument.unixSeconds(Instant.parse("1969-12-31T00:00:00Z")));
    }

    private static Instant at(String value) {
        return TimeArgument.parse("--since", value, NOW).time();
    }
}
