package io.berth.engine.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code COPY --exclude} and {@code COPY --parents}, apart from the copy itself.
 *
 * <p>An exclude pattern is written like a source: relative to the context (or the {@code --from}
 * tree), {@code *} and {@code ?} within one path component, {@code **} across components, a leading
 * {@code ./} or {@code /} ignored. A path is excluded when the pattern matches it or one of its
 * parent directories, whether the path is taken from the tree's root or from the source directory
 * being copied ({@code COPY --exclude=*.md docs/ /d/} leaves {@code docs/README.md} out).
 *
 * <p>{@code --parents} keeps a source's directories under the destination ({@code x/a.txt} lands at
 * {@code DEST/x/a.txt}); a {@code /./} in the source ({@code x/./y/a.txt}) keeps only what follows it.
 */
final class CopyFilters {
    private final List<Pattern> excludes;

    CopyFilters(List<String> patterns) {
        List<Pattern> compiled = new ArrayList<>();
        for (String p : patterns) {
            String clean = p.replace('\\', '/').replaceFirst("^(\\./)+", "").replaceFirst("^/+", "");
            while (clean.endsWith("/")) {
                clean = clean.substring(0, clean.length() - 1);
            }
            if (clean.isEmpty()) {
                throw new BuildException("COPY --exclude=" + p + ": an empty pattern would exclude everything");
            }
            compiled.add(Pattern.compile(DockerGlob.toRegex(clean)));
        }
        this.excludes = List.copyOf(compiled);
    }

    boolean isEmpty() {
        return excludes.isEmpty();
    }

    /** Whether a path (relative, {@code /}-separated) or one of its parents matches an exclude pattern. */
    boolean excludes(String relative) {
        if (excludes.isEmpty() || relative.isEmpty()) {
            return false;
        }
        String path = relative;
        while (true) {
            for (Pattern p : excludes) {
                if (p.matcher(path).matches()) {
                    return true;
                }
            }
            int slash = path.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            path = path.substring(0, slash);
        }
    }

    /**
     * A copy of a source directory without its excluded entries, in {@code scratch}.
     *
     * @param treePath the directory's path from the tree's root ("" for the root)
     */
    Path filteredCopy(Path directory, String treePath, Path scratch) throws IOException {
        Path copy = Files.createTempDirectory(scratch, "exclude-").resolve(directory.getFileName() == null ? "root"
                : directory.getFileName().toString());
        Files.createDirectories(copy);
        CacheMounts.copyTree(directory, "", copy);
        Files.setAttribute(copy, "unix:mode", Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS),
                LinkOption.NOFOLLOW_LINKS);
        List<Path> doomed = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(copy)) {
            for (Path p : walk.toList()) {
                String inside = copy.relativize(p).toString();
                if (inside.isEmpty()) {
                    continue;
                }
                String fromRoot = treePath.isEmpty() ? inside : treePath + "/" + inside;
                if (excludes(inside) || excludes(fromRoot)) {
                    doomed.add(p);
                }
            }
        }
        doomed.sort(Comparator.reverseOrder());
        for (Path p : doomed) {
            BuildService.deleteTree(p);
            Files.deleteIfExists(p);
        }
        return copy;
    }

    /**
     * Where {@code --parents} puts a source under the destination: its directories (all of a
     * directory's own path), from the {@code /./} pivot of the source word when there is one.
     *
     * @param word  the source as written (expanded), e.g. {@code ./x/./y/*.txt}
     * @param match the clean path it matched, e.g. {@code x/y/a.txt}
     */
    static String parentsOf(String word, String match, boolean directory) {
        String kept = directory ? match : (match.contains("/") ? match.substring(0, match.lastIndexOf('/')) : "");
        String w = word.replace('\\', '/');
        int pivot = w.indexOf("/./");
        if (pivot >= 0) {
            String before = BuildContext.cleanSource(w.substring(0, pivot));
            if (!before.isEmpty() && (kept.equals(before) || kept.startsWith(before + "/"))) {
                kept = kept.substring(Math.min(kept.length(), before.length() + 1));
            }
        }
        return kept;
    }
}
