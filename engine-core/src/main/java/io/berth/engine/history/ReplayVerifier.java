package io.berth.engine.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.journal.Journal;
import io.berth.engine.projection.ProjectionRecovery;
import io.berth.engine.projection.Projections;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code berth system replay}: folds the whole log into fresh projections and compares the result,
 * projection by projection, with the live state at the same sequence number.
 */
public final class ReplayVerifier {
    private static final int MAX_DIFFERENCES = 50;

    private ReplayVerifier() {}

    /**
     * The comparison of one projection.
     *
     * @param name        the projection
     * @param equal       whether replayed and live states are equal
     * @param differences JSON pointers where they differ, with both values
     */
    public record ProjectionComparison(String name, boolean equal, List<String> differences) {}

    /**
     * The outcome of a replay.
     *
     * @param equal          whether every projection is equal
     * @param eventsReplayed events folded
     * @param lastSequence   the sequence both states are at
     * @param durationMillis how long the replay took
     * @param projections    per projection
     */
    public record Report(boolean equal, long eventsReplayed, long lastSequence, long durationMillis,
                         List<ProjectionComparison> projections) {}

    private static long compactionPoint(JsonNode live) {
        return live.path("projections").path("system").path("compactedThrough").asLong(0);
    }

    public static Report verify(Journal journal, ObjectMapper mapper) {
        long started = System.nanoTime();
        JsonNode live;
        long upTo;
        synchronized (journal) {
            // under the journal's lock no event is appended between reading the live state and its sequence
            live = journal.projections().toJson(mapper);
            upTo = live.path("sequence").asLong();
        }
        Projections fresh = journal.projections().emptyCopy();
        // after a compaction the log starts later: the replay starts from the compaction snapshot
        long from = compactionPoint(live);
        if (from > 0) {
            fresh.restore(journal.snapshots().latestAtOrBelow(from).filter(s -> s.path("sequence").asLong() == from)
                    .orElseThrow(() -> new IllegalStateException("the compaction snapshot at event " + from + " is missing")), mapper);
        }
        ProjectionRecovery.foldRange(fresh, journal.log(), from, upTo);
        long replayed = upTo - from; // every event was read; those no projection folds were passed over undecoded
        JsonNode rebuilt = fresh.toJson(mapper);

        List<ProjectionComparison> comparisons = new ArrayList<>();
        boolean allEqual = rebuilt.path("sequence").asLong() == upTo;
        for (String name : journal.projections().names()) {
            List<String> differences = new ArrayList<>();
            diff("/" + name, live.path("projections").path(name), rebuilt.path("projections").path(name), differences);
            comparisons.add(new ProjectionComparison(name, differences.isEmpty(), differences));
            allEqual &= differences.isEmpty();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new Report(allEqual, replayed, upTo, millis, comparisons);
    }

    /** Collects the JSON pointers at which {@code live} and {@code replayed} differ. */
    static void diff(String pointer, JsonNode live, JsonNode replayed, List<String> out) {
        if (out.size() >= MAX_DIFFERENCES || live.equals(replayed)) {
            return;
        }
        if (live.isObject() && replayed.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            live.fieldNames().forEachRemaining(keys::add);
            replayed.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                diff(pointer + "/" + key.replace("~", "~0").replace("/", "~1"), live.path(key), replayed.path(key), out);
            }
            return;
        }
        if (live.isArray() && replayed.isArray() && live.size() == replayed.size()) {
            for (int i = 0; i < live.size(); i++) {
                diff(pointer + "/" + i, live.get(i), replayed.get(i), out);
            }
            return;
        }
        out.add(pointer + ": live " + abbreviate(live) + ", replayed " + abbreviate(replayed));
    }

    private static String abbreviate(JsonNode node) {
        String text = node.isMissingNode() ? "(absent)" : node.toString();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

}
