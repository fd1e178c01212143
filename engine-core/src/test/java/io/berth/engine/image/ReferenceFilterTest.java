package io.berth.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceFilterTest {
    private static boolean match(String pattern, String reference) {
        return new ReferenceFilter(List.of(pattern)).matches(reference);
    }

    @Test
    void givenANameAlone_thenEveryTagOfThatNameMatches() {
        assertTrue(match("busybox", "busybox:latest"));
        assertTrue(match("busybox", "busybox:1"));
        assertFalse(match("busybox", "busybox-extra:1"));
        assertFalse(match("busy", "busybox:1"));
    }

    @Test
    void givenNameAndTag_thenOnlyThatTagMatches() {
        assertTrue(match("busybox:1", "busybox:1"));
        assertFalse(match("busybox:1", "busybox:latest"));
        assertTrue(match("localhost:5000/busybox:1", "localhost:5000/busybox:1"));
        assertTrue(match("localhost:5000/busybox", "localhost:5000/busybox:1"));
        assertFalse(match("localhost:5000/busybox", "busybox:1"));
    }

    @Test
    void givenWildcards_thenTheyDoNotCrossASlash() {
        assertTrue(match("busy*", "busybox:1"));
        assertTrue(match("busybox:*", "busybox:1"));
        assertTrue(match("*/busybox", "berth-example/busybox:latest"));
        assertFalse(match("*", "berth-example/busybox:latest"));
        assertTrue(match("*/*", "berth-example/busybox:latest"));
        assertTrue(match("busybox:?", "busybox:1"));
        assertTrue(match("busybox:[0-9]", "busybox:1"));
        assertFalse(match("busybox:[^0-9]", "busybox:1"));
    }

    @Test
    void givenADigestReference_thenItsNameMatches() {
        String digest = "busybox@sha256:" + "a".repeat(64);
        assertTrue(match("busybox", digest));
        assertEquals("localhost:5000/app", ReferenceFilter.nameOf("localhost:5000/app@sha256:" + "b".repeat(64)));
        assertEquals("localhost:5000/app", ReferenceFilter.nameOf("localhost:5000/app"));
    }

    @Test
    void givenSeveralPatterns_thenAnyOneMatching_isEnough() {
        ReferenceFilter f = new ReferenceFilter(List.of("alpine", "busybox:1"));
        assertTrue(f.matches("busybox:1"));
        assertTrue(f.matches("alpine:3"));
        assertFalse(f.matches("debian:12"));
    }

    @Test
    void givenAnUnclosedClass_thenTheErrorNamesThePattern() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReferenceFilter(List.of("busybox:[1")));
        assertTrue(e.getMessage().contains("busybox:[1"), e.getMessage());
    }
}
