package io.berth.engine.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's builder word expansion (the rules of BuildKit's {@code shell.Lex}, not a shell): single
 * quotes keep everything literal; double quotes keep everything but {@code $} and the escape
 * character, which there escapes only {@code "}, {@code $} and itself; outside quotes the escape
 * character makes the next character literal (and is dropped at the end of a word); {@code $NAME},
 * {@code ${NAME}}, {@code ${NAME:-word}}, {@code ${NAME-word}}, {@code ${NAME:+word}},
 * {@code ${NAME+word}}, {@code ${NAME:?message}}, {@code ${NAME?message}}, the pattern forms
 * {@code ${NAME#p}}, {@code ${NAME##p}}, {@code ${NAME%p}}, {@code ${NAME%%p}}, {@code ${NAME/p/r}},
 * {@code ${NAME//p/r}}; the words inside may hold quotes and further substitutions. A {@code $}
 * not followed by a name is literal; special parameters ({@code $@ $* $# $? $- $$ $! $0}) and
 * positional ones ({@code $1}) are variables that are never set. Stateless and thread-safe.
 */
public final class DockerWordExpander implements WordExpander {
    private static final int EOF = -1;

    @Override
    public String expand(String word, Function<String, String> lookup, char escape, Location location) throws DockerfileException {
        return new Lexer(word, lookup, escape, location).run().result.toString();
    }

    @Override
    public List<String> expandWords(String text, Function<String, String> lookup, char escape, Location location) throws DockerfileException {
        return new Lexer(text, lookup, escape, location).run().words();
    }

    @Override
    public String expandRaw(String text, Function<String, String> lookup, Location location) throws DockerfileException {
        Lexer lexer = new Lexer(text, lookup, '\\', location);
        lexer.quotes = false;
        return lexer.run().result.toString();
    }

    /** The result as one string and as whitespace-split words (splitting only what substitutions produced or unquoted text). */
    private static final class Output {
        final StringBuilder result = new StringBuilder();
        private final List<String> words = new ArrayList<>();
        private final StringBuilder word = new StringBuilder();
        private boolean inWord;

        /** Unquoted text and substitution results: whitespace separates words. */
        void addSplitting(String s) {
            s.codePoints().forEach(this::addSplitting);
        }

        void addSplitting(int ch) {
            if (Character.isWhitespace(ch)) {
                if (inWord && !word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                addRaw(ch);
            }
        }

        /** Quoted or escaped text: kept in the current word, whitespace included. */
        void addRaw(int ch) {
            word.appendCodePoint(ch);
            inWord = true;
        }

        void addRaw(String s) {
            word.append(s);
            inWord = true;
        }

        List<String> words() {
            if (!word.isEmpty()) {
                words.add(word.toString());
                word.setLength(0);
            }
            return List.copyOf(words);
        }
    }

    private static final class Lexer {
        private final String text;
        private final Function<String, String> lookup;
        private final char escape;
        private final Location location;
        /** Whether quotes are processed (not for heredoc bodies). */
        private boolean quotes = true;
        private int pos;

        Lexer(String text, Function<String, String> lookup, char escape, Location location) {
            this.text = text;
            this.lookup = lookup;
            this.escape = escape;
            this.location = location;
        }

        Output run() throws DockerfileException {
            Output out = new Output();
            processUntil(EOF, false, out);
            return out;
        }

        private int peek() {
            return pos < text.length() ? text.codePointAt(pos) : EOF;
        }

        private int next() {
            if (pos >= text.length()) {
                return EOF;
            }
            int ch = text.codePointAt(pos);
            pos += Character.charCount(ch);
            return ch;
        }

        private DockerfileException error(String problem) {
            return new DockerfileException(location, "failed to expand " + quote(text) + ": " + problem);
        }

        /**
         * Reads up to {@code stop} (consumed) or the end of the text; {@code rawEscapes} keeps the escape
         * characters in the result (inside {@code #}/{@code %}/{@code /} patterns, where they quote pattern characters).
         */
        private void processUntil(int stop, boolean rawEscapes, Output out) throws DockerfileException {
            while (peek() != EOF) {
                int ch = peek();
                if (stop != EOF && ch == stop) {
                    next();
                    return;
                }
                if (ch == '$') {
                    String value = dollar();
                    out.result.append(value);
                    out.addSplitting(value);
                } else if (ch == '\'' && quotes) {
                    String value = singleQuoted();
                    out.result.append(value);
                    out.addRaw(value);
                } else if (ch == '"' && quotes) {
                    String value = doubleQuoted(rawEscapes);
                    out.result.append(value);
                    out.addRaw(value);
                } else {
                    next();
                    if (ch == escape) {
                        if (rawEscapes) {
                            out.addRaw(ch);
                            out.result.appendCodePoint(ch);
                        }
                        ch = next();
                        if (ch == EOF) {
                            break; // an escape at the end of a word is dropped
                        }
                        out.addRaw(ch);
                    } else {
                        out.addSplitting(ch);
                    }
                    out.result.appendCodePoint(ch);
                }
            }
            if (stop != EOF) {
                throw error("unexpected end of statement while looking for matching " + Character.toString(stop));
            }
        }

        private String singleQuoted() throws DockerfileException {
            next();
            StringBuilder sb = new StringBuilder();
            while (true) {
                int ch = next();
                if (ch == EOF) {
                    throw error("unexpected end of statement while looking for matching single-quote");
                }
                if (ch == '\'') {
                    return sb.toString();
                }
                sb.appendCodePoint(ch);
            }
        }

        private String doubleQuoted(boolean rawEscapes) throws DockerfileException {
            next();
            StringBuilder sb = new StringBuilder();
            while (true) {
                int ch = peek();
                if (ch == EOF) {
                    throw error("unexpected end of statement while looking for matching double-quote");
                }
                if (ch == '"') {
                    next();
                    return sb.toString();
                }
                if (ch == '$') {
                    sb.append(dollar());
                    continue;
                }
                next();
                if (ch == escape) {
                    if (rawEscapes) {
                        sb.appendCodePoint(ch);
                    }
                    int following = peek();
                    if (following == EOF) {
                        continue; // dropped; the missing quote is reported next round
                    }
                    if (following == '"' || following == '$' || following == escape) {
                        ch = next();
                    }
                }
                sb.appendCodePoint(ch);
            }
        }

        private String dollar() throws DockerfileException {
            next(); // the $
            if (peek() != '{') {
                String name = name();
                if (name.isEmpty()) {
                    return "$";
                }
                return valueOf(name);
            }
            next(); // the {
            int first = peek();
            if (first == EOF) {
                throw error("syntax error: missing '}'");
            }
            if (first == '{' || first == '}' || first == ':') {
                throw error("syntax error: bad substitution");
            }
            String name = name();
            int ch = next();
            if (ch == EOF) {
                throw error("syntax error: missing '}'");
            }
            if (name.isEmpty()) {
                throw error("syntax error: bad substitution");
            }
            String modifier = Character.toString(ch);
            boolean nullIsUnset = false;
            switch (ch) {
                case '}' -> {
                    return valueOf(name);
                }
                case ':' -> {
                    nullIsUnset = true;
                    ch = next();
                    if (ch == EOF) {
                        throw error("syntax error: missing '}'");
                    }
                    modifier += Character.toString(ch);
                    if (ch != '-' && ch != '+' && ch != '?' && ch != '#' && ch != '%') {
                        throw error("unsupported modifier (" + modifier + ") in substitution");
                    }
                }
                case '-', '+', '?', '#', '%' -> {
                }
                case '/' -> {
                    return replace(name);
                }
                default -> throw error("unsupported modifier (" + modifier + ") in substitution");
            }
            Output inner = new Output();
            boolean rawEscapes = ch == '#' || ch == '%';
            processWord(inner, rawEscapes);
            String word = inner.result.toString();
            String value = lookup.apply(name);
            boolean unset = value == null || (nullIsUnset && value.isEmpty());
            switch (ch) {
                case '-' -> {
                    return unset ? word : value;
                }
                case '+' -> {
                    return unset ? "" : word;
                }
                case '?' -> {
                    if (value == null) {
                        throw error(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                    }
                    if (unset) {
                        throw error(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
                    }
                    return value;
                }
                default -> {
                    String v = value == null ? "" : value;
                    boolean greedy = !word.isEmpty() && word.codePointAt(0) == ch;
                    String pattern = greedy ? word.substring(1) : word;
                    return ch == '#' ? trimPrefix(v, pattern, greedy) : trimSuffix(v, pattern, greedy);
                }
            }
        }

        /** The word after a modifier, up to its closing brace. */
        private void processWord(Output inner, boolean rawEscapes) throws DockerfileException {
            try {
                processUntil('}', rawEscapes, inner);
            } catch (DockerfileException e) {
                if (peek() == EOF) {
                    throw error("syntax error: missing '}'");
                }
                throw e;
            }
        }

        private String replace(String name) throws DockerfileException {
            boolean all = peek() == '/';
            if (all) {
                next();
            }
            Output pattern = new Output();
            try {
                processUntil('/', true, pattern);
            } catch (DockerfileException e) {
                if (peek() == EOF) {
                    throw error("syntax error: missing '/' in ${}");
                }
                throw e;
            }
            Output replacement = new Output();
            processWord(replacement, true);
            String value = lookup.apply(name);
            String v = value == null ? "" : value;
            Pattern re = shellPattern(pattern.result.toString(), true, false);
            String with = replacement.result.toString();
            var m = re.matcher(v);
            if (all) {
                // Go's ReplaceAll: successive non-overlapping matches; an empty match right after a match is skipped.
                StringBuilder sb = new StringBuilder();
                int last = 0;
                int from = 0;
                int previousEnd = -1;
                while (from <= v.length() && m.find(from)) {
                    boolean empty = m.start() == m.end();
                    if (!(empty && m.start() == previousEnd)) {
                        sb.append(v, last, m.start()).append(with);
                        last = m.end();
                        previousEnd = m.end();
                    }
                    from = empty ? m.end() + 1 : m.end();
                }
                return sb.append(v, last, v.length()).toString();
            }
            if (m.find()) {
                return v.substring(0, m.start()) + with + v.substring(m.end());
            }
            return v;
        }

        private String trimPrefix(String value, String pattern, boolean greedy) throws DockerfileException {
            var m = shellPattern(pattern, greedy, true).matcher(value);
            return m.find() ? value.substring(m.end()) : value;
        }

        private String trimSuffix(String value, String pattern, boolean greedy) throws DockerfileException {
            // The shortest suffix is the one whose match starts last: try each start from the end (or the start, for greedy).
            Pattern re = shellPattern(pattern, true, false);
            if (greedy) {
                for (int start = 0; start <= value.length(); start++) {
                    if (re.matcher(value).region(start, value.length()).matches()) {
                        return value.substring(0, start);
                    }
                }
            } else {
                for (int start = value.length(); start >= 0; start--) {
                    if (re.matcher(value).region(start, value.length()).matches()) {
                        return value.substring(0, start);
                    }
                }
            }
            return value;
        }

        /** A shell pattern ({@code *}, {@code ?}, {@code \} quoting) as a regular expression. */
        private Pattern shellPattern(String pattern, boolean greedy, boolean anchored) throws DockerfileException {
            StringBuilder re = new StringBuilder(anchored ? "^" : "");
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                switch (c) {
                    case '*' -> re.append(greedy ? ".*" : ".*?");
                    case '?' -> re.append('.');
                    case '\\' -> {
                        char n = i + 1 < pattern.length() ? pattern.charAt(i + 1) : 0;
                        if (n == '}' || n == '/') {
                            continue; // quoted only for the ${} syntax
                        }
                        if (n != '*' && n != '?' && n != '\\') {
                            throw error("invalid pattern (" + pattern + ") in substitution: invalid escape '\\" + (n == 0 ? "" : n) + "'");
                        }
                        re.append('\\').append(n);
                        i++;
                    }
                    default -> re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            try {
                return Pattern.compile(re.toString(), Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw error("invalid pattern (" + pattern + ") in substitution");
            }
        }

        /** A variable name: letters, digits and {@code _}; or all the digits of a positional parameter; or one special parameter. */
        private String name() {
            StringBuilder name = new StringBuilder();
            while (peek() != EOF) {
                int ch = peek();
                if (name.isEmpty() && Character.isDigit(ch)) {
                    while (peek() != EOF && Character.isDigit(peek())) {
                        name.appendCodePoint(next());
                    }
                    return name.toString();
                }
                if (name.isEmpty() && "@*#?-$!0".indexOf(ch) >= 0) {
                    return Character.toString(next());
                }
                if (!Character.isLetterOrDigit(ch) && ch != '_') {
                    break;
                }
                name.appendCodePoint(next());
            }
            return name.toString();
        }

        private String valueOf(String name) {
            String v = lookup.apply(name);
            return v == null ? "" : v;
        }
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
