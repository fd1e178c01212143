package io.berth.engine.build;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import io.berth.spi.fs.SafeFile;
import io.berth.spi.fs.SafeFsException;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The build context unpacked in a private directory. Entries are checked as they are unpacked: no
 * absolute names, no {@code ..} climbing out, no NUL or over-long names, and every write goes through
 * {@link SafeRoot}, so nothing lands or is read outside the directory. Symlinks are kept as links;
 * hard links stay hard links inside the context; fifos and device nodes are made as nodes (Docker's CLI
 * sends them and COPY copies them; their contents are never read); a regular file's setuid and setgid
 * bits are dropped, as Docker's daemon drops them.
 */
final class BuildContext {
    private final Path root;

    private BuildContext(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** A directory whose mode and time are set after its contents were written. */
    private record DirTimes(String path, long mtimeMillis, int mode) {
    }

    /**
     * Unpacks a (possibly gzip-compressed) context tar into {@code dir}, which must be empty. Every
     * entry is written through {@link SafeRoot}: a symbolic link in the context is followed only
     * inside the context (as Docker's chrooted unpack does), so {@code l -> /host/dir} and then
     * {@code l/sub/file} writes {@code <context>/host/dir/sub/file}, never the host's; a hard link
     * is made only to a file already inside the context.
     */
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
        List<DirTimes> directoryTimes = new ArrayList<>();
        TarArchiveInputStream entries = new TarArchiveInputStream(in);
        try (SafeRoot root = SafeRoot.open(dir, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            TarArchiveEntry entry;
            while ((entry = entries.getNextEntry()) != null) {
                String name = entry.getName();
                String rel = safe(name);
                if (rel == null) {
                    continue; // the root itself
                }
                try {
                    if (entry.isDirectory()) {
                        Sys.Stat st = root.stat(rel);
                        if (st == null || !st.isDir()) {
                            root.remove(rel);
                            root.mkdir(rel, 0755);
                        }
                        directoryTimes.add(new DirTimes(rel, entry.getModTime().getTime(), entry.getMode()));
                    } else if (entry.isSymbolicLink()) {
                        root.symlink(rel, entry.getLinkName());
                    } else if (entry.isLink()) {
                        String source = safe(entry.getLinkName());
                        if (source == null) {
                            throw new BuildException("invalid build context: hard link " + SafeRoot.quote(name) + " to the context's root");
                        }
                        root.hardlink(rel, source);
                    } else if (entry.isFIFO()) {
                        // Commons Compress calls a fifo (and a device) a file too: ask for them first
                        root.mknod(rel, Sys.S_IFIFO | (entry.getMode() & 0777), 0, 0);
                    } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
                        // as Docker's builder: COPY makes the node in the image (its contents are never read)
                        root.mknod(rel, (entry.isCharacterDevice() ? Sys.S_IFCHR : Sys.S_IFBLK) | (entry.getMode() & 0777),
                                entry.getDevMajor(), entry.getDevMinor());
                    } else if (entry.isFile()) {
                        try (SafeFile f = root.create(rel, 0600)) {
                            f.writeFrom(entries);
                            // Docker's daemon unpacks the context as root with a chown after the write, which
                            // clears a file's setuid and setgid bits: COPY from the context never carries them
                            f.chmod(entry.getMode() & 01777);
                            long ms = entry.getModTime().getTime();
                            f.setTimes(Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000) * 1_000_000);
                        }
                    }
                } catch (SafeFsException e) {
                    throw new BuildException("invalid build context: entry " + SafeRoot.quote(name) + ": " + afterName(e));
                }
            }
            for (int i = directoryTimes.size() - 1; i >= 0; i--) {
                DirTimes d = directoryTimes.get(i);
                long ms = d.mtimeMillis();
                root.setMeta(d.path(), new SafeRoot.Meta(SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP, d.mode() & 07777,
                        Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000) * 1_000_000, java.util.Map.of()));
            }
        }
        return new BuildContext(dir);
    }

    /** A {@link SafeFsException}'s words after the path it names first. */
    private static String afterName(SafeFsException e) {
        String m = e.getMessage();
        int at = m.indexOf("\": ");
        return m.startsWith("\"") && at > 0 ? m.substring(at + 3) : m;
    }

    /**
     * The clean relative name of a tar entry, or null for the root; refuses names that leave the
     * directory, and names with a NUL byte or over the kernel's length limits.
     */
    private static String safe(String name) {
        try {
            SafeRoot.checkName(name);
        } catch (SafeFsException e) {
            throw new BuildException("invalid build context: entry " + e.getMessage());
        }
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        if (n.startsWith("/")) {
            throw new BuildException("invalid build context: absolute entry name " + SafeRoot.quote(name));
        }
        List<String> parts = SafeRoot.lexicalParts(n).orElseThrow(() ->
                new BuildException("invalid build context: entry " + SafeRoot.quote(name) + " leaves the context"));
        return parts.isEmpty() ? null : String.join("/", parts);
    }

    /**
     * Cleans a source path from COPY/ADD the way Docker does: relative to the context root, a leading
     * {@code /} ignored, {@code ..} that would climb above the root refused.
     *
     * @return the clean relative path ("" for the root)
     */
    static String cleanSource(String source) {
        String s = source.replace('\\', '/');
        List<String> parts = SafeRoot.lexicalParts(s).orElseThrow(() ->
                new BuildException("forbidden path outside the build context: " + source));
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
