package io.berth.engine.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The builder's word expansion. Expected values were checked against Docker (20.10's legacy builder for
 * the forms it knows; the non-colon, {@code ?} and pattern forms follow BuildKit's lexer, today's default).
 */
class DockerWordExpanderTest {
    private static final Map<String, String> ENV = Map.of("A", "1", "EMPTY", "", "SP", "a  b", "P", "/usr/local/bin", "F", "file.tar.gz");
    private static final Location AT = new Location("Dockerfile", 3, 1);
    private final DockerWordExpander expander = new DockerWordExpander();

    private String x(String word) throws DockerfileException {
        return expander.expand(word, ENV::get, '\\', AT);
    }

    private List<String> words(String text) throws DockerfileException {
        return expander.expandWords(text, ENV::get, '\\', AT);
    }

    private DockerfileException error(String word) {
        return assertThrows(DockerfileException.class, () -> x(word));
    }

    @Test
    void variables() throws Exception {
        assertEquals("1", x("$A"));
        assertEquals("1x", x("${A}x"));
        assertEquals("", x("$UNSET"));
        assertEquals("-1-", x("-$A-"));
        assertEquals("x", x("$UNSET${UNSET}x"));
    }

    @Test
    void aDollarWithoutANameIsLiteral() throws Exception {
        assertEquals("$", x("$"));
        assertEquals("a$ b", x("a$ b"));
        assertEquals("$/", x("$/"));
    }

    @Test
    void specialAndPositionalParametersAreNeverSet() throws Exception {
        assertEquals("", x("$$"));
        assertEquals("x", x("$1x"));
        assertEquals("y", x("$@y"));
        assertEquals("", x("$12"));
    }

    @Test
    void defaultsAndAlternatives() throws Exception {
        assertEquals("1", x("${A:-w}"));
        assertEquals("w", x("${UNSET:-w}"));
        assertEquals("w", x("${EMPTY:-w}"));
        assertEquals("", x("${EMPTY-w}"));
        assertEquals("w", x("${UNSET-w}"));
        assertEquals("w", x("${A:+w}"));
        assertEquals("", x("${EMPTY:+w}"));
        assertEquals("w", x("${EMPTY+w}"));
        assertEquals("", x("${UNSET+w}"));
    }

    @Test
    void nestedWords() throws Exception {
        assertEquals("11", x("${UNSET:-$A$A}"));
        assertEquals("x 1 y", x("${UNSET:-x ${B:-$A} y}"));
        assertEquals("}", x("${UNSET:-'}'}"));
        assertEquals("ab cd", x("${UNSET:-a\"b c\"d}"));
        assertEquals("q", x("\"${UNSET:-\"q\"}\""));
    }

    @Test
    void quotes() throws Exception {
        assertEquals("$A\\", x("'$A\\'"));
        assertEquals("a\\b$A\"q", x("\"a\\b\\$A\\\"q\""));
        assertEquals("1 x", x("\"$A x\""));
        assertEquals("", x("\"\""));
        assertEquals("a'b", x("\"a'b\""));
    }

    @Test
    void escapes() throws Exception {
        assertEquals("$A", x("\\$A"));
        assertEquals("a\\b", x("a\\\\b"));
        assertEquals("x", x("\\x"));
        assertEquals("a", x("a\\"));
        assertEquals("a b", x("a\\ b"));
    }

    @Test
    void theBacktickEscape() throws Exception {
        assertEquals("$A", expander.expand("`$A", ENV::get, '`', AT));
        assertEquals("c:\\dir", expander.expand("c:\\dir", ENV::get, '`', AT));
        assertEquals("\"", expander.expand("\"`\"\"", ENV::get, '`', AT));
    }

    @Test
    void requiredVariables() throws Exception {
        assertEquals("1", x("${A?}"));
        assertEquals("", x("${EMPTY?}"));
        assertEquals("Dockerfile:3:1: failed to expand \"${UNSET?}\": UNSET: is not allowed to be unset", error("${UNSET?}").getMessage());
        assertEquals("Dockerfile:3:1: failed to expand \"${EMPTY:?set it}\": EMPTY: set it", error("${EMPTY:?set it}").getMessage());
    }

    @Test
    void patterns() throws Exception {
        assertEquals("local/bin", x("${P#/usr/}"));
        assertEquals("bin", x("${P##*/}"));
        assertEquals("usr/local/bin", x("${P#*/}"));
        assertEquals("file.tar", x("${F%.*}"));
        assertEquals("file", x("${F%%.*}"));
        assertEquals("file-tar.gz", x("${F/./-}"));
        assertEquals("file-tar-gz", x("${F//./-}"));
        assertEquals("", x("${UNSET#x}"));
    }

    @Test
    void errors() {
        assertEquals("Dockerfile:3:1: failed to expand \"${A\": syntax error: missing '}'", error("${A").getMessage());
        assertEquals("syntax error: missing '}'", error("${").problem().replaceFirst("^.*: syntax", "syntax"));
        assertEquals("syntax error: missing '}'", error("${A:-x").problem().replaceFirst("^.*: syntax", "syntax"));
        assertEquals("syntax error: bad substitution", error("${}").problem().replaceFirst("^.*: syntax", "syntax"));
        assertEquals("syntax error: bad substitution", error("${:-x}").problem().replaceFirst("^.*: syntax", "syntax"));
        assertEquals("unsupported modifier (!) in substitution", error("${A!x}").problem().replaceFirst("^.*\": ", ""));
        assertEquals("unsupported modifier (:x) in substitution", error("${A:x}").problem().replaceFirst("^.*\": ", ""));
        assertEquals("unexpected end of statement while looking for matching double-quote", error("\"abc").problem().replaceFirst("^.*\": ", ""));
        assertEquals("unexpected end of statement while looking for matching single-quote", error("'abc").problem().replaceFirst("^.*\": ", ""));
        assertEquals(AT, error("${A").location());
        assertEquals("invalid pattern (\\x) in substitution: invalid escape '\\x'", error("${P#\\x}").problem().replaceFirst("^.*\": ", ""));
    }

    @Test
    void heredocBodiesKeepTheirQuotes() throws Exception {
        assertEquals("echo \"1\" '1' $A x\n  ${x}\n", expander.expandRaw("echo \"$A\" '${A}' \\$A \\x\n  ${UNSET:-\\$\\{x\\}}\n", ENV::get, AT));
        assertEquals("it's \"1\"", expander.expandRaw("it's \"${UNSET:-$A}\"", ENV::get, AT));
    }

    @Test
    void wordsSplitOnUnquotedWhitespaceAfterExpansion() throws Exception {
        assertEquals(List.of("80", "443"), expander.expandWords("$PORTS", Map.of("PORTS", "80 443")::get, '\\', AT));
        assertEquals(List.of("a", "b", "c"), words("${SP} c"));
        assertEquals(List.of("a  b", "c"), words("\"${SP}\" c"));
        assertEquals(List.of("x y"), words("x\\ y"));
        assertEquals(List.of(), words("  "));
        assertEquals(List.of("1"), words("  $A  $UNSET "));
    }
}
