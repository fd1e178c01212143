package io.berth.engine.build;

import java.util.regex.Pattern;

/**
 * The path patterns of {@code .dockerignore} and {@code COPY --exclude} (Docker's pattern matcher, which extends
 * Go's {@code filepath.Match}): {@code *} and {@code ?} stay within one path component, {@code **} crosses them
 * ({@code **}{@code /} also matching no directory at all), {@code [set]} with {@code ^} or {@code !} negating it,
 * and {@code \} escaping the next character.
 */
final class DockerGlob {
    private DockerGlob() {
    }

    /** The regular expression that matches what {@code glob} matches (whole paths, without a leading slash). */
    static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                        i++;
                        re.append("(?:.*/)?"); // "**/" is any number of directories, none included
                    } else {
                        re.append(".*");
                    }
                } else {
                    re.append("[^/]*");
                }
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '\\' && i + 1 < glob.length()) {
                re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
            } else if (c == '[') {
                int close = glob.indexOf(']', i + 2);
                if (close < 0) {
                    re.append("\\[");
                } else {
                    String set = glob.substring(i + 1, close);
                    boolean negated = set.startsWith("^") || set.startsWith("!");
                    re.append('[').append(negated ? "^" : "").append((negated ? set.substring(1) : set).replace("[", "\\["))
                            .append(']');
                    i = close;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
