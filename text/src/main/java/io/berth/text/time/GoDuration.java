package io.berth.text.time;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Go's duration syntax, as {@code time.ParseDuration} reads it and so as Docker takes durations everywhere
 * ({@code --health-interval}, HEALTHCHECK's flags, {@code --since}, daemon settings): an optional sign, then one
 * or more decimal numbers each with a unit — {@code 300ms}, {@code -1.5h}, {@code 1h2m3.5s}, {@code .5s} — or
 * the bare {@code 0}. Units: {@code ns}, {@code us} (or {@code µs}, {@code μs}), {@code ms}, {@code s},
 * {@code m}, {@code h}. A duration is at most 2^63−1 nanoseconds (about 292 years) either way.
 *
 * <p>The one berth extension, {@link Units#WITH_DAYS}, adds {@code d} (24 h) for time arguments such as
 * {@code --since 2d}; callers choose it explicitly so every other place reads exactly Docker's grammar.
 * Errors carry Go's own messages ({@code time: invalid duration "10x"}, {@code time: missing unit in duration
 * "10"}, {@code time: unknown unit "d" in duration "1d"}), which Docker's CLI prints as they are.
 */
public final class GoDuration {
    /** Which unit names a duration may use. */
    public enum Units {
        /** Go's: ns, us, µs, μs, ms, s, m, h. */
        GO,
        /** Go's and {@code d} for 24 hours: berth's time arguments ({@code --since 2d}). */
        WITH_DAYS
    }

    private static final BigInteger MAX_MAGNITUDE = BigInteger.ONE.shiftLeft(63); // -2^63 is the least duration

    /**
     * The checks Docker adds to a health-check interval ({@code Interval}, {@code Timeout}, {@code StartPeriod},
     * {@code StartInterval}) after parsing it; they differ by where the interval is written.
     */
    public enum IntervalRule {
        /** {@code docker run --health-interval …}: not negative; the daemon judges the size. */
        RUN_FLAG,
        /** A Dockerfile's {@code HEALTHCHECK --interval=…}: not negative, and 0 (the default) or at least 1ms. */
        DOCKERFILE
    }

    private GoDuration() {
    }

    /**
     * Parses a health-check interval and applies {@code rule}'s checks.
     *
     * @param flag the flag as written without dashes ({@code interval}, {@code health-interval}), for messages
     * @throws IllegalArgumentException Go's parse message, or Docker's message for the check that failed
     */
    public static long parseInterval(String flag, String text, IntervalRule rule) {
        long nanos = parseNanos(text, Units.GO);
        if (nanos < 0) {
            throw new IllegalArgumentException(rule == IntervalRule.RUN_FLAG ? "--" + flag + " cannot be negative"
                    : "Interval \"" + flag + "\" cannot be negative");
        }
        if (rule == IntervalRule.DOCKERFILE && nanos != 0 && nanos < 1_000_000L) {
            throw new IllegalArgumentException("Interval \"" + flag + "\" cannot be less than 1ms");
        }
        return nanos;
    }

    /** Parses Go's grammar into nanoseconds. @throws IllegalArgumentException with Go's message */
    public static long parseNanos(String text) {
        return parseNanos(text, Units.GO);
    }

    /** Parses Go's grammar into a {@link Duration}. @throws IllegalArgumentException with Go's message */
    public static Duration parse(String text) {
        return Duration.ofNanos(parseNanos(text, Units.GO));
    }

    /**
     * Parses a duration in nanoseconds.
     *
     * @param text  what the user wrote
     * @param units Go's units alone, or with {@code d}
     * @throws IllegalArgumentException not a duration; the message is Go's
     */
    public static long parseNanos(String text, Units units) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return 0;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        BigInteger total = BigInteger.ZERO;
        int at = 0;
        while (at < s.length()) {
            char first = s.charAt(at);
            if (first != '.' && !digit(first)) {
                throw invalid(text);
            }
            int wholeStart = at;
            while (at < s.length() && digit(s.charAt(at))) {
                at++;
            }
            String whole = s.substring(wholeStart, at);
            String fraction = "";
            if (at < s.length() && s.charAt(at) == '.') {
                int fractionStart = ++at;
                while (at < s.length() && digit(s.charAt(at))) {
                    at++;
                }
                fraction = s.substring(fractionStart, at);
            }
            if (whole.isEmpty() && fraction.isEmpty()) {
                throw invalid(text); // "." or ".s"
            }
            int unitStart = at;
            while (at < s.length() && s.charAt(at) != '.' && !digit(s.charAt(at))) {
                at++;
            }
            if (unitStart == at) {
                throw new IllegalArgumentException("time: missing unit in duration " + quote(text));
            }
            String unitName = s.substring(unitStart, at);
            long unit = unitNanos(unitName, units);
            if (unit == 0) {
                throw new IllegalArgumentException("time: unknown unit " + quote(unitName) + " in duration " + quote(text));
            }
            BigDecimal number = new BigDecimal((whole.isEmpty() ? "0" : whole) + (fraction.isEmpty() ? "" : "." + fraction));
            total = total.add(number.multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.DOWN).toBigIntegerExact());
            if (total.compareTo(MAX_MAGNITUDE) > 0) {
                throw invalid(text);
            }
        }
        if (negative) {
            return total.negate().longValueExact();
        }
        if (total.compareTo(MAX_MAGNITUDE) >= 0) {
            throw invalid(text);
        }
        return total.longValueExact();
    }

    /** True when {@code text} is a duration in this grammar (no exception needed to find out). */
    public static boolean isDuration(String text, Units units) {
        try {
            parseNanos(text, units);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Go's {@code Duration.String()}: {@code 1h2m3.5s}, {@code 300ms}, {@code 1.5µs}, {@code 0s} — the form Docker
     * prints durations in (inspect's health settings, error messages).
     */
    public static String format(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        BigInteger magnitude = BigInteger.valueOf(nanos).abs();
        String sign = nanos < 0 ? "-" : "";
        BigInteger second = BigInteger.valueOf(1_000_000_000L);
        if (magnitude.compareTo(second) < 0) {
            long n = magnitude.longValue();
            if (n < 1_000) {
                return sign + n + "ns";
            }
            if (n < 1_000_000) {
                return sign + decimal(n, 3) + "µs";
            }
            return sign + decimal(n, 6) + "ms";
        }
        BigInteger[] minutesAndNanos = magnitude.divideAndRemainder(second.multiply(BigInteger.valueOf(60)));
        long minutes = minutesAndNanos[0].longValue();
        String seconds = decimal(minutesAndNanos[1].longValue(), 9) + "s";
        if (minutes == 0) {
            return sign + seconds;
        }
        return sign + (minutes >= 60 ? (minutes / 60) + "h" : "") + (minutes % 60) + "m" + seconds;
    }

    /** {@code n / 10^scale} without trailing zeros: 1500000 at 6 is "1.5". */
    private static String decimal(long n, int scale) {
        return BigDecimal.valueOf(n, scale).stripTrailingZeros().toPlainString();
    }

    private static long unitNanos(String unit, Units units) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> units == Units.WITH_DAYS ? 86_400_000_000_000L : 0;
            default -> 0;
        };
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("time: invalid duration " + quote(text));
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
