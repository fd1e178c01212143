package io.berth.engine.fleet;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --since}/{@code --until} for the fleet: RFC 3339, Unix seconds, or a duration before now. */
final class FleetTimes {
    private static final Pattern DURATION = Pattern.compile("((\\d+)(ms|h|m|s))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|h|m|s)");

    private FleetTimes() {}

    static Instant parse(String option, String value, Instant now) {
        String text = value.strip();
        try {
            if (text.matches("\\d+(\\.\\d{1,9})?")) {
                BigDecimal seconds = new BigDecimal(text);
                long whole = seconds.longValue();
                return Instant.ofEpochSecond(whole, seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue());
            }
            if (DURATION.matcher(text).matches()) {
                Duration total = Duration.ZERO;
                Matcher part = PART.matcher(text);
                while (part.find()) {
                    long n = Long.parseLong(part.group(1));
                    total = total.plus(switch (part.group(2)) {
                        case "h" -> Duration.ofHours(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "s" -> Duration.ofSeconds(n);
                        default -> Duration.ofMillis(n);
                    });
                }
                return now.minus(total);
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new FleetMain.UsageException("invalid " + option + " \"" + value
                    + "\": expected an RFC 3339 time, Unix seconds or a duration such as 10m or 1h30m"
                    + (text.startsWith("seq:") ? " (sequence numbers belong to one host; the fleet orders by time)" : ""));
        }
    }
}
