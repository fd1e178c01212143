package io.berth.engine.dockerfile;

import io.berth.engine.dockerfile.DockerfileLines.Where;
import io.berth.engine.dockerfile.DockerfileLines.Word;
import io.berth.engine.dockerfile.Instruction.Heredoc;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heredocs of {@code RUN}, {@code COPY} and {@code ADD}: the words of a line that open one
 * ({@code [n]<<[-]NAME}, a quoted name turning expansion off, {@code <<-} stripping leading tabs) and
 * their bodies, read from the lines after it up to the delimiter, as BuildKit's parser finds them.
 */
final class DockerfileHeredocs {
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");
    private static final Pattern LEADING_TABS = Pattern.compile("(?m)^\\t+");

    private DockerfileHeredocs() {
    }

    record HeredocHeader(String name, boolean expand, boolean chomp) {
    }

    /** The heredocs the words of a RUN/COPY/ADD line open, in order, with their bodies read from the following lines. */
    static List<Heredoc> heredocs(String line, Where where, DockerfileLines lines) throws DockerfileException {
        List<HeredocHeader> headers = new ArrayList<>();
        List<Location> opened = new ArrayList<>();
        for (Word w : rawShellWords(line)) {
            HeredocHeader h = heredocHeader(w.text());
            if (h != null) {
                headers.add(h);
                opened.add(where.at(w.offset()));
            }
        }
        List<Heredoc> heredocs = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            HeredocHeader h = headers.get(i);
            Location at = opened.get(i);
            StringBuilder content = new StringBuilder();
            boolean terminated = false;
            while (lines.hasNext()) {
                String l = lines.next();
                String candidate = h.chomp ? l.replaceFirst("^\\t+", "") : l;
                if (candidate.equals(h.name)) {
                    terminated = true;
                    break;
                }
                content.append(l).append('\n');
            }
            if (!terminated) {
                throw new DockerfileException(at, "unterminated heredoc: no line " + DockerfileWords.quote(h.name) + " ends the heredoc <<"
                        + (h.chomp ? "-" : "") + h.name + " before the end of the file");
            }
            String body = h.chomp ? LEADING_TABS.matcher(content).replaceAll("") : content.toString();
            heredocs.add(new Heredoc(h.name, body, h.expand, h.chomp));
        }
        return heredocs;
    }

    /** A word that opens a heredoc: {@code [n]<<[-]NAME} where NAME (quotes removed) is one word. */
    static HeredocHeader heredocHeader(String word) {
        Matcher m = HEREDOC.matcher(word);
        if (!m.matches() || m.group(3).isEmpty()) {
            return null;
        }
        String rest = m.group(3);
        List<String> unquoted = unquotedShellWords(rest);
        if (unquoted == null || unquoted.size() != 1) {
            return null;
        }
        String name = unquoted.getFirst();
        boolean expand = quoteCount(name) == quoteCount(rest);
        return new HeredocHeader(name, expand, m.group(2).equals("-"));
    }

    private static int quoteCount(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\'' || s.charAt(i) == '"') {
                n++;
            }
        }
        return n;
    }

    /** The line split on unquoted whitespace, quotes and backslashes kept (how Docker finds heredoc words). */
    private static List<Word> rawShellWords(String line) {
        List<Word> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int start = 0;
        int quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && DockerfileWords.isSpace(c)) {
                if (!word.isEmpty()) {
                    words.add(new Word(word.toString(), start));
                    word.setLength(0);
                }
                continue;
            }
            if (word.isEmpty()) {
                start = i;
            }
            word.append(c);
            if (quote == 0) {
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                }
            } else if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            }
        }
        if (quote != 0) {
            return List.of(); // Docker's lexer fails on the line and then finds no heredocs
        }
        if (!word.isEmpty()) {
            words.add(new Word(word.toString(), start));
        }
        return words;
    }

    /** Quote removal on a heredoc delimiter: its words, or null when a quote is unterminated. */
    private static List<String> unquotedShellWords(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0) {
                if (DockerfileWords.isSpace(c)) {
                    if (!word.isEmpty()) {
                        words.add(word.toString());
                        word.setLength(0);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\') {
                    if (i + 1 < text.length()) {
                        word.append(text.charAt(++i));
                    }
                } else {
                    word.append(c);
                }
            } else if (c == quote) {
                quote = 0;
            } else if (quote == '"' && c == '\\' && i + 1 < text.length()
                    && (text.charAt(i + 1) == '"' || text.charAt(i + 1) == '$' || text.charAt(i + 1) == '\\')) {
                word.append(text.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            return null;
        }
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }
}
