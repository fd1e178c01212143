package io.berth.cli.args;

import io.berth.text.time.TimeArgument;

import java.time.Instant;

/**
 * The values {@code --since}, {@code --until}, {@code --at} and {@code --before} accept (read by
 * {@link TimeArgument}, the same reading as the daemon's), converted to the form the API takes: every time is
 * sent as Unix seconds with nanoseconds, so the daemon sees one unambiguous form.
 */
public final class TimeArg {
    private TimeArg() {
    }

    /**
     * Converts a value given to {@code option}.
     *
     * @param option the option's name, for the error message ({@code --since})
     * @param value  what the user typed
     * @param now    the present, for durations
     * @return {@code seq:N} or Unix seconds ({@code 1732790000} or {@code 1732790000.500000000})
     * @throws IllegalArgumentException the value is none of the accepted forms; the message is one line
     *                                  naming the option, the value and the accepted forms
     */
    public static String toApi(String option, String value, Instant now) {
        TimeArgument argument = TimeArgument.parse(option, value, now);
        return argument.isSequence() ? "seq:" + argument.sequence() : TimeArgument.unixSeconds(argument.time());
    }
}
