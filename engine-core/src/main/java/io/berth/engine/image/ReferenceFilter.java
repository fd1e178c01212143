package io.berth.engine.image;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Docker's {@code reference} filter of {@code GET /images/json}: a pattern matches a reference when it matches
 * the reference's familiar form ({@code busybox:1}, {@code localhost:5000/app@sha256:…}) or its familiar name
 * alone ({@code busybox}). Patterns are shell globs as Go's {@code path.Match} reads them: {@code *} and
 * {@code ?} never cross a {@code /}, {@code [a-z]} and {@code [^a-z]} are classes, {@code \} escapes.
 */
final class ReferenceFilter {
    private final List<Pattern> patterns;

    /** @throws IllegalArgumentException naming the first malformed pattern (an unclosed class) */
    ReferenceFilter(List<String> patterns) {
        this.patterns = patterns.stream().map(ReferenceFilter::compile).toList();
    }

    /** Whether any pattern matches {@code familiarReference} or its name without tag or digest. */
    boolean matches(String familiarReference) {
        String name = nameOf(familiarReference);
        for (Pattern p : patterns) {
            if (p.matcher(familiarReference).matches() || p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    static String nameOf(String familiarReference) {
        int at = familiarReference.indexOf('@');
        String name = at < 0 ? familiarReference : familiarReference.substring(0, at);
        int colon = name.lastIndexOf(':');
        // A colon before the last slash is a registry's port, not a tag.
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append("[^/]*");
                case '?' -> regex.append("[^/]");
                case '\\' -> {
                    if (++i == glob.length()) {
                        throw new IllegalArgumentException("invalid reference pattern " + glob + ": ends with \\");
                    }
                    regex.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        throw new IllegalArgumentException("invalid reference pattern " + glob + ": unclosed [");
                    }
                    String body = glob.substring(i + 1, end);
                    boolean negated = body.startsWith("^");
                    if (negated) {
                        body = body.substring(1);
                    }
                    regex.append(negated ? "[^" : "[");
                    for (char k : body.toCharArray()) {
                        regex.append(k == '-' ? "-" : Character.isLetterOrDigit(k) ? String.valueOf(k) : "\\" + k);
                    }
                    regex.append(']');
                    i = end;
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
