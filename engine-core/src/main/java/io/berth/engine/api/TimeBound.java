package io.berth.engine.api;

import io.berth.engine.api.ApiException;
import io.berth.text.time.TimeArgument;
import java.time.Instant;

/**
 * A {@code since}/{@code until}/{@code at} bound: a time (Unix seconds with an optional fraction, as
 * Docker; RFC 3339; or, a berth extension, a Go duration before now such as {@code 10m} or
 * {@code 1h30m}) or a sequence number ({@code seq:N}) — read by {@link TimeArgument}, as the CLI reads them.
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
        try {
            TimeArgument argument = TimeArgument.parse(parameter, value, Instant.now());
            return new TimeBound(argument.time(), argument.sequence());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }
}
