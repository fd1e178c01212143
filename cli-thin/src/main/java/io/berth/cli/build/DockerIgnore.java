package io.berth.cli.build;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .dockerignore} file: which paths of a build context are left out of the context tar, with
 * Docker's rules (the {@code moby/patternmatcher} semantics the docker CLI uses).
 *
 * <ul>
 *   <li>One pattern a line. A line starting with {@code #} is a comment; blank lines are skipped;
 *       leading and trailing whitespace is removed. {@code !} makes a pattern an exception.</li>
 *   <li>Patterns are cleaned like Go's {@code filepath.Clean} ({@code a//b/../c/} is {@code a/c}) and a
 *       leading {@code /} is dropped: every pattern is relative to the context's root.</li>
 *   <li>{@code *} is any run of characters but {@code /}, {@code ?} one character but {@code /},
 *       {@code [...]} a character class ({@code [^...]} negated, ranges, {@code \} escapes),
 *       {@code **} any number of directories (zero included), {@code \} escapes the next character.</li>
 *   <li>The last pattern that matches a path decides; a pattern also matches every path under a
 *       directory it matched. So {@code dir} then {@code !dir/keep} excludes all of {@code dir} but
 *       {@code dir/keep}. As in Docker, a path's parent directories are decided first, from the root
 *       down, and an exception tried on no parent (because nothing had matched there yet) is not
 *       carried to the children: {@code x/**}{@code /keep}, {@code !x} still excludes {@code x/y/keep}.</li>
 *   <li>Docker does not descend into an excluded directory unless an exception pattern starts with
 *       that directory's path ({@link #mayIncludeUnder}); a walker should ask that before skipping one.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class DockerIgnore {
    private final List<Rule> rules;
    private final boolean hasExceptions;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.hasExceptions = rules.stream().anyMatch(r -> r.exception);
    }

    /** A {@code .dockerignore} that excludes nothing. */
    public static DockerIgnore none() {
        return new DockerIgnore(List.of());
    }

    /**
     * Reads a {@code .dockerignore} text.
     *
     * @throws IllegalArgumentException a malformed pattern (an unclosed {@code [}, a trailing {@code \},
     *                                  a lone {@code !}), naming its line
     */
    public static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.startsWith("#")) {
                continue;
            }
            String pattern = line.strip();
            if (pattern.isEmpty()) {
                continue;
            }
            boolean exception = pattern.charAt(0) == '!';
            if (exception) {
                pattern = pattern.substring(1).strip();
                if (pattern.isEmpty()) {
                    throw new IllegalArgumentException(".dockerignore line " + number + ": illegal exclusion pattern: \"!\"");
                }
            }
            pattern = clean(pattern);
            if (pattern.length() > 1 && pattern.charAt(0) == '/') {
                pattern = pattern.substring(1);
            }
            try {
                rules.add(new Rule(pattern, exception));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(".dockerignore line " + number + ": " + e.getMessage() + " in pattern " + quote(line.strip()));
            }
        }
        return new DockerIgnore(rules);
    }

    /**
     * @param relativePath a path in the context, relative to its root ({@code src/main.c}); cleaned first
     * @param isDirectory  whether the path is a directory (Docker's patterns match both alike; a pattern's
     *                     trailing {@code /} is cleaned away)
     * @return whether the path is left out of the context
     */
    public boolean excludes(String relativePath, boolean isDirectory) {
        String path = relative(relativePath);
        if (path.equals(".")) {
            return false; // the context's root is always sent
        }
        // Docker decides a path from its parent directory's results, walking down from the root: a
        // pattern that matched a parent matches its children; the others are tried on the path itself.
        boolean[] parentMatched = null;
        boolean matched = false;
        int end = -1;
        do {
            end = path.indexOf('/', end + 1);
            String prefix = end < 0 ? path : path.substring(0, end);
            boolean[] matchedHere = new boolean[rules.size()];
            matched = false;
            for (int i = 0; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                boolean match = parentMatched != null && parentMatched[i];
                if (!match) {
                    // an exception cannot change an unmatched path, nor an exclusion a matched one
                    if (rule.exception != matched) {
                        continue;
                    }
                    match = rule.matches(prefix);
                }
                matchedHere[i] = match;
                if (match) {
                    matched = !rule.exception;
                }
            }
            parentMatched = matchedHere;
        } while (end >= 0);
        return matched;
    }

    /**
     * Whether an excluded directory must still be walked: true when an exception pattern starts with the
     * directory's path ({@code !dir/keep} for {@code dir}), Docker's rule; paths found under it are then
     * checked one by one with {@link #excludes}.
     */
    public boolean mayIncludeUnder(String dir) {
        if (!hasExceptions) {
            return false;
        }
        String dirSlash = relative(dir) + "/";
        for (Rule rule : rules) {
            if (rule.exception && (rule.pattern + "/").startsWith(dirSlash)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The same rules with an exception for {@code relativePath} added when it would be excluded, as the
     * docker CLI does for the Dockerfile and {@code .dockerignore} itself, which are always sent.
     */
    public DockerIgnore keeping(String relativePath) {
        String path = relative(relativePath);
        if (!excludes(path, false)) {
            return this;
        }
        List<Rule> more = new ArrayList<>(rules);
        more.add(new Rule(path, true));
        return new DockerIgnore(more);
    }

    /** @return the patterns, cleaned, exceptions with their {@code !}, in file order */
    public List<String> patterns() {
        return rules.stream().map(r -> (r.exception ? "!" : "") + r.pattern).toList();
    }

    @Override
    public String toString() {
        return "DockerIgnore" + patterns();
    }

    private static String relative(String path) {
        String p = clean(path.replace('\\', '/'));
        while (p.startsWith("/")) {
            p = p.length() == 1 ? "." : p.substring(1);
        }
        return p;
    }

    /** Go's {@code filepath.Clean} for {@code /}-separated paths. */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.charAt(0) == '/';
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) {
                    out.removeLast();
                } else if (!rooted) {
                    out.add("..");
                }
                continue;
            }
            out.add(part);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** One pattern, compiled the way moby's patternmatcher does (with its literal, prefix and suffix shortcuts). */
    private static final class Rule {
        private enum Kind { EXACT, PREFIX, SUFFIX, REGEX }

        final String pattern;
        final boolean exception;
        private final Kind kind;
        private final Pattern regex;

        Rule(String pattern, boolean exception) {
            this.pattern = pattern;
            this.exception = exception;
            StringBuilder re = new StringBuilder("^");
            Kind k = Kind.EXACT;
            int n = pattern.length();
            for (int i = 0; i < n; i++) {
                char c = pattern.charAt(i);
                if (c == '*') {
                    if (i + 1 < n && pattern.charAt(i + 1) == '*') {
                        int start = i;
                        i++;
                        if (i + 1 < n && pattern.charAt(i + 1) == '/') {
                            i++; // "**/" is "**"
                        }
                        if (i + 1 >= n) {
                            if (k == Kind.EXACT) {
                                k = Kind.PREFIX;
                            } else {
                                re.append(".*");
                                k = Kind.REGEX;
                            }
                        } else {
                            re.append("(.*/)?");
                            k = Kind.REGEX;
                        }
                        if (start == 0) {
                            k = Kind.SUFFIX;
                        }
                    } else {
                        re.append("[^/]*");
                        k = Kind.REGEX;
                    }
                } else if (c == '?') {
                    re.append("[^/]");
                    k = Kind.REGEX;
                } else if (c == '\\') {
                    if (i + 1 >= n) {
                        throw new IllegalArgumentException("syntax error (a trailing \\)");
                    }
                    re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
                    k = Kind.REGEX;
                } else if (c == '[') {
                    i = characterClass(pattern, i, re);
                    k = Kind.REGEX;
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            this.kind = k;
            re.append('$');
            this.regex = k == Kind.REGEX || k == Kind.SUFFIX ? Pattern.compile(re.toString()) : null;
        }

        /** Translates {@code [...]} starting at {@code open}; returns the index of its {@code ]}. */
        private static int characterClass(String p, int open, StringBuilder re) {
            int i = open + 1;
            StringBuilder cls = new StringBuilder("[");
            if (i < p.length() && p.charAt(i) == '^') {
                cls.append('^');
                i++;
            }
            int ranges = 0;
            while (true) {
                if (i >= p.length()) {
                    throw new IllegalArgumentException("syntax error (an unclosed [)");
                }
                if (p.charAt(i) == ']' && ranges > 0) {
                    break;
                }
                int[] lo = classChar(p, i);
                cls.append(escapeInClass(lo[0]));
                i = lo[1];
                if (i < p.length() && p.charAt(i) == '-') {
                    int[] hi = classChar(p, i + 1);
                    if (hi[0] < lo[0]) {
                        throw new IllegalArgumentException("syntax error (a backwards range)");
                    }
                    cls.append('-').append(escapeInClass(hi[0]));
                    i = hi[1];
                }
                ranges++;
            }
            re.append(cls).append(']');
            return i;
        }

        /** One character of a class at {@code i}: {value, next index}. */
        private static int[] classChar(String p, int i) {
            if (i >= p.length() || p.charAt(i) == '-' || p.charAt(i) == ']') {
                throw new IllegalArgumentException("syntax error in a [...] class");
            }
            if (p.charAt(i) == '\\') {
                i++;
                if (i >= p.length()) {
                    throw new IllegalArgumentException("syntax error (a trailing \\)");
                }
            }
            return new int[] {p.charAt(i), i + 1};
        }

        private static String escapeInClass(int c) {
            return String.format("\\x{%x}", c);
        }

        boolean matches(String path) {
            return switch (kind) {
                case EXACT -> path.equals(pattern);
                case PREFIX -> path.startsWith(pattern.substring(0, pattern.length() - 2));
                case SUFFIX -> {
                    String suffix = pattern.substring(2);
                    if (regexSuffixOnly(suffix)) {
                        yield path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
                    }
                    yield regex.matcher(path).matches();
                }
                case REGEX -> regex.matcher(path).matches();
            };
        }

        /** A pattern {@code **…} whose rest is literal is matched as a suffix, as Docker does. */
        private static boolean regexSuffixOnly(String suffix) {
            return suffix.chars().noneMatch(c -> c == '*' || c == '?' || c == '[' || c == '\\');
        }
    }
}
