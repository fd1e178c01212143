package io.berth.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterMatchTest {
    private static final Map<String, String> LABELS = Map.of("team", "core", "tier", "web", "empty", "");

    @Test
    void givenKeyOrKeyValue_whenLabelsMatchAll_thenEveryOneMustHold() {
        assertTrue(FilterMatch.labelsMatchAll(LABELS, List.of()));
        assertTrue(FilterMatch.labelsMatchAll(LABELS, List.of("team")));
        assertTrue(FilterMatch.labelsMatchAll(LABELS, List.of("team=core", "tier")));
        assertTrue(FilterMatch.labelsMatchAll(LABELS, List.of("empty=")));
        assertFalse(FilterMatch.labelsMatchAll(LABELS, List.of("team=core", "tier=db")));
        assertFalse(FilterMatch.labelsMatchAll(LABELS, List.of("owner")));
        assertFalse(FilterMatch.labelsMatchAll(LABELS, List.of("team=cor")), "a value is compared whole, never as a prefix");
    }

    @Test
    void givenNegatedLabels_whenLabelsMatchAny_thenOneHoldingIsEnough() {
        assertFalse(FilterMatch.labelsMatchAny(LABELS, List.of()));
        assertTrue(FilterMatch.labelsMatchAny(LABELS, List.of("owner", "tier=web")));
        assertFalse(FilterMatch.labelsMatchAny(LABELS, List.of("owner", "tier=db")));
    }

    @Test
    void givenBooleanFilter_whenParsed_thenDockersSpellingsAndRefusals() {
        assertNull(FilterMatch.bool(Map.of(), "dangling"));
        assertEquals(true, FilterMatch.bool(Map.of("dangling", List.of("true")), "dangling"));
        assertEquals(true, FilterMatch.bool(Map.of("dangling", List.of("1")), "dangling"));
        assertEquals(false, FilterMatch.bool(Map.of("dangling", List.of("FALSE", "0")), "dangling"));
        ApiException bad = assertThrows(ApiException.class, () -> FilterMatch.bool(Map.of("dangling", List.of("yes")), "dangling"));
        assertEquals(400, bad.status());
        assertEquals("invalid filter 'dangling=yes'", bad.getMessage());
        assertThrows(ApiException.class, () -> FilterMatch.bool(Map.of("all", List.of("true", "false")), "all"));
    }

    @Test
    void givenUntil_whenTimeDurationOrUnixTime_thenCreatedBeforeComparesWithIt() {
        assertNull(FilterMatch.until(Map.of()));
        Instant unix = FilterMatch.until(Map.of("until", List.of("1700000000")));
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), unix);
        Instant rfc = FilterMatch.until(Map.of("until", List.of("2026-01-02T03:04:05Z", "2025-01-01T00:00:00Z")));
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), rfc, "the earliest of several bounds");
        Instant hourAgo = FilterMatch.until(Map.of("until", List.of("1h")));
        assertTrue(hourAgo.isBefore(Instant.now().minusSeconds(3590)) && hourAgo.isAfter(Instant.now().minusSeconds(3700)));
        assertTrue(FilterMatch.createdBefore("2024-12-31T23:59:59Z", rfc));
        assertFalse(FilterMatch.createdBefore("2025-01-01T00:00:01Z", rfc));
        assertTrue(FilterMatch.createdBefore("2025-01-01T00:00:01Z", null));
        assertThrows(ApiException.class, () -> FilterMatch.until(Map.of("until", List.of("yesterday"))));
    }

    @Test
    void givenVersionPrefix_whenOutsideServedRange_thenDockersRefusal() {
        assertNull(ApiHandler.versionRefusal(1, 24));
        assertNull(ApiHandler.versionRefusal(1, 43));
        assertEquals("client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version",
                ApiHandler.versionRefusal(1, 23));
        assertEquals("client version 1.44 is too new. Maximum supported API version is 1.43", ApiHandler.versionRefusal(1, 44));
        assertEquals("client version 2.0 is too new. Maximum supported API version is 1.43", ApiHandler.versionRefusal(2, 0));
    }
}
