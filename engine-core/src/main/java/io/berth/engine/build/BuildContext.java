package io.berth.engine.build;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The build context unpacked in a private directory. Entries are checked as they are unpacked: no
 * absolute names, no {@code ..} climbing out, nothing written through a symlink. Symlinks are kept
 * as links; hard links become copies; devices and fifos are skipped (Docker's CLI never sends them).
 */
final class BuildContext {
    private final Path root;

    private BuildContext(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** Unpacks a (possibly gzip-compressed) context tar into {@code dir}, which must be empty. */
    static BuildContext unpack(InputStream tar, Path dir) throws IOException {
        Files.createDirectories(dir);
        InputStream in = new BufferedInputStream(tar);
        in.mark(4);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            in = new java.util.zip.GZIPInputStream(in, 65536);
        }
        List<Object[]> directoryTimes = new ArrayList<>();
        TarArchiveInputStream entries = new TarArchiveInputStream(in);
        TarArchiveEntry entry;
        while ((entry = entries.getNextEntry()) != null) {
            String name = entry.getName();
            Path target = safe(dir, name);
            if (target == null) {
                continue; // the root itself
            }
            Files.createDirectories(target.getParent());
            if (Files.isSymbolicLink(target.getParent())) {
                throw new BuildException("invalid build context: entry " + name + " is written through a symbolic link");
            }
            if (entry.isDirectory()) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(target);
                }
                directoryTimes.add(new Object[]{target, entry.getModTime().getTime(), entry.getMode()});
            } else if (entry.isSymbolicLink()) {
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            } else if (entry.isLink()) {
                Path source = safe(dir, entry.getLinkName());
                if (source == null || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BuildException("invalid build context: hard link " + name + " to " + entry.getLinkName());
                }
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            } else if (entry.isFile()) {
                Files.deleteIfExists(target);
                Files.copy(entries, target);
                setMode(target, entry.getMode());
                Files.setLastModifiedTime(target, FileTime.fromMillis(entry.getModTime().getTime()));
            }
        }
        for (int i = directoryTimes.size() - 1; i >= 0; i--) {
            Path d = (Path) directoryTimes.get(i)[0];
            setMode(d, (Integer) directoryTimes.get(i)[2]);
            Files.setLastModifiedTime(d, FileTime.fromMillis((Long) directoryTimes.get(i)[1]));
        }
        return new BuildContext(dir);
    }

    private static void setMode(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
    }

    /** The host path of a tar entry name, or null for the root; refuses names that leave the directory. */
    private static Path safe(Path dir, String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        if (n.startsWith("/")) {
            throw new BuildException("invalid build context: absolute entry name " + name);
        }
        Path normal = Path.of(n).normalize();
        if (normal.toString().isEmpty() || normal.toString().equals(".")) {
            return null;
        }
        if (normal.startsWith("..")) {
            throw new BuildException("invalid build context: entry " + name + " leaves the context");
        }
        return dir.resolve(normal);
    }

    /**
     * Cleans a source path from COPY/ADD the way Docker does: relative to the context root, a leading
     * {@code /} ignored, {@code ..} that would climb above the root refused.
     *
     * @return the clean relative path ("" for the root)
     */
    static String cleanSource(String source) {
        String s = source.replace('\\', '/');
        List<String> parts = new ArrayList<>();
        for (String part : s.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new BuildException("forbidden path outside the build context: " + source);
                }
                parts.removeLast();
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    /** Whether a path component holds glob characters ({@code * ? [}). */
    static boolean hasWildcard(String path) {
        return path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0;
    }

    /**
     * Expands a (clean) source pattern against a tree: each component is matched with Go's
     * {@code filepath.Match} rules ({@code *}, {@code ?}, {@code [...]}); results sorted.
     */
    static List<String> glob(Path tree, String pattern) throws IOException {
        List<String> matches = new ArrayList<>();
        globInto(tree, "", pattern.isEmpty() ? List.of() : List.of(pattern.split("/")), 0, matches);
        matches.sort(null);
        return matches;
    }

    private static void globInto(Path tree, String prefix, List<String> parts, int index, List<String> out) throws IOException {
        if (index == parts.size()) {
            out.add(prefix);
            return;
        }
        String part = parts.get(index);
        Path dir = prefix.isEmpty() ? tree : tree.resolve(prefix);
        if (!hasWildcard(part)) {
            String next = prefix.isEmpty() ? part : prefix + "/" + part;
            if (Files.exists(tree.resolve(next), LinkOption.NOFOLLOW_LINKS)) {
                globInto(tree, next, parts, index + 1, out);
            }
            return;
        }
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<String> names;
        try (Stream<Path> list = Files.list(dir)) {
            names = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (String name : names) {
            if (matches(part, name)) {
                globInto(tree, prefix.isEmpty() ? name : prefix + "/" + name, parts, index + 1, out);
            }
        }
    }

    /** Go's filepath.Match for one path component. */
    static boolean matches(String pattern, String name) {
        return match(pattern, 0, name, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi + 1, s, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    pi++;
                    si++;
                }
                case '[' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    int end = p.indexOf(']', pi + 1);
                    if (end < 0) {
                        return false;
                    }
                    String set = p.substring(pi + 1, end);
                    boolean negate = set.startsWith("^") || set.startsWith("!");
                    if (negate) {
                        set = set.substring(1);
                    }
                    char ch = s.charAt(si);
                    boolean in = false;
                    for (int k = 0; k < set.length(); k++) {
                        if (k + 2 < set.length() && set.charAt(k + 1) == '-') {
                            if (ch >= set.charAt(k) && ch <= set.charAt(k + 2)) {
                                in = true;
                            }
                            k += 2;
                        } else if (set.charAt(k) == ch) {
                            in = true;
                        }
                    }
                    if (in == negate) {
                        return false;
                    }
                    pi = end + 1;
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length()) {
                        pi++;
                    }
                    if (si >= s.length() || s.charAt(si) != p.charAt(pi)) {
                        return false;
                    }
                    pi++;
                    si++;
                }
                default -> {
                    if (si >= s.length() || s.charAt(si) != c) {
                        return false;
                    }
                    pi++;
                    si++;
                }
            }
        }
        return si == s.length();
    }
}
