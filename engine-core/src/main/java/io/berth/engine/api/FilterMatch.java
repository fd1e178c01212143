package io.berth.engine.api;

import io.berth.engine.api.TimeBound;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The tests behind Docker's list and prune filters, shared by images, volumes and containers:
 * <ul>
 *   <li>{@code label=KEY} or {@code label=KEY=VALUE}: every value given must hold (a key present, or a key with
 *       that value);</li>
 *   <li>{@code label!=KEY} or {@code label!=KEY=VALUE} (prune): an object for which any of them holds is left out;</li>
 *   <li>{@code dangling=true|false} (also {@code 1|0}): a boolean, anything else refused;</li>
 *   <li>{@code until=T} (prune): created before T, a time, a Unix time or a duration back from now.</li>
 * </ul>
 */
public final class FilterMatch {
    private FilterMatch() {
    }

    /** Whether the labels hold every {@code KEY} or {@code KEY=VALUE} in {@code wanted}. */
    public static boolean labelsMatchAll(Map<String, String> labels, List<String> wanted) {
        for (String w : wanted) {
            if (!labelMatches(labels, w)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the labels hold any {@code KEY} or {@code KEY=VALUE} in {@code unwanted} ({@code label!=}). */
    public static boolean labelsMatchAny(Map<String, String> labels, List<String> unwanted) {
        for (String w : unwanted) {
            if (labelMatches(labels, w)) {
                return true;
            }
        }
        return false;
    }

    private static boolean labelMatches(Map<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        if (eq < 0) {
            return labels.containsKey(filter);
        }
        String value = labels.get(filter.substring(0, eq));
        return value != null && value.equals(filter.substring(eq + 1));
    }

    /**
     * The one boolean of a filter such as {@code dangling} or {@code all}; {@code null} when the filter is absent.
     *
     * @throws ApiException (400) for several different values or a value that is not a boolean, in Docker's words
     */
    public static Boolean bool(Map<String, List<String>> filters, String key) {
        List<String> values = filters.get(key);
        if (values == null || values.isEmpty()) {
            return null;
        }
        Boolean result = null;
        for (String v : values) {
            boolean b = switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> throw ApiException.badRequest("invalid filter '" + key + "=" + v + "'");
            };
            if (result != null && result != b) {
                throw ApiException.badRequest("invalid filter '" + key + "': conflicting values " + values);
            }
            result = b;
        }
        return result;
    }

    /**
     * The moment an {@code until} filter names (the earliest if several), or {@code null} without one.
     *
     * @throws ApiException (400) for a value that is no time
     */
    public static Instant until(Map<String, List<String>> filters) {
        List<String> values = filters.get("until");
        if (values == null || values.isEmpty()) {
            return null;
        }
        Instant earliest = null;
        for (String v : values) {
            TimeBound bound;
            try {
                bound = TimeBound.parse("until", v);
            } catch (ApiException e) {
                throw ApiException.badRequest("invalid filter 'until=" + v + "': not a time, Unix time or duration");
            }
            if (bound == null || bound.time() == null) {
                throw ApiException.badRequest("invalid filter 'until=" + v + "': not a time, Unix time or duration");
            }
            earliest = earliest == null || bound.time().isBefore(earliest) ? bound.time() : earliest;
        }
        return earliest;
    }

    /** Whether something created at {@code created} (RFC 3339) passes {@code until}: created before it. */
    public static boolean createdBefore(String created, Instant until) {
        if (until == null) {
            return true;
        }
        try {
            return java.time.OffsetDateTime.parse(created).toInstant().isBefore(until);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
