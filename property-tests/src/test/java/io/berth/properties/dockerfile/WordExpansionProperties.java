package io.berth.properties.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.engine.dockerfile.DockerWordExpander;
import io.berth.engine.dockerfile.DockerfileException;
import io.berth.engine.dockerfile.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The word expander against a model: a word is generated piece by piece (literals, escaped characters,
 * single- and double-quoted text, {@code $NAME}, {@code ${NAME}} and the {@code -}/{@code +} forms with
 * nested words), and each piece knows what it expands to; the expander must give the concatenation.
 */
class WordExpansionProperties {
    /** SET is non-empty, EMPTY is set to "", UNSET is not set; values hold characters expansion must not touch. */
    private static final Map<String, String> ENV = Map.of("SET", "v $X 'q' \"d\" \\ `", "EMPTY", "", "Other_1", "o");
    private static final List<String> NAMES = List.of("SET", "EMPTY", "UNSET", "Other_1");
    private static final Location AT = new Location("Dockerfile", 1, 1);

    /** A word as written and what it expands to. */
    record Case(String word, String expected, char escape) {
    }

    @Provide
    Arbitrary<Case> words() {
        return Arbitraries.randomValue(random -> {
            char escape = random.nextBoolean() ? '\\' : '`';
            StringBuilder word = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            new Model(random, escape).pieces(word, expected, 2, false);
            return new Case(word.toString(), expected.toString(), escape);
        });
    }

    @Property(tries = 5000)
    void expansionMatchesTheModel(@ForAll("words") Case c) throws DockerfileException {
        assertEquals(c.expected(), new DockerWordExpander().expand(c.word(), ENV::get, c.escape(), AT), () -> "word: " + c.word());
    }

    @Property(tries = 2000)
    void wordsSplitOnlyWhereTheModelHasUnquotedBlanks(@ForAll("words") Case a, @ForAll("words") Case b) throws DockerfileException {
        if (a.escape() != b.escape() || a.expected().isEmpty() || b.expected().isEmpty() || hasBlank(a.expected()) || hasBlank(b.expected())) {
            return; // only words whose expansions have no blanks of their own split exactly at the separator
        }
        List<String> words = new DockerWordExpander().expandWords(a.word() + "  " + b.word(), ENV::get, a.escape(), AT);
        assertEquals(List.of(a.expected(), b.expected()), words, () -> "text: " + a.word() + "  " + b.word());
    }

    private static boolean hasBlank(String s) {
        return s.chars().anyMatch(Character::isWhitespace);
    }

    private static final class Model {
        private static final String LITERAL = "abcXYZ019_./:-@+,=%";
        private static final String ESCAPABLE = "ab$\"' {}-+:";
        private final Random r;
        private final char escape;

        Model(Random r, char escape) {
            this.r = r;
            this.escape = escape;
        }

        /** Appends 1–4 pieces; {@code inBraces}: the word is inside {@code ${NAME:-…}} (literals never hold a brace). */
        void pieces(StringBuilder word, StringBuilder expected, int depth, boolean inBraces) {
            int count = 1 + r.nextInt(4);
            boolean previousWasBareName = false;
            for (int i = 0; i < count; i++) {
                int kind = r.nextInt(depth > 0 ? 6 : 5);
                if (previousWasBareName && kind == 0) {
                    kind = 1; // a literal right after $NAME would lengthen the name
                }
                previousWasBareName = false;
                switch (kind) {
                    case 0 -> {
                        String s = literal();
                        word.append(s);
                        expected.append(s);
                    }
                    case 1 -> {
                        char c = ESCAPABLE.charAt(r.nextInt(ESCAPABLE.length()));
                        word.append(escape).append(c);
                        expected.append(c);
                    }
                    case 2 -> {
                        String s = quotedLiteral("'");
                        word.append('\'').append(s).append('\'');
                        expected.append(s);
                    }
                    case 3 -> doubleQuoted(word, expected);
                    case 4 -> {
                        String name = NAMES.get(r.nextInt(NAMES.size()));
                        if (r.nextBoolean()) {
                            word.append('$').append(name);
                            previousWasBareName = true;
                        } else {
                            word.append("${").append(name).append('}');
                        }
                        expected.append(ENV.getOrDefault(name, ""));
                    }
                    default -> modifier(word, expected, depth - 1);
                }
            }
        }

        private void modifier(StringBuilder word, StringBuilder expected, int depth) {
            String name = NAMES.get(r.nextInt(NAMES.size()));
            String op = List.of(":-", "-", ":+", "+").get(r.nextInt(4));
            StringBuilder inner = new StringBuilder();
            StringBuilder innerExpected = new StringBuilder();
            pieces(inner, innerExpected, depth, true);
            word.append("${").append(name).append(op).append(inner).append('}');
            String value = ENV.get(name);
            boolean unset = value == null || (op.startsWith(":") && value.isEmpty());
            if (op.endsWith("-")) {
                expected.append(unset ? innerExpected : value);
            } else {
                expected.append(unset ? "" : innerExpected);
            }
        }

        /** Inside double quotes: plain text, escaped {@code " $} and escape, an escape before anything else kept, variables. */
        private void doubleQuoted(StringBuilder word, StringBuilder expected) {
            word.append('"');
            for (int n = r.nextInt(4); n > 0; n--) {
                switch (r.nextInt(4)) {
                    case 0 -> {
                        String s = quotedLiteral("\"$" + escape);
                        word.append(s);
                        expected.append(s);
                    }
                    case 1 -> {
                        char c = List.of('"', '$', escape).get(r.nextInt(3));
                        word.append(escape).append(c);
                        expected.append(c);
                    }
                    case 2 -> {
                        word.append(escape).append('n');
                        expected.append(escape).append('n');
                    }
                    default -> {
                        String name = NAMES.get(r.nextInt(NAMES.size()));
                        word.append("${").append(name).append('}');
                        expected.append(ENV.getOrDefault(name, ""));
                    }
                }
            }
            word.append('"');
        }

        private String literal() {
            StringBuilder sb = new StringBuilder();
            for (int n = 1 + r.nextInt(5); n > 0; n--) {
                sb.append(LITERAL.charAt(r.nextInt(LITERAL.length())));
            }
            return sb.toString();
        }

        /** Text for inside quotes: anything but the characters in {@code forbidden}. */
        private String quotedLiteral(String forbidden) {
            String pool = "ab $X{}'\"\\`é ";
            List<Character> allowed = new ArrayList<>();
            for (char c : pool.toCharArray()) {
                if (forbidden.indexOf(c) < 0) {
                    allowed.add(c);
                }
            }
            StringBuilder sb = new StringBuilder();
            for (int n = r.nextInt(6); n > 0; n--) {
                sb.append(allowed.get(r.nextInt(allowed.size())));
            }
            return sb.toString();
        }
    }
}
