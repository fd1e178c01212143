package io.berth.engine.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which of the build's own files — {@code .dockerignore} and the Dockerfile — its {@code .dockerignore}
 * excludes. A client sends both even when excluded (the builder must read them), and Docker's builder then
 * removes the excluded ones from what {@code COPY}/{@code ADD} see. The client filtered every other file
 * already, so only these two names are ever matched here, with the pattern rules of Docker's
 * {@code .dockerignore}: one pattern a line, {@code #} comments, {@code !} exceptions, the last matching
 * pattern decides, a pattern matching a parent directory matches what is under it, {@code *} and
 * {@code ?} within one path element, {@code **} across elements, {@code [...]} classes, {@code \} escapes.
 */
final class BuildFilesIgnore {
    private record Rule(Pattern pattern, boolean exception) {
    }

    private BuildFilesIgnore() {
    }

    /** The context-relative names of the build files the context's {@code .dockerignore} excludes. */
    static List<String> excluded(Path contextRoot, String dockerfileName) throws IOException {
        Path ignoreFile = contextRoot.resolve(".dockerignore");
        if (!Files.isRegularFile(ignoreFile, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Rule> rules = parse(Files.readString(ignoreFile));
        List<String> out = new ArrayList<>();
        for (String name : List.of(".dockerignore", BuildContext.cleanSource(dockerfileName))) {
            if (!out.contains(name) && excludes(rules, name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static List<Rule> parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exception = line.startsWith("!");
            if (exception) {
                line = line.substring(1).strip();
            }
            String clean = clean(line);
            if (clean.isEmpty()) {
                continue;
            }
            rules.add(new Rule(Pattern.compile(DockerGlob.toRegex(clean)), exception));
        }
        return rules;
    }

    private static boolean excludes(List<Rule> rules, String name) {
        List<String> candidates = new ArrayList<>();
        candidates.add(name);
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            candidates.add(name.substring(0, slash)); // a pattern naming a parent directory covers the file
        }
        boolean excluded = false;
        for (Rule rule : rules) {
            if (candidates.stream().anyMatch(c -> rule.pattern().matcher(c).matches())) {
                excluded = !rule.exception();
            }
        }
        return excluded;
    }

    /** Go's {@code filepath.Clean} of a pattern, then relative to the context's root. */
    private static String clean(String pattern) {
        List<String> parts = new ArrayList<>();
        for (String part : pattern.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
                continue;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }
}
