package io.berth.text.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Sizes and durations as Docker's CLI prints them (its {@code go-units} package): sizes in decimal units
 * ({@code 4.26MB}, {@code 1kB}) with Go's {@code %g} formatting, ages like {@code 2 weeks}.
 */
public final class Units {
    private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};

    private Units() {
    }

    /** Docker's {@code HumanSize}: four significant digits ({@code Total reclaimed space: 4.264MB}). */
    public static String humanSize(double size) {
        return humanSize(size, 4);
    }

    /** Docker's {@code HumanSizeWithPrecision}: 1000-based units, {@code %.<precision>g}. */
    public static String humanSize(double size, int precision) {
        int i = 0;
        while (size >= 1000.0 && i < DECIMAL.length - 1) {
            size /= 1000.0;
            i++;
        }
        return goG(size, precision) + DECIMAL[i];
    }

    /**
     * Go's {@code fmt.Sprintf("%.<p>g", v)} for a non-negative finite value: {@code p} significant digits,
     * trailing zeros removed, exponent form when the exponent is below -4 or at least {@code p}
     * ({@code 999999} bytes is {@code 1e+03kB} in Docker's output, and here).
     */
    static String goG(double v, int precision) {
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exponent = d.precision() - d.scale() - 1;
        if (exponent < -4 || exponent >= precision) {
            BigDecimal mantissa = d.movePointLeft(exponent).stripTrailingZeros();
            String m = mantissa.toPlainString();
            String e = Integer.toString(Math.abs(exponent));
            return m + "e" + (exponent < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
        }
        String s = d.stripTrailingZeros().toPlainString();
        return s;
    }

    /** Docker's {@code HumanDuration}: {@code Less than a second}, {@code About a minute}, {@code 3 days}, … */
    public static String humanDuration(long seconds) {
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = seconds / 60;
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = (long) (seconds / 3600.0 + 0.5);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return seconds / 3600 / 24 / 365 + " years";
    }

    /** {@code 2 weeks ago} for a Unix time, relative to {@code nowSeconds}; {@code N/A} for none (0), as Docker shows it. */
    public static String ago(long unixSeconds, long nowSeconds) {
        if (unixSeconds <= 0) {
            return "N/A";
        }
        return humanDuration(nowSeconds - unixSeconds) + " ago";
    }

    /** Docker's {@code TruncateID}: without {@code sha256:}, the first 12 characters. */
    public static String shortId(String id) {
        int colon = id.indexOf(':');
        String hex = colon >= 0 ? id.substring(colon + 1) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** Docker's {@code Ellipsis}: at most {@code max} characters, the last one {@code …} when cut. */
    public static String ellipsis(String s, int max) {
        int n = s.codePointCount(0, s.length());
        if (n <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }
}
