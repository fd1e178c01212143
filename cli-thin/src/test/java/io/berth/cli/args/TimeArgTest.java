package io.berth.cli.args;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TimeArgTest {
    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private static final long NOW_S = NOW.getEpochSecond();

    private static String since(String v) {
        return TimeArg.toApi("--since", v, NOW);
    }

    @Test
    void givenSequence_thenPassedOnAsSeq() {
        assertEquals("seq:0", since("seq:0"));
        assertEquals("seq:42", since("seq:042"));
    }

    @Test
    void givenUnixSeconds_thenKept() {
        assertEquals("0", since("0"));
        assertEquals("1732790000", since("1732790000"));
        assertEquals("1732790000.500000000", since("1732790000.5"));
        assertEquals("1732790000.123456789", since("1732790000.123456789"));
    }

    @Test
    void givenRfc3339_thenUnixSecondsWithNanos() {
        assertEquals(String.valueOf(NOW_S), since("2026-11-28T10:00:00Z"));
        assertEquals(String.valueOf(NOW_S), since("2026-11-28T11:00:00+01:00"));
        assertEquals(NOW_S + ".123456789", since("2026-11-28T10:00:00.123456789Z"));
        assertEquals(NOW_S + ".500000000", since("2026-11-28t10:00:00.5z"));
        assertEquals(String.valueOf(NOW_S), since("2026-11-28 10:00:00Z"));
    }

    @Test
    void givenDateTimeWithoutOffset_thenLocalTime() {
        long expected = LocalDateTime.parse("2026-11-28T10:00:00").atZone(ZoneId.systemDefault()).toEpochSecond();
        assertEquals(String.valueOf(expected), since("2026-11-28T10:00:00"));
        long midnight = LocalDate.parse("2026-11-28").atStartOfDay(ZoneId.systemDefault()).toEpochSecond();
        assertEquals(String.valueOf(midnight), since("2026-11-28"));
    }

    @Test
    void givenDuration_thenNowMinusIt() {
        assertEquals(String.valueOf(NOW_S - 600), since("10m"));
        assertEquals(String.valueOf(NOW_S - 5400), since("1h30m"));
        assertEquals(String.valueOf(NOW_S - 5400), since("1.5h"));
        assertEquals(String.valueOf(NOW_S - 86400 - 1), since("1d1s"));
        assertEquals((NOW_S - 1) + ".700000000", since("300ms"));
        assertEquals((NOW_S - 1) + ".999999000", since("1us"));
        assertEquals((NOW_S - 1) + ".999999999", since("1ns"));
    }

    @Test
    void givenTimeBeforeEpoch_thenZero() {
        assertEquals("0", since("1969-12-31T00:00:00Z"));
        assertEquals("0", TimeArg.toApi("--since", "100000d", NOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xyz", "", "10", "-5", "10x", "m", "seq:", "seq:-1", "seq:abc", "2026-13-01T00:00:00Z",
            "1.5.5", "10m-", "yesterday", "seq:99999999999999999999"})
    void givenMalformed_thenOneLineNamingOptionValueAndForms(String bad) {
        if (bad.equals("10")) {
            assertEquals("10", since(bad)); // bare numbers are Unix seconds, not an error
            return;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> since(bad));
        assertEquals("invalid value for --since: \"" + bad
                + "\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N", e.getMessage());
    }

    @Test
    void givenUntil_thenTheMessageNamesUntil() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimeArg.toApi("--until", "xyz", NOW));
        assertEquals("invalid value for --until: \"xyz\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N",
                e.getMessage());
    }
}
