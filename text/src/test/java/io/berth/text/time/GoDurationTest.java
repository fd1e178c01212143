package io.berth.text.time;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GoDurationTest {
    @ParameterizedTest
    @CsvSource({
            "0, 0", "+0, 0", "-0, 0", "5s, 5000000000", "30s, 30000000000", "1478s, 1478000000000",
            "-5s, -5000000000", "+5s, 5000000000", "5.6s, 5600000000", "5.s, 5000000000", ".5s, 500000000",
            "1.0s, 1000000000", "1.00s, 1000000000", "1.004s, 1004000000", "100.00100s, 100001000000",
            "10ns, 10", "11us, 11000", "12µs, 12000", "12μs, 12000", "13ms, 13000000", "14s, 14000000000",
            "15m, 900000000000", "16h, 57600000000000", "3h30m, 12600000000000", "10.5s4m, 250500000000",
            "-2m3.4s, -123400000000", "1h2m3s4ms5us6ns, 3723004005006", "39h9m14.425s, 140954425000000",
            "52763797000ns, 52763797000", "-1.5h, -5400000000000",
            "9223372036854775807ns, 9223372036854775807", "-9223372036854775808ns, -9223372036854775808",
            "0.100000000000000000000h, 360000000000"
    })
    void givenGosTestTable_thenTheSameNanoseconds(String text, long nanos) {
        assertEquals(nanos, GoDuration.parseNanos(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "\u00b5s", "1.2.3s", "3000000h",
            "9223372036854775808ns", "1x", " 1s"})
    void givenWhatGoRefuses_thenAnError(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos(text));
    }

    @Test
    void givenAnError_thenGosMessage() {
        assertEquals("time: missing unit in duration \"10\"", message("10"));
        assertEquals("time: unknown unit \"d\" in duration \"1d\"", message("1d"));
        assertEquals("time: invalid duration \"1s.\"", message("1s."));
        assertEquals("time: invalid duration \"\"", message(""));
    }

    @Test
    void givenDays_thenOnlyTheTimeArgumentsGrammarTakesThem() {
        assertEquals(86_400_000_000_000L + 1_000_000_000L, GoDuration.parseNanos("1d1s", GoDuration.Units.WITH_DAYS));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos("1d1s", GoDuration.Units.GO));
    }

    @Test
    void givenAnIntervalOnDockerRun_thenNegativeIsRefusedAndAnySizeTaken() {
        assertEquals(10_000L, GoDuration.parseInterval("health-interval", "10us", GoDuration.IntervalRule.RUN_FLAG));
        assertEquals("--health-interval cannot be negative", assertThrows(IllegalArgumentException.class,
                () -> GoDuration.parseInterval("health-interval", "-1s", GoDuration.IntervalRule.RUN_FLAG)).getMessage());
    }

    @Test
    void givenAnIntervalInADockerfile_thenNegativeAndBelowOneMillisecondAreRefused() {
        assertEquals(0L, GoDuration.parseInterval("interval", "0", GoDuration.IntervalRule.DOCKERFILE));
        assertEquals(1_000_000L, GoDuration.parseInterval("interval", "1ms", GoDuration.IntervalRule.DOCKERFILE));
        assertEquals("Interval \"timeout\" cannot be less than 1ms", assertThrows(IllegalArgumentException.class,
                () -> GoDuration.parseInterval("timeout", "10us", GoDuration.IntervalRule.DOCKERFILE)).getMessage());
        assertEquals("Interval \"interval\" cannot be negative", assertThrows(IllegalArgumentException.class,
                () -> GoDuration.parseInterval("interval", "-1s", GoDuration.IntervalRule.DOCKERFILE)).getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "1, 1ns", "1100, 1.1µs", "2200000, 2.2ms", "3300000000, 3.3s", "240000000000, 4m0s",
            "18000000000000, 5h0m0s", "3723004005006, 1h2m3.004005006s", "-5400000000000, -1h30m0s"})
    void givenNanoseconds_thenGosString(long nanos, String text) {
        assertEquals(text, GoDuration.format(nanos));
    }

    private static String message(String text) {
        return assertThrows(IllegalArgumentException.class, () -> GoDuration.parseNanos(text)).getMessage();
    }
}
