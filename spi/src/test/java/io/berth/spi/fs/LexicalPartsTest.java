package io.berth.spi.fs;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LexicalPartsTest {

    @Test
    void givenDotsRepeatedSlashesAndALeadingSlash_whenSplit_thenOnlyTheNamesRemain() {
        assertEquals(Optional.of(List.of("a", "c", "d")), SafeRoot.lexicalParts("/a//b/../c/./d/"));
        assertEquals(Optional.of(List.of("etc", "passwd")), SafeRoot.lexicalParts("./etc/passwd"));
    }

    @Test
    void givenTheRootItself_whenSplit_thenNoComponent() {
        assertEquals(Optional.of(List.of()), SafeRoot.lexicalParts(""));
        assertEquals(Optional.of(List.of()), SafeRoot.lexicalParts("a/.."));
        assertEquals(Optional.of(List.of()), SafeRoot.lexicalParts("/./"));
    }

    @Test
    void givenADotDotAboveTheRoot_whenSplit_thenEmpty() {
        assertEquals(Optional.empty(), SafeRoot.lexicalParts(".."));
        assertEquals(Optional.empty(), SafeRoot.lexicalParts("a/../../b"));
        assertEquals(Optional.empty(), SafeRoot.lexicalParts("/../etc"));
    }

    @Test
    void givenNamesThatOnlyLookLikeDots_whenSplit_thenTheyAreKept() {
        assertEquals(Optional.of(List.of("...", ".hidden", "..x")), SafeRoot.lexicalParts("..././.hidden/..x"));
    }
}
