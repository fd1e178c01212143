package io.berth.engine.api;

import io.berth.engine.api.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A {@code since}/{@code until}/{@code at} bound: a time (Unix seconds with an optional fraction, as
 * Docker; RFC 3339; or, a berth extension, a Go-style duration before now such as {@code 10m} or
 * {@code 1h30m}) or a sequence number ({@code seq:N}).
 *
 * @param time     the time, or null when this is a sequence bound
 * @param sequence the sequence number, or -1 when this is a time bound
 */
public record TimeBound(Instant time, long sequence) {

    public boolean isSequence() {
        return sequence >= 0;
    }

    /**
     * Parses a bound, or returns null for null/blank.
     *
     * @throws ApiException (400) naming the parameter and the value
     */
    public static TimeBound parse(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.strip();
        if (text.startsWith("seq:")) {
            try {
                long sequence = Long.parseLong(text.substring(4));
                if (sequence < 0) {
                    throw new NumberFormatException();
                }
                return new TimeBound(null, sequence);
            } catch (NumberFormatException e) {
                throw invalid(parameter, value);
            }
        }
        if (text.matches("\\d+(\\.\\d{1,9})?")) {
            BigDecimal seconds = new BigDecimal(text);
            long whole = seconds.longValue();
            int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
            return new TimeBound(Instant.ofEpochSecond(whole, nanos), -1);
        }
        if (DURATION.matcher(text).matches()) {
            return new TimeBound(Instant.now().minusNanos(durationNanos(text)), -1);
        }
        try {
            return new TimeBound(OffsetDateTime.parse(text).toInstant(), -1);
        } catch (DateTimeParseException e) {
            throw invalid(parameter, value);
        }
    }

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h|d))+");
    private static final java.util.regex.Pattern DURATION_PART = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

    /** A Go-style duration ({@code 1h30m}, {@code 1.5h}, {@code 300ms}; {@code d} is 24 h) in nanoseconds. */
    static long durationNanos(String text) {
        BigDecimal total = BigDecimal.ZERO;
        java.util.regex.Matcher m = DURATION_PART.matcher(text);
        while (m.find()) {
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 86_400_000_000_000L;
            };
            total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
        }
        return total.min(BigDecimal.valueOf(Long.MAX_VALUE / 2)).longValue();
    }

    private static ApiException invalid(String parameter, String value) {
        return ApiException.badRequest("invalid value for " + parameter + ": \"" + value
                + "\": expected Unix seconds, an RFC 3339 time, a duration such as 10m, or seq:N");
    }
}
