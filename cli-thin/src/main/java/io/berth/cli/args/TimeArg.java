package io.berth.cli.args;

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
 * The values {@code --since} and {@code --until} accept, converted to the form the API takes.
 *
 * <ul>
 *   <li>{@code seq:N} — a sequence number in the log, passed on as is;</li>
 *   <li>Unix seconds with an optional fraction ({@code 0}, {@code 1732790000.5});</li>
 *   <li>RFC 3339 ({@code 2026-11-28T10:24:10Z}, {@code …+01:00}, fractions allowed); as in Docker, also a
 *       date and time without offset and a bare date, both in the local time zone;</li>
 *   <li>a Go-style duration meaning "that long before now": {@code 10m}, {@code 1h30m}, {@code 1.5h},
 *       {@code 300ms}; units ns, us, µs, ms, s, m, h, and d (24 h).</li>
 * </ul>
 * Every time is sent as Unix seconds with nanoseconds, so the daemon sees one unambiguous form.
 */
public final class TimeArg {
    private static final Pattern SEQ = Pattern.compile("seq:(\\d{1,19})");
    private static final Pattern UNIX = Pattern.compile("(\\d{1,12})(?:\\.(\\d{1,9}))?");
    private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h|d))+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

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
        String v = value.strip();
        Matcher m = SEQ.matcher(v);
        if (m.matches()) {
            try {
                return "seq:" + Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw invalid(option, value);
            }
        }
        if (UNIX.matcher(v).matches()) {
            return unixSeconds(new BigDecimal(v));
        }
        if (DURATION.matcher(v).matches()) {
            return unixSeconds(seconds(now).subtract(durationSeconds(v)));
        }
        Instant instant = parseTime(v);
        if (instant != null) {
            return unixSeconds(seconds(instant));
        }
        throw invalid(option, value);
    }

    private static IllegalArgumentException invalid(String option, String value) {
        return new IllegalArgumentException("invalid value for " + option + ": \"" + value
                + "\": expected RFC 3339 time, Unix seconds, a duration like 10m, or seq:N");
    }

    private static Instant parseTime(String v) {
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

    private static BigDecimal durationSeconds(String v) {
        BigDecimal total = BigDecimal.ZERO;
        Matcher m = DURATION_PART.matcher(v);
        while (m.find()) {
            BigDecimal n = new BigDecimal(m.group(1));
            BigDecimal unit = switch (m.group(2)) {
                case "ns" -> new BigDecimal("0.000000001");
                case "us", "µs" -> new BigDecimal("0.000001");
                case "ms" -> new BigDecimal("0.001");
                case "s" -> BigDecimal.ONE;
                case "m" -> BigDecimal.valueOf(60);
                case "h" -> BigDecimal.valueOf(3600);
                case "d" -> BigDecimal.valueOf(86400);
                default -> throw new IllegalStateException(m.group(2));
            };
            total = total.add(n.multiply(unit));
        }
        return total;
    }

    private static BigDecimal seconds(Instant t) {
        return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9));
    }

    /** Seconds with at most nine decimals; times before 1970 become 0, since no event is older. */
    private static String unixSeconds(BigDecimal s) {
        if (s.signum() <= 0) {
            return "0";
        }
        BigDecimal scaled = s.setScale(9, java.math.RoundingMode.DOWN);
        BigDecimal whole = scaled.setScale(0, java.math.RoundingMode.DOWN);
        if (scaled.compareTo(whole) == 0) {
            return whole.toPlainString();
        }
        return scaled.toPlainString();
    }
}
