package io.berth.text.time;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in the log as {@code --since}, {@code --until}, {@code --at} and {@code --before} (and the API's
 * {@code since}/{@code until}/{@code at}/{@code before}) take it — the one reading shared by the CLI, the
 * daemon, {@code berth fleet} and the offline audit:
 * <ul>
 *   <li>{@code seq:N} — a sequence number in one host's log;</li>
 *   <li>Unix seconds with an optional fraction ({@code 0}, {@code 1732790000.5});</li>
 *   <li>RFC 3339 ({@code 2026-11-28T10:24:10Z}, {@code …+01:00}, fractions, a lower-case {@code t} or a space);
 *       as in Docker, also a date and time without offset and a bare date, both in the local time zone;</li>
 *   <li>a duration before {@code now} in Go's grammar ({@link GoDuration}): {@code 10m}, {@code 1h30m},
 *       {@code 1.5h}, {@code 300ms}, negative for after now — plus {@code d} for 24 h, a berth extension.</li>
 * </ul>
 *
 * @param time     the time, or null for a sequence bound
 * @param sequence the sequence number, or -1 for a time
 */
public record TimeArgument(Instant time, long sequence) {
    private static final Pattern SEQUENCE = Pattern.compile("seq:(\\d{1,19})");
    private static final Pattern UNIX_SECONDS = Pattern.compile("\\d{1,12}(?:\\.\\d{1,9})?");

    /** True when this names a sequence number, not a time. */
    public boolean isSequence() {
        return sequence >= 0;
    }

    /**
     * Reads a value given to {@code option}.
     *
     * @param option the option or parameter, for the message ({@code --since}, {@code since})
     * @param value  what the user wrote (surrounding blanks ignored)
     * @param now    the present, which durations count back from
     * @throws IllegalArgumentException one line naming the option, the value and the accepted forms
     */
    public static TimeArgument parse(String option, String value, Instant now) {
        String text = value.strip();
        Matcher sequence = SEQUENCE.matcher(text);
        if (sequence.matches()) {
            try {
                return new TimeArgument(null, Long.parseLong(sequence.group(1)));
            } catch (NumberFormatException e) {
                throw invalid(option, value);
            }
        }
        if (UNIX_SECONDS.matcher(text).matches()) {
            BigDecimal seconds = new BigDecimal(text);
            long whole = seconds.longValue();
            return new TimeArgument(Instant.ofEpochSecond(whole, seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue()), -1);
        }
        if (!text.equals("0") && GoDuration.isDuration(text, GoDuration.Units.WITH_DAYS)) {
            long nanos = GoDuration.parseNanos(text, GoDuration.Units.WITH_DAYS);
            return new TimeArgument(now.minusNanos(nanos), -1);
        }
        Instant instant = calendarTime(text);
        if (instant == null) {
            throw invalid(option, value);
        }
        return new TimeArgument(instant, -1);
    }

    /** Unix seconds with at most nine decimals ({@code 1732790000}, {@code 1732790000.500000000}); before 1970 is 0. */
    public static String unixSeconds(Instant time) {
        if (time.getEpochSecond() < 0) {
            return "0";
        }
        return time.getNano() == 0 ? Long.toString(time.getEpochSecond())
                : time.getEpochSecond() + "." + String.format("%09d", time.getNano());
    }

    private static IllegalArgumentException invalid(String option, String value) {
        return new IllegalArgumentException("invalid value for " + option + ": \"" + value
                + "\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N");
    }

    private static Instant calendarTime(String text) {
        String v = text;
        try {
            return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        if (v.length() > 10 && (v.charAt(10) == 't' || v.charAt(10) == ' ')) {
            // RFC 3339 allows a lower-case 't' or a space between date and time
            v = v.substring(0, 10) + 'T' + v.substring(11);
            try {
                return OffsetDateTime.parse(v.replace('z', 'Z'), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException ignored) {
                // try the next form
            }
        }
        try {
            return LocalDateTime.parse(v, DateTimeFormatter.ISO_LOCAL_DATE_TIME).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDate.parse(v, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException ignored) {
            return null;
        }
    }
}
