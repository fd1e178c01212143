package io.berth.text.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Sizes and ages as Docker's go-units prints them (expected values from Go's fmt and Docker's output). */
class UnitsTest {
    @Test
    void givenSizes_whenPrintedWithThreeDigits_thenAsDockerImages() {
        assertEquals("0B", Units.humanSize(0, 3));
        assertEquals("999B", Units.humanSize(999, 3));
        assertEquals("1kB", Units.humanSize(1000, 3));
        assertEquals("4.26MB", Units.humanSize(4_261_000, 3));
        assertEquals("1.21MB", Units.humanSize(1_213_440, 3));
        assertEquals("77.8MB", Units.humanSize(77_800_000, 3));
        assertEquals("100MB", Units.humanSize(100_000_000, 3));
        assertEquals("1e+03kB", Units.humanSize(999_999, 3), "Go's %.3g switches to an exponent here, so does Docker");
    }

    @Test
    void givenSizes_whenPrintedWithFourDigits_thenAsDockerPrune() {
        assertEquals("4.264MB", Units.humanSize(4_264_000));
        assertEquals("1.5kB", Units.humanSize(1500));
        assertEquals("0B", Units.humanSize(0));
    }

    @Test
    void givenDurations_thenDockerWords() {
        assertEquals("Less than a second", Units.humanDuration(0));
        assertEquals("1 second", Units.humanDuration(1));
        assertEquals("59 seconds", Units.humanDuration(59));
        assertEquals("About a minute", Units.humanDuration(60));
        assertEquals("59 minutes", Units.humanDuration(59 * 60 + 59));
        assertEquals("About an hour", Units.humanDuration(3600));
        assertEquals("2 hours", Units.humanDuration(90 * 60), "hours round half up, as go-units does");
        assertEquals("47 hours", Units.humanDuration(47 * 3600));
        assertEquals("2 days", Units.humanDuration(48 * 3600));
        assertEquals("2 weeks", Units.humanDuration(14 * 86400));
        assertEquals("2 months", Units.humanDuration(60 * 86400));
        assertEquals("2 years", Units.humanDuration(2 * 365 * 86400));
        assertEquals("3 weeks ago", Units.ago(1000, 1000 + 21 * 86400));
        assertEquals("N/A", Units.ago(0, 1000), "an image without a creation time, as Docker shows it");
    }

    @Test
    void givenIdsAndLongText_thenTruncatedAsDocker() {
        assertEquals("2ba05935e10f", Units.shortId("sha256:2ba05935e10f1a2ae0d7dd2bc82f6b52e52f09ebd55db764bd0610e5e7bb723e"));
        assertEquals("<missing>", Units.shortId("<missing>"));
        assertEquals("abc", Units.ellipsis("abc", 45));
        assertEquals("abcd…", Units.ellipsis("abcdefgh", 5));
    }
}
