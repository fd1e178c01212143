package io.berth.cli.args;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FiltersTest {
    @Test
    void givenRepeatedKeys_thenValuesAreGroupedInOrderWithoutDuplicates() {
        Map<String, List<String>> f = Filters.parse(List.of("type=daemon", "event=start", "type=plugin", "type=daemon"));
        assertEquals(Map.of("type", List.of("daemon", "plugin"), "event", List.of("start")), f);
        assertEquals("{\"type\":[\"daemon\",\"plugin\"],\"event\":[\"start\"]}", Filters.toJson(f));
    }

    @Test
    void givenValueWithEquals_thenSplitAtTheFirstEquals() {
        assertEquals(Map.of("label", List.of("a=b")), Filters.parse(List.of("label=a=b")));
    }

    @Test
    void givenEmptyValue_thenKept() {
        assertEquals(Map.of("subject", List.of("")), Filters.parse(List.of("subject=")));
    }

    @Test
    void givenNoFilters_thenNoParameter() {
        assertNull(Filters.toJson(Filters.parse(List.of())));
    }

    @Test
    void givenJsonSpecialCharacters_thenEscaped() {
        assertEquals("{\"subject\":[\"a\\\"b\"]}", Filters.toJson(Filters.parse(List.of("subject=a\"b"))));
    }

    @Test
    void givenNotKeyValue_thenOneLineError() {
        for (String bad : List.of("type", "=x", " =x", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Filters.parse(List.of(bad)));
            assertEquals("invalid value for --filter: \"" + bad + "\": expected key=value", e.getMessage());
        }
    }
}
