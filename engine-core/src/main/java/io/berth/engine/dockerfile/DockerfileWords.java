package io.berth.engine.dockerfile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.berth.engine.dockerfile.DockerfileLines.Where;
import io.berth.engine.dockerfile.DockerfileLines.Word;
import io.berth.engine.dockerfile.Instruction.ArgDeclaration;
import io.berth.engine.dockerfile.Instruction.CommandLine;
import io.berth.engine.dockerfile.Instruction.Flag;
import io.berth.engine.dockerfile.Instruction.KeyValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The words of an instruction's arguments, as Docker's parser splits them: the exec (JSON) form, the
 * quoted words of ENV, LABEL and ARG ({@code key=value}, quotes and escapes kept for expansion), and the
 * leading {@code --name[=value]} flags, checked against the flags each instruction takes.
 */
final class DockerfileWords {
    /** Docker splits the keyword, FROM, EXPOSE and shell-form COPY/ADD/VOLUME on these (not on newlines or Unicode spaces). */
    static final Pattern WHITESPACE = Pattern.compile("[\\t\\u000B\\f\\r ]+");
    private static final JsonFactory JSON = new JsonFactory();

    /** The flags each instruction accepts: name to kind. */
    private static final Map<String, Map<String, FlagKind>> FLAGS = Map.of(
            "FROM", Map.of("platform", FlagKind.STRING),
            "RUN", Map.of("mount", FlagKind.REPEATED, "network", FlagKind.STRING, "security", FlagKind.STRING),
            "ADD", Map.of("chown", FlagKind.STRING, "chmod", FlagKind.STRING, "checksum", FlagKind.STRING,
                    "keep-git-dir", FlagKind.BOOLEAN, "link", FlagKind.BOOLEAN, "exclude", FlagKind.REPEATED),
            "COPY", Map.of("from", FlagKind.STRING, "chown", FlagKind.STRING, "chmod", FlagKind.STRING,
                    "link", FlagKind.BOOLEAN, "parents", FlagKind.BOOLEAN, "exclude", FlagKind.REPEATED),
            "HEALTHCHECK", Map.of("interval", FlagKind.STRING, "timeout", FlagKind.STRING, "start-period", FlagKind.STRING,
                    "start-interval", FlagKind.STRING, "retries", FlagKind.STRING));

    private enum FlagKind { STRING, REPEATED, BOOLEAN }

    private DockerfileWords() {
    }

    /** RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD: a JSON array of strings is the exec form; anything else is the shell form. */
    static CommandLine maybeJson(String rest, String keyword, Location at) throws DockerfileException {
        if (rest.isEmpty()) {
            return new CommandLine(false, List.of()); // Docker accepts a bare CMD/RUN/ENTRYPOINT: no words
        }
        JsonArray json = parseJson(rest, at);
        return json.words != null ? new CommandLine(true, json.words) : new CommandLine(false, List.of(rest));
    }

    static List<String> jsonOrWords(String rest, Location at) throws DockerfileException {
        JsonArray json = parseJson(rest, at);
        return json.words != null ? json.words : words(rest);
    }

    static List<String> words(String rest) {
        return rest.isEmpty() ? List.of() : List.of(WHITESPACE.split(rest));
    }

    /** A JSON array of strings ({@code words}), or why the text is not one ({@code problem}, words null). */
    record JsonArray(List<String> words, String problem) {
    }

    /**
     * Docker's JSON form: text starting with {@code [} that decodes as a JSON array (what follows the
     * array is ignored, as Go's decoder does). An array holding anything but strings is an error.
     */
    static JsonArray parseJson(String rest, Location at) throws DockerfileException {
        String text = trimLeft(rest);
        if (!text.startsWith("[")) {
            return new JsonArray(null, null);
        }
        List<String> words = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            p.nextToken();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    return new JsonArray(null, "unterminated JSON array");
                }
                if (t != JsonToken.VALUE_STRING) {
                    if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                        p.skipChildren();
                    }
                    throw new DockerfileException(at, "when using JSON array syntax, arrays must be comprised of strings only");
                }
                words.add(p.getText());
            }
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            return new JsonArray(null, "unterminated JSON array");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new JsonArray(null, "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new JsonArray(null, "invalid JSON: " + e.getMessage());
        }
        return new JsonArray(words, null);
    }

    // ---- ENV, LABEL, ARG

    /**
     * Splits on unquoted whitespace, keeping quotes and escapes in the words (Docker's {@code parseWords});
     * an unterminated quote is an error here rather than later at expansion.
     */
    static List<String> quotedWords(String rest, char escape, String keyword, Location at) throws DockerfileException {
        return quotedWords(rest, escape, keyword, o -> at).stream().map(Word::text).toList();
    }

    static List<Word> quotedWords(String rest, char escape, String keyword, Where where) throws DockerfileException {
        List<Word> words = new ArrayList<>();
        int start = 0;
        int quoteAt = 0;
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        int quote = 0;
        int n = rest.length();
        for (int pos = 0; pos < n; ) {
            int ch = rest.codePointAt(pos);
            int width = Character.charCount(ch);
            if (quote == 0) {
                if (isSpace(ch)) {
                    if (inWord && (blankOk || !word.isEmpty())) {
                        words.add(new Word(word.toString(), start));
                    }
                    inWord = false;
                    word.setLength(0);
                    blankOk = false;
                    pos += width;
                    continue;
                }
                if (!inWord) {
                    start = pos;
                }
                inWord = true;
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    quoteAt = pos;
                    blankOk = true;
                }
                if (ch == escape) {
                    if (pos + width == n) {
                        pos += width;
                        continue; // an escape at the very end is dropped
                    }
                    word.appendCodePoint(ch);
                    pos += width;
                    ch = rest.codePointAt(pos);
                    width = Character.charCount(ch);
                }
                word.appendCodePoint(ch);
                pos += width;
            } else {
                if (ch == quote) {
                    quote = 0;
                } else if (ch == escape && quote != '\'') {
                    if (pos + width == n) {
                        quote = 0;
                        pos += width;
                        continue;
                    }
                    word.appendCodePoint(ch);
                    pos += width;
                    ch = rest.codePointAt(pos);
                    width = Character.charCount(ch);
                }
                word.appendCodePoint(ch);
                pos += width;
            }
        }
        if (quote != 0) {
            throw new DockerfileException(where.at(quoteAt), keyword + ": unterminated " + (quote == '"' ? "double" : "single")
                    + " quote in " + word);
        }
        if (inWord && (blankOk || !word.isEmpty())) {
            words.add(new Word(word.toString(), start));
        }
        return words;
    }

    /** ENV and LABEL: {@code k=v …}, or the legacy {@code k v with spaces} when the first word has no {@code =}. */
    static List<KeyValue> keyValues(String rest, String keyword, char escape, Location at, Where where) throws DockerfileException {
        List<Word> words = quotedWords(rest, escape, keyword, where);
        if (words.isEmpty()) {
            throw new DockerfileException(at, keyword + " requires at least one argument");
        }
        List<KeyValue> pairs = new ArrayList<>();
        if (!words.getFirst().text().contains("=")) {
            String[] parts = WHITESPACE.split(rest, 2);
            if (parts.length < 2 || parts[1].isEmpty()) {
                throw new DockerfileException(at, keyword + " must have two arguments (" + keyword + " key=value, or the legacy "
                        + keyword + " key value)");
            }
            pairs.add(new KeyValue(parts[0], parts[1]));
            return pairs;
        }
        for (Word word : words) {
            String w = word.text();
            int eq = w.indexOf('=');
            if (eq < 0) {
                throw new DockerfileException(where.at(word.offset()), "Syntax error - can't find = in " + quote(w) + ". Must be of the form: name=value");
            }
            if (eq == 0) {
                throw new DockerfileException(where.at(word.offset()), keyword + " names can not be blank");
            }
            pairs.add(new KeyValue(w.substring(0, eq), w.substring(eq + 1)));
        }
        return pairs;
    }

    static List<ArgDeclaration> args(String rest, char escape, Location at, Where where) throws DockerfileException {
        List<Word> words = quotedWords(rest, escape, "ARG", where);
        if (words.isEmpty()) {
            throw new DockerfileException(at, "ARG requires at least one argument");
        }
        List<ArgDeclaration> args = new ArrayList<>();
        for (Word word : words) {
            String w = word.text();
            int eq = w.indexOf('=');
            if (eq == 0) {
                throw new DockerfileException(where.at(word.offset()), "ARG names can not be blank");
            }
            args.add(eq < 0 ? new ArgDeclaration(w, Optional.empty())
                    : new ArgDeclaration(w.substring(0, eq), Optional.of(w.substring(eq + 1))));
        }
        return args;
    }

    // ---- flags

    record FlagsAndRest(List<Word> flags, String rest) {
    }

    /**
     * The leading {@code --name[=value]} words (Docker's {@code extractBuilderFlags}): quotes and
     * backslash escapes in them are processed; {@code --} ends them.
     */
    static FlagsAndRest extractFlags(String line) {
        List<Word> words = new ArrayList<>();
        int start = 0;
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        int quote = 0;
        int n = line.length();
        for (int pos = 0; pos <= n; pos++) {
            char ch = pos < n ? line.charAt(pos) : 0;
            if (!inWord) {
                if (pos == n) {
                    break;
                }
                if (isSpace(ch)) {
                    continue;
                }
                if (ch != '-' || pos + 1 == n || line.charAt(pos + 1) != '-') {
                    return new FlagsAndRest(words, line.substring(pos));
                }
                inWord = true;
                start = pos;
            }
            if (pos == n) {
                if (!word.toString().equals("--") && (blankOk || !word.isEmpty())) {
                    words.add(new Word(word.toString(), start));
                }
                break;
            }
            if (quote == 0) {
                if (isSpace(ch)) {
                    inWord = false;
                    if (word.toString().equals("--")) {
                        return new FlagsAndRest(words, line.substring(pos));
                    }
                    if (blankOk || !word.isEmpty()) {
                        words.add(new Word(word.toString(), start));
                    }
                    word.setLength(0);
                    blankOk = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    continue;
                }
                if (ch == '\\') {
                    if (pos + 1 == n) {
                        continue;
                    }
                    ch = line.charAt(++pos);
                }
                word.append(ch);
            } else {
                if (ch == quote) {
                    quote = 0;
                    continue;
                }
                if (ch == '\\') {
                    if (pos + 1 == n) {
                        quote = 0;
                        continue;
                    }
                    ch = line.charAt(++pos);
                }
                word.append(ch);
            }
        }
        return new FlagsAndRest(words, "");
    }

    static List<Flag> flags(String keyword, List<Word> raw, Where where) throws DockerfileException {
        Map<String, FlagKind> allowed = FLAGS.getOrDefault(keyword, Map.of());
        List<Flag> flags = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Word w : raw) {
            Location at = where.at(w.offset());
            String body = w.text().substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            FlagKind kind = allowed.get(name);
            if (kind == null) {
                String known = allowed.isEmpty() ? keyword + " takes no flags"
                        : keyword + " takes " + allowed.keySet().stream().sorted().map(k -> "--" + k).reduce((a, b) -> a + ", " + b).orElse("");
                throw new DockerfileException(at, "unknown flag --" + name + " for " + keyword + " (" + known + ")");
            }
            String value;
            if (eq < 0) {
                if (kind != FlagKind.BOOLEAN) {
                    throw new DockerfileException(at, "missing a value on flag --" + name + " of " + keyword + " (--" + name + "=VALUE)");
                }
                value = "true";
            } else {
                value = body.substring(eq + 1);
                if (kind == FlagKind.BOOLEAN) {
                    if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                        throw new DockerfileException(at, "expecting boolean value for flag --" + name + " of " + keyword + ", not: " + value);
                    }
                    value = value.toLowerCase(Locale.ROOT);
                }
            }
            if (kind != FlagKind.REPEATED && !seen.add(name)) {
                throw new DockerfileException(at, "duplicate flag specified: --" + name + " of " + keyword);
            }
            flags.add(new Flag(name, value));
        }
        return flags;
    }

    /** Go's {@code unicode.IsSpace}. */
    static boolean isSpace(int c) {
        return switch (c) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0 -> true;
            default -> c > 0xFF && Character.isSpaceChar(c);
        };
    }

    static String trimLeft(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
