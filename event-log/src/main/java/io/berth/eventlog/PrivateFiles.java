package io.berth.eventlog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Modes for what only the daemon (root) may read: the event log and the snapshots carry every
 * container's environment, which often holds secrets. Files are 0600, directories 0700; a file is
 * created with its mode (never widened first), and trees written by an older berth are narrowed
 * when the daemon opens them.
 */
public final class PrivateFiles {
    /** rw------- */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    /** rwx------ */
    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    /** The attribute that creates a file 0600 (for {@code FileChannel.open}, {@code Files.createFile}, …). */
    public static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
        return PosixFilePermissions.asFileAttribute(FILE_MODE);
    }

    /** Creates {@code dir} and its missing parents like {@link Files#createDirectories}, then makes {@code dir} 0700. */
    public static Path createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
        return dir;
    }

    /** Makes one file 0600 (a symlink is left alone). */
    public static void restrict(Path file) throws IOException {
        if (!Files.isSymbolicLink(file)) {
            Files.setPosixFilePermissions(file, Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) ? DIRECTORY_MODE : FILE_MODE);
        }
    }

    /**
     * Makes {@code dir} and every directory under it 0700 and every regular file 0600; symlinks are
     * not followed, and a mode already that narrow is not rewritten.
     */
    public static void restrictTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    narrow(d, DIRECTORY_MODE);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        narrow(f, FILE_MODE);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict the modes under " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void narrow(Path path, Set<PosixFilePermission> mode) throws IOException {
        if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(mode)) {
            Files.setPosixFilePermissions(path, mode);
        }
    }
}
