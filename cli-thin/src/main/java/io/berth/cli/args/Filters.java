package io.berth.cli.args;

import io.berth.text.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Repeated {@code --filter key=value} options as Docker's {@code filters} query parameter: a JSON map from
 * key to the array of its values, e.g. {@code {"type":["daemon"],"event":["start","stop"]}}. Values of one
 * key are alternatives (OR), different keys must all match (AND) — the daemon decides; this only builds.
 */
public final class Filters {
    private Filters() {
    }

    /**
     * Groups {@code key=value} pairs by key, keeping first-seen order and dropping repeated values.
     * The value is everything after the first {@code =}, so it may itself contain {@code =}.
     *
     * @throws IllegalArgumentException a pair has no {@code =} or an empty key; one-line message
     */
    public static Map<String, List<String>> parse(List<String> pairs) {
        Map<String, Set<String>> grouped = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("invalid value for --filter: \"" + pair + "\": expected key=value");
            }
            String key = pair.substring(0, eq).strip();
            if (key.isEmpty()) {
                throw new IllegalArgumentException("invalid value for --filter: \"" + pair + "\": expected key=value");
            }
            grouped.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(pair.substring(eq + 1));
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        grouped.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
        return out;
    }

    /** The {@code filters} JSON, or {@code null} for no filters (the parameter is then left out). */
    public static String toJson(Map<String, List<String>> filters) {
        return filters.isEmpty() ? null : Json.write(filters);
    }
}
