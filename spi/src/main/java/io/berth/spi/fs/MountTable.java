package io.berth.spi.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mounts of this process's mount namespace, read from {@code /proc/self/mountinfo} (the format
 * of proc(5)): one place that parses it for the storage driver, the runtime's cgroup probe and the
 * conformance kit.
 *
 * <p>A line reads {@code ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE
 * SUPER-OPTIONS}; the kernel writes a space, tab, newline or backslash in a path as an octal
 * escape ({@code \040}), which {@link #parse} undoes.
 */
public final class MountTable {

    /** Where the kernel lists this process's mounts. */
    public static final Path SELF = Path.of("/proc/self/mountinfo");

    /**
     * One mount.
     *
     * @param mountPoint   where it is mounted, in this namespace
     * @param root         the directory of its file system that is mounted there
     * @param options      the per-mount options ({@code rw,nosuid,...})
     * @param type         the file-system type ({@code overlay}, {@code cgroup2}, ...)
     * @param source       the source the file system was mounted from, or {@code none}
     * @param superOptions the file system's own options (for cgroup v1, its controllers)
     */
    public record Entry(Path mountPoint, String root, String options, String type, String source, String superOptions) {
    }

    private MountTable() {
    }

    /**
     * Reads this process's mounts.
     *
     * @return the mounts in the kernel's order (parents before what is mounted over them)
     * @throws UncheckedIOException if {@code /proc/self/mountinfo} cannot be read
     */
    public static List<Entry> read() {
        try {
            return parse(Files.readAllLines(SELF, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SELF + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses mountinfo lines; a line that lacks the fields is skipped.
     *
     * @param lines the lines of a mountinfo file
     * @return the mounts in the order of the lines
     */
    public static List<Entry> parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>(lines.size());
        for (String line : lines) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 6 || right.length < 2) {
                continue;
            }
            entries.add(new Entry(Path.of(unescape(left[4])), unescape(left[3]), left[5], right[0],
                    unescape(right[1]), right.length > 2 ? right[2] : ""));
        }
        return entries;
    }

    /** @return every mount point of this namespace, in the kernel's order */
    public static List<Path> mountPoints() {
        return read().stream().map(Entry::mountPoint).toList();
    }

    /**
     * @param mountPoint an absolute path
     * @return whether something is mounted exactly there
     */
    public static boolean isMounted(Path mountPoint) {
        return mountPoints().contains(mountPoint);
    }

    /**
     * The mount points at or under a directory, deepest first (the order to unmount them in).
     *
     * @param directory a directory
     * @return its mount points, its own included
     */
    public static List<Path> under(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        for (Path mountPoint : mountPoints()) {
            if (mountPoint.startsWith(dir)) {
                found.add(mountPoint);
            }
        }
        found.sort((a, b) -> b.getNameCount() - a.getNameCount());
        return found;
    }

    /** Undoes the kernel's octal escapes ({@code \040} for a space). */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
