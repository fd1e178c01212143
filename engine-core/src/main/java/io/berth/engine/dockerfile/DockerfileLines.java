package io.berth.engine.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile's text as lines (BOM, {@code \r} and the final newline removed), read one after another:
 * the parser directives at the top, then logical lines (continuations joined, comments and empty lines
 * inside them skipped), each with where its characters came from; heredoc bodies are read from here too.
 */
final class DockerfileLines {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Set<String> KNOWN_DIRECTIVES = Set.of("escape", "syntax", "check");

    final String file;
    final String[] lines;
    final int firstLine;
    /** The column the text's first line starts at (1 for a file). */
    int firstColumn = 1;
    int index;

    DockerfileLines(String file, String text, int firstLine) {
        this.file = file;
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] split = text.split("\n", -1);
        int n = split.length;
        if (n > 0 && split[n - 1].isEmpty()) {
            n--; // the text's final newline ends the last line; it does not start another
        }
        this.lines = new String[n];
        for (int i = 0; i < n; i++) {
            String l = split[i];
            lines[i] = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
        }
        this.firstLine = firstLine;
    }

    boolean hasNext() {
        return index < lines.length;
    }

    String peek() {
        return lines[index];
    }

    /** @return the line number of the line {@link #next()} returns */
    int lineNumber() {
        return firstLine + index;
    }

    String next() {
        return lines[index++];
    }

    int count() {
        return lines.length;
    }

    /**
     * The official Dockerfile frontend, which berth's own parser stands in for: {@code docker/dockerfile}
     * or {@code docker/dockerfile-upstream}, optionally under {@code docker.io/}, untagged or tagged
     * {@code 1}, {@code 1.7}, {@code 1.7.1}, each optionally {@code -labs}, or {@code labs},
     * {@code latest}, {@code master}, {@code 1.0-experimental}, optionally pinned by digest.
     */
    private static final Pattern OFFICIAL_FRONTEND = Pattern.compile(
            "^(docker\\.io/)?docker/dockerfile(-upstream)?"
                    + "(:(1(\\.[0-9]+){0,2}(-labs|-experimental)?|labs|latest|master|experimental))?"
                    + "(@sha256:[0-9a-f]{64})?$");

    /** Whether a {@code # syntax=} value names the official frontend (see {@link #OFFICIAL_FRONTEND}). */
    static boolean isOfficialFrontend(String value) {
        return OFFICIAL_FRONTEND.matcher(value.strip()).matches();
    }

    /** Reads the parser directives at the top into {@code directives}; @return the escape character they set */
    char readDirectives(Map<String, String> directives) throws DockerfileException {
        DockerfileLines lines = this;
        char escape = '\\';
        while (lines.hasNext()) {
            String line = DockerfileWords.trimLeft(lines.peek());
            Matcher m = DIRECTIVE.matcher(line);
            if (!m.matches()) {
                break;
            }
            String key = m.group(1).toLowerCase(Locale.ROOT);
            if (!KNOWN_DIRECTIVES.contains(key)) {
                break; // an unknown directive is a comment, and ends the directives
            }
            int number = lines.lineNumber();
            Location at = new Location(lines.file, number, lines.peek().length() - line.length() + 1);
            if (directives.containsKey(key)) {
                throw new DockerfileException(at, "only one " + key + " parser directive can be used");
            }
            String value = m.group(2);
            if (key.equals("escape")) {
                if (!value.equals("\\") && !value.equals("`")) {
                    throw new DockerfileException(at, "invalid escape token '" + value + "' does not match ` or \\");
                }
                escape = value.charAt(0);
            }
            if (key.equals("syntax") && !isOfficialFrontend(value)) {
                throw new DockerfileException(at, "unsupported frontend " + DockerfileWords.quote(value) + " in the syntax directive: berth parses "
                        + "Dockerfiles itself and accepts only docker/dockerfile (e.g. docker/dockerfile:1); remove the line or name that frontend");
            }
            directives.put(key, value);
            lines.next();
        }
        return escape;
    }

    /** One logical line, continuations joined, and where each of its characters came from. */
    record LogicalLine(String text, Where where) {
    }

    /** Reads the next logical line; {@code null} at the end of the text. */
    LogicalLine nextLogical(char escape) {
        DockerfileLines lines = this;
        while (lines.hasNext()) {
            int number = lines.lineNumber();
            String raw = lines.next();
            String first = DockerfileWords.trimLeft(raw);
            if (first.startsWith("#")) {
                continue;
            }
            Continued c = trimContinuation(first, escape);
            if (!c.continues && c.text.isEmpty()) {
                continue;
            }
            int startColumn = number == lines.firstLine ? lines.firstColumn : 1;
            StringBuilder line = new StringBuilder(c.text);
            List<int[]> pieces = new ArrayList<>(); // {offset in the logical line, line number, column}
            pieces.add(new int[] {0, number, startColumn + raw.length() - first.length()});
            boolean continues = c.continues;
            while (continues && lines.hasNext()) {
                int moreNumber = lines.lineNumber();
                String more = lines.next();
                String trimmed = DockerfileWords.trimLeft(more);
                if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                    continue; // comments and empty lines inside a continuation are skipped, as Docker does
                }
                c = trimContinuation(more, escape);
                pieces.add(new int[] {line.length(), moreNumber, 1});
                line.append(c.text);
                continues = c.continues;
            }
            if (line.toString().isBlank()) {
                continue;
            }
            String file = lines.file;
            Where where = offset -> {
                int[] piece = pieces.getFirst();
                for (int[] p : pieces) {
                    if (p[0] <= offset) {
                        piece = p;
                    }
                }
                return new Location(file, piece[1], piece[2] + offset - piece[0]);
            };
            return new LogicalLine(line.toString(), where);
        }
        return null;
    }

    private record Continued(String text, boolean continues) {
    }

    /** Where a character of the text being parsed came from in the file, by its offset in that text. */
    @FunctionalInterface
    interface Where {
        Location at(int offset);

        default Where from(int offset) {
            return o -> at(offset + o);
        }
    }

    /** A word and its offset in the text it was split from. */
    record Word(String text, int offset) {
    }

    /**
     * A line ends in the escape character (optionally followed by blanks) when it continues on the next
     * line, unless that escape character is itself escaped.
     */
    private static Continued trimContinuation(String line, char escape) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end == 0 || line.charAt(end - 1) != escape) {
            return new Continued(line, false);
        }
        if (end >= 2 && line.charAt(end - 2) == escape) {
            return new Continued(line, false);
        }
        return new Continued(line.substring(0, end - 1), true);
    }
}
