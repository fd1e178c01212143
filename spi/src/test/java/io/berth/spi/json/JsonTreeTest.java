package io.berth.spi.json;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTreeTest {

    @Test
    void givenRuncState_whenRead_thenPlainValuesInOrder() throws IOException {
        Map<String, Object> state = JsonTree.object("""
                {"ociVersion":"1.0.2","id":"c1","pid":4242,"status":"running","bundle":"/b",
                 "created":"2026-11-28T11:01:20.597574455Z","annotations":{"a":"1"},"ok":true,"none":null,
                 "ratio":0.5,"big":1e3,"list":[1,"two",[3]]}
                """);
        assertEquals(List.of("ociVersion", "id", "pid", "status", "bundle", "created", "annotations", "ok", "none",
                "ratio", "big", "list"), List.copyOf(state.keySet()));
        assertEquals(4242L, state.get("pid"));
        assertEquals(4242, JsonTree.integer(state, "pid"));
        assertEquals("running", JsonTree.string(state, "status"));
        assertEquals(Map.of("a", "1"), JsonTree.stringMap(state, "annotations"));
        assertTrue(JsonTree.bool(state, "ok"));
        assertNull(state.get("none"));
        assertEquals(0.5, state.get("ratio"));
        assertEquals(1000.0, state.get("big"));
        assertEquals(List.of(1L, "two", List.of(3L)), state.get("list"));
        assertEquals(List.of("1", "two", "[3]"), JsonTree.strings(state, "list"));
    }

    @Test
    void givenMissingOrOtherTypedMembers_whenAsked_thenEmptyValues() throws IOException {
        Map<String, Object> doc = JsonTree.object("{\"n\":\"not a number\",\"s\":5}");
        assertEquals(0, JsonTree.number(doc, "n"));
        assertEquals("", JsonTree.string(doc, "s"));
        assertEquals(Map.of(), JsonTree.object(doc, "absent"));
        assertEquals(List.of(), JsonTree.list(doc, "absent"));
    }

    @Test
    void givenCgroupNoLimit_whenRead_thenLongMaxValue() throws IOException {
        Map<String, Object> doc = JsonTree.object("{\"limit\":18446744073709551615,\"low\":-18446744073709551615}");
        assertEquals(Long.MAX_VALUE, JsonTree.number(doc, "limit"));
        assertEquals(Long.MIN_VALUE, JsonTree.number(doc, "low"));
    }

    @Test
    void givenEscapes_whenReadAndWritten_thenSameString() throws IOException {
        String original = "quote \" backslash \\ slash / tab \t line \n nul \u0000 snow \u2603 pair \uD83D\uDE00";
        String written = JsonTree.write(Map.of("s", original));
        assertEquals(original, JsonTree.string(JsonTree.object(written), "s"));
        assertEquals("\"a\\u0001\\n\"", JsonTree.write("a\u0001\n"));
        assertEquals("é/\b", JsonTree.parse("\"\\u00e9\\/\\b\""));
    }

    @Test
    void givenPlainValues_whenWritten_thenCompactJsonInOrder() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", "berth0");
        doc.put("subnets", List.of(Map.of("subnet", "10.213.0.0/24")));
        doc.put("mtu", 1500);
        doc.put("big", 5_000_000_000L);
        doc.put("half", 0.5);
        doc.put("ipv6", false);
        doc.put("none", null);
        doc.put("empty", List.of());
        assertEquals("{\"name\":\"berth0\",\"subnets\":[{\"subnet\":\"10.213.0.0/24\"}],\"mtu\":1500,"
                + "\"big\":5000000000,\"half\":0.5,\"ipv6\":false,\"none\":null,\"empty\":[]}", JsonTree.write(doc));
        assertEquals("[1,null]", JsonTree.write(Arrays.asList(1, null)));
    }

    @Test
    void givenValuesJsonCannotHold_whenWritten_thenRefused() {
        assertThrows(IllegalArgumentException.class, () -> JsonTree.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> JsonTree.write(new Object()));
    }

    @Test
    void givenNotJson_whenRead_thenOneLineNamingTheOffset() {
        IOException trailing = assertThrows(IOException.class, () -> JsonTree.parse("{\"a\":1,}"));
        assertEquals("not JSON at offset 7: expected a member name in quotes, found '}' in: {\"a\":1,}", trailing.getMessage());
        assertThrows(IOException.class, () -> JsonTree.parse(""));
        assertThrows(IOException.class, () -> JsonTree.parse("  "));
        assertThrows(IOException.class, () -> JsonTree.parse("[1 2]"));
        assertThrows(IOException.class, () -> JsonTree.parse("{\"a\" 1}"));
        assertThrows(IOException.class, () -> JsonTree.parse("\"open"));
        assertThrows(IOException.class, () -> JsonTree.parse("\"a\\x\""));
        assertThrows(IOException.class, () -> JsonTree.parse("\"\\u12\""));
        assertThrows(IOException.class, () -> JsonTree.parse("\"tab\tinside\""));
        assertThrows(IOException.class, () -> JsonTree.parse("01"));
        assertThrows(IOException.class, () -> JsonTree.parse("-"));
        assertThrows(IOException.class, () -> JsonTree.parse("1."));
        assertThrows(IOException.class, () -> JsonTree.parse("1e"));
        assertThrows(IOException.class, () -> JsonTree.parse("tru"));
        assertThrows(IOException.class, () -> JsonTree.parse("{} extra"));
        assertThrows(IOException.class, () -> JsonTree.parse("[".repeat(300) + "]".repeat(300)));
        IOException notObject = assertThrows(IOException.class, () -> JsonTree.object("[1]"));
        assertEquals("expected a JSON object: [1]", notObject.getMessage());
    }

    @Test
    void givenMemberNamedTwice_whenRead_thenLastValueKept() throws IOException {
        assertEquals(2L, JsonTree.object("{\"a\":1,\"a\":2}").get("a"));
    }
}
