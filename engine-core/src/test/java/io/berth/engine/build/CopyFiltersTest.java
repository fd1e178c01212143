package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** COPY --exclude patterns, COPY --parents placement, and the redaction of build secrets. */
class CopyFiltersTest {

    @Test
    void givenExcludePatternsThenTheyMatchWithinAComponentAcrossWithDoubleStarAndCoverAMatchedDirectory() {
        CopyFilters f = new CopyFilters(List.of("*.txt", "./build", "**/secret", "docs/*.md"));
        assertTrue(f.excludes("a.txt"));
        assertFalse(f.excludes("sub/a.txt"), "* stays within one component");
        assertTrue(f.excludes("build"));
        assertTrue(f.excludes("build/out/x.o"), "a matched directory's contents go with it");
        assertTrue(f.excludes("secret"));
        assertTrue(f.excludes("deep/er/secret"));
        assertTrue(f.excludes("docs/README.md"));
        assertFalse(f.excludes("docs/sub/README.md"));
        assertFalse(f.excludes("main.c"));
        assertFalse(new CopyFilters(List.of()).excludes("anything"));
    }

    @Test
    void givenParentsThenASourceKeepsItsDirectoriesFromThePivot() {
        assertEquals("x", CopyFilters.parentsOf("./x/a.txt", "x/a.txt", false));
        assertEquals("", CopyFilters.parentsOf("a.txt", "a.txt", false));
        assertEquals("x/sub", CopyFilters.parentsOf("x/sub", "x/sub", true));
        assertEquals("y", CopyFilters.parentsOf("./x/./y/*.txt", "x/y/a.txt", false));
    }

    @Test
    void givenSecretsThenOutputIsRedactedAndToStringNamesIdsOnly() {
        BuildSecrets secrets = new BuildSecrets(Map.of("token", "hunter2-value\n".getBytes()), Map.of("default", "/tmp/agent"));
        assertEquals("printed: ****", secrets.redact("printed: hunter2-value\n"));
        assertEquals("a ****, b **** c", secrets.redact("a hunter2-value, b hunter2-value c"), "the value without its newline too");
        assertEquals("BuildSecrets[secrets=[token], ssh=[default]]", secrets.toString());
        assertEquals("abc", new BuildSecrets(Map.of("s", "abc".getBytes()), Map.of()).redact("abc"), "values under 4 characters are left");
    }
}
