package io.berth.cli.args;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code berth cp}'s arguments split as Docker's {@code splitCpArg}. */
class CopyArgTest {
    @Test
    void givenContainerColonPath_thenSplitAtTheFirstColon() {
        assertEquals(new CopyArg("web", "/etc/hosts"), CopyArg.parse("web:/etc/hosts"));
        assertEquals(new CopyArg("web", "rel/a:b"), CopyArg.parse("web:rel/a:b"));
        assertEquals(new CopyArg("web", ""), CopyArg.parse("web:"));
        assertTrue(CopyArg.parse("web:/x").inContainer());
    }

    @Test
    void givenAbsoluteOrDotPrefixedOrColonlessPath_thenLocal() {
        assertEquals(new CopyArg(null, "/tmp/a:b"), CopyArg.parse("/tmp/a:b"));
        assertEquals(new CopyArg(null, "./file:name.txt"), CopyArg.parse("./file:name.txt"));
        assertEquals(new CopyArg(null, "../x:y"), CopyArg.parse("../x:y"));
        assertEquals(new CopyArg(null, "plain"), CopyArg.parse("plain"));
        assertNull(CopyArg.parse("dir/file").container());
    }

    @Test
    void givenDash_thenAStreamOnlyWhenLocal() {
        assertTrue(CopyArg.parse("-").isStream());
        assertFalse(CopyArg.parse("web:-").isStream());
    }

    @Test
    void givenPaths_thenDockersNamesAndDirectoryAssertions() {
        assertEquals("hosts", CopyArg.baseName("/etc/hosts"));
        assertEquals("etc", CopyArg.baseName("/etc/"));
        assertEquals("/", CopyArg.baseName("/"));
        assertEquals("f", CopyArg.baseName("f"));
        assertTrue(CopyArg.contentsOnly("/d/."));
        assertTrue(CopyArg.contentsOnly("."));
        assertFalse(CopyArg.contentsOnly("/d/.x"));
        assertTrue(CopyArg.assertsDirectory("/d/"));
        assertTrue(CopyArg.assertsDirectory("/d/."));
        assertFalse(CopyArg.assertsDirectory("/d"));
    }
}
