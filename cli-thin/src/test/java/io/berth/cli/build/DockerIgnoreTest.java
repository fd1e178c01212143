package io.berth.cli.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** .dockerignore matching with Docker's rules (the examples of Docker's reference and patternmatcher's behaviour). */
class DockerIgnoreTest {

    private static void excluded(DockerIgnore ignore, String... paths) {
        for (String p : paths) {
            assertTrue(ignore.excludes(p, false), p + " should be excluded by " + ignore);
        }
    }

    private static void kept(DockerIgnore ignore, String... paths) {
        for (String p : paths) {
            assertFalse(ignore.excludes(p, false), p + " should be kept by " + ignore);
        }
    }

    @Test
    void givenTheReferenceExampleThenStarQuestionMarkAndDepthsMatchAsDocumented() {
        DockerIgnore ignore = DockerIgnore.parse("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
        excluded(ignore, "somedir/temporary.txt", "somedir/temp", "somedir/temp/inside", "somedir/subdir/temporary.txt", "tempa", "tempb");
        kept(ignore, "temporary.txt", "temp", "tempab", "a/b/c/temp", "somedir/xtemp");
    }

    @Test
    void givenDoubleStarThenAnyNumberOfDirectoriesMatch() {
        DockerIgnore ignore = DockerIgnore.parse("**/*.go\n");
        excluded(ignore, "main.go", "a/main.go", "a/b/c/x.go");
        kept(ignore, "main.gox", "a/go");
        DockerIgnore under = DockerIgnore.parse("docs/**\n");
        excluded(under, "docs/a", "docs/a/b.md");
        kept(under, "docs", "docsx/a");
        excluded(DockerIgnore.parse("**\n"), "a", "a/b");
        DockerIgnore middle = DockerIgnore.parse("a/**/z\n");
        excluded(middle, "a/z", "a/b/z", "a/b/c/z");
        kept(middle, "a/bz", "b/a/z");
        excluded(DockerIgnore.parse("**/keep\n"), "keep", "x/keep");
        kept(DockerIgnore.parse("**/keep\n"), "xkeep");
    }

    @Test
    void givenExceptionsThenTheLastMatchingPatternWins() {
        DockerIgnore readme = DockerIgnore.parse("*.md\n!README.md\n");
        excluded(readme, "CHANGES.md");
        kept(readme, "README.md", "main.c");
        DockerIgnore secret = DockerIgnore.parse("*.md\n!README*.md\nREADME-secret.md\n");
        excluded(secret, "CHANGES.md", "README-secret.md");
        kept(secret, "README-public.md");
        DockerIgnore reversed = DockerIgnore.parse("*.md\nREADME-secret.md\n!README*.md\n");
        kept(reversed, "README-secret.md");
    }

    @Test
    void givenAnExcludedDirectoryThenEverythingUnderItIsExcludedUnlessExcepted() {
        DockerIgnore ignore = DockerIgnore.parse("dir\n!dir/keep\n");
        excluded(ignore, "dir", "dir/x", "dir/sub/y");
        kept(ignore, "dir/keep", "dir/keep/inside", "dirx");
        assertTrue(ignore.excludes("dir", true));
        assertTrue(ignore.mayIncludeUnder("dir"));
        assertFalse(ignore.mayIncludeUnder("dir/sub"));
        assertTrue(ignore.mayIncludeUnder("dir/keep"));
        assertFalse(ignore.mayIncludeUnder("other"));
    }

    @Test
    void givenOnlyAWildcardExceptionThenDockerDoesNotWalkTheExcludedDirectory() {
        DockerIgnore ignore = DockerIgnore.parse("dir\n!**/keep\n");
        kept(ignore, "dir/keep"); // the matcher alone would keep it ...
        assertFalse(ignore.mayIncludeUnder("dir")); // ... but Docker never walks into dir to find it
        assertFalse(DockerIgnore.parse("dir\n").mayIncludeUnder("dir"));
    }

    @Test
    void givenAnExceptionForAParentThenItDoesNotReincludeWhatAnEarlierPatternExcludedBelow() {
        // checked against docker build: patternmatcher decides each directory from its parent's results
        DockerIgnore ignore = DockerIgnore.parse("x/**/keep\n**/z.go\n!x\n");
        excluded(ignore, "x/y/keep", "x/y/z.go");
        kept(ignore, "x", "x/y", "x/y/other");
    }

    @Test
    void givenMessyPatternsThenTheyAreCleanedAndRelative() {
        DockerIgnore ignore = DockerIgnore.parse("\uFEFF  /abs/path  \n./dot\na//b/../c/\n\t\n # not a comment\r\n!  /abs/path/keep\n");
        assertEquals(List.of("abs/path", "dot", "a/c", "# not a comment", "!abs/path/keep"), ignore.patterns());
        excluded(ignore, "abs/path/x", "dot", "a/c/d", "# not a comment", "/dot", "./dot", "dot/");
        kept(ignore, "abs/path/keep", "a/b");
    }

    @Test
    void givenCharacterClassesAndEscapesThenTheyMatchOneCharacter() {
        DockerIgnore ignore = DockerIgnore.parse("file[0-9].txt\n[^a]x\nlit\\*eral\nq\\?\n");
        excluded(ignore, "file1.txt", "bx", "lit*eral", "q?");
        kept(ignore, "filea.txt", "ax", "/x", "litxeral", "qq");
        excluded(DockerIgnore.parse("a.b\n"), "a.b");
        kept(DockerIgnore.parse("a.b\n"), "axb");
        excluded(DockerIgnore.parse("(x)+{y}|$\n"), "(x)+{y}|$");
    }

    @Test
    void givenMalformedPatternsThenParsingFailsNamingTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("ok\n[abc\n"));
        assertEquals(".dockerignore line 2: syntax error (an unclosed [) in pattern \"[abc\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("abc\\\n"));
        assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("[]\n"));
        assertEquals(".dockerignore line 1: illegal exclusion pattern: \"!\"",
                assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("!\n")).getMessage());
    }

    @Test
    void givenTheDockerfileIsExcludedThenKeepingItSendsItAnyway() {
        DockerIgnore ignore = DockerIgnore.parse("*\n").keeping("Dockerfile").keeping(".dockerignore");
        kept(ignore, "Dockerfile", ".dockerignore");
        excluded(ignore, "other");
        DockerIgnore untouched = DockerIgnore.parse("*.md\n");
        assertEquals(untouched.patterns(), untouched.keeping("Dockerfile").patterns());
    }

    @Test
    void givenNothingThenNothingIsExcluded() {
        kept(DockerIgnore.none(), "a", "a/b");
        kept(DockerIgnore.parse(""), "a");
        kept(DockerIgnore.parse("*\n"), ".", "");
    }

    @Test
    void cleanIsGosFilepathClean() {
        assertEquals(".", DockerIgnore.clean(""));
        assertEquals("a/c", DockerIgnore.clean("a/./b/../c/"));
        assertEquals("../x", DockerIgnore.clean("../x"));
        assertEquals("/x", DockerIgnore.clean("/../x"));
        assertEquals("/", DockerIgnore.clean("//"));
        assertEquals(".", DockerIgnore.clean("a/.."));
    }
}
