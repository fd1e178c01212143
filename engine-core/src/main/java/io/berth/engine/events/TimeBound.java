package io.berth.engine.events;

import io.berth.engine.api.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A {@code since}/{@code until} bound: a time (Unix seconds with an optional fraction, or RFC 3339)
 * or a sequence number ({@code seq:N}).
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
        try {
            return new TimeBound(OffsetDateTime.parse(text).toInstant(), -1);
        } catch (DateTimeParseException e) {
            throw invalid(parameter, value);
        }
    }

    private static ApiException invalid(String parameter, String value) {
        return ApiException.badRequest("invalid value for " + parameter + ": \"" + value
                + "\": expected Unix seconds, an RFC 3339 time or seq:N");
    }
}
