package io.berth.plugin.registry;

import io.berth.spi.registry.InvalidReferenceException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The wording of this parser's errors; what is accepted is in the conformance kit's tables. */
class ReferenceParserTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "''                         | the reference is empty",
            "Busybox                    | the repository name \"library/Busybox\" must be lowercase",
            "busybox:                   | the tag is empty",
            ":latest                    | the repository name is empty",
            "busybox@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | the digest algorithm \"sha512\" is not supported: berth uses sha256 only",
            "busybox@sha256:abc         | the digest \"sha256:abc\" is malformed: expected sha256: followed by 64 lower-case hex digits",
            "localhost:port/app         | the registry \"localhost:port\" is not a valid host[:port]",
            "team//app                  | the repository name \"team//app\" has an empty path component",
            "-busybox                   | the repository name component \"-busybox\" is invalid: use lower-case letters and digits, joined by '.', '_', '__' or dashes",
    })
    void givenABadReference_whenParsed_thenTheProblemIsSaidPlainly(String text, String problem) {
        InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> ReferenceParser.parse(text));
        assertEquals(problem, e.problem());
        assertEquals("invalid reference \"" + text + "\": " + problem, e.getMessage());
    }
}
