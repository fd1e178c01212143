package io.berth.spi.tck;

import io.berth.spi.Digests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Describes a directory tree as text, one line per path, so that two trees (a mount and what it
 * should show) compare with {@code assertEquals} and a failure shows the difference.
 *
 * <p>Each path (relative, {@code /}-separated) maps to: its type ({@code d}, {@code f}, {@code l},
 * {@code c}, {@code b}, {@code p}), permission bits in octal including setuid/setgid/sticky, owner
 * {@code uid:gid}, and then the content's sha256 for a file, the target for a symbolic link, or
 * {@code major:minor} for a device. Symbolic links are never followed. Times are left out unless
 * asked for.
 */
public final class FileTree {

    private FileTree() {
    }

    /**
     * @param root the directory to describe (not itself included)
     * @return path → description, sorted by path
     */
    public static SortedMap<String, String> of(Path root) {
        return of(root, false);
    }

    /**
     * @param root       the directory to describe (not itself included)
     * @param withMtimes whether to append each path's modification time in whole seconds
     *                   (symbolic links excluded)
     * @return path → description, sorted by path
     */
    public static SortedMap<String, String> of(Path root, boolean withMtimes) {
        SortedMap<String, String> out = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(root)) {
                        out.put(root.relativize(dir).toString(), describe(dir, withMtimes));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    out.put(root.relativize(file).toString(), describe(file, withMtimes));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk " + root, e);
        }
        return out;
    }

    /**
     * Describes one path.
     *
     * @param p          the path
     * @param withMtimes whether to append the modification time
     * @return the description
     * @throws IOException if it cannot be read
     */
    public static String describe(Path p, boolean withMtimes) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,rdev,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String owner = a.get("uid") + ":" + a.get("gid");
        String perms = String.format("%04o", mode & 07777);
        long rdev = (Long) a.get("rdev");
        String time = withMtimes ? " @" + ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond() : "";
        return switch (mode & 0170000) {
            case 0040000 -> "d " + perms + " " + owner + time;
            case 0100000 -> "f " + perms + " " + owner + " " + Digests.sha256(Files.readAllBytes(p)) + time;
            case 0120000 -> "l " + owner + " -> " + Files.readSymbolicLink(p);
            case 0020000 -> "c " + perms + " " + owner + " " + major(rdev) + ":" + minor(rdev) + time;
            case 0060000 -> "b " + perms + " " + owner + " " + major(rdev) + ":" + minor(rdev) + time;
            case 0010000 -> "p " + perms + " " + owner + time;
            default -> "? " + Integer.toOctalString(mode);
        };
    }

    /** @return the major number of a Linux {@code dev_t} */
    public static long major(long dev) {
        return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
    }

    /** @return the minor number of a Linux {@code dev_t} */
    public static long minor(long dev) {
        return ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
    }
}
