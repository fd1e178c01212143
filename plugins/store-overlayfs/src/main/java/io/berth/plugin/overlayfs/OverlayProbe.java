package io.berth.plugin.overlayfs;

import io.berth.spi.os.MountCalls;
import io.berth.spi.Probe;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Mounts a tiny overlay under the data directory and checks what the driver relies on: the
 * lower layer shows through, writes land in the upper directory, and deleting a lower file leaves
 * a whiteout (a 0/0 character device) in the upper directory. Unmounts and deletes everything
 * before returning, whatever happened.
 */
final class OverlayProbe {

    private static final String CHECK = "overlay mount";
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    private OverlayProbe() {
    }

    /**
     * @param dataDirectory where to try (the driver's own data directory)
     * @return the check
     */
    static Probe.Check tryMount(Path dataDirectory) {
        removeLeftovers(dataDirectory);
        String filesystem = filesystemType(dataDirectory);
        Path dir;
        try {
            dir = Files.createTempDirectory(dataDirectory, ".probe-");
        } catch (IOException e) {
            return Probe.Check.failed(CHECK, Probe.Kind.FILESYSTEM, "cannot create a directory in " + dataDirectory + ": " + e.getMessage());
        }
        Path merged = dir.resolve("merged");
        boolean mounted = false;
        try {
            Path lower = Files.createDirectory(dir.resolve("lower"));
            Path upper = Files.createDirectory(dir.resolve("upper"));
            Path work = Files.createDirectory(dir.resolve("work"));
            Files.createDirectory(merged);
            Files.writeString(lower.resolve("kept"), "lower");
            Files.writeString(lower.resolve("deleted"), "lower");

            MountCalls.mount("overlay", merged.toString(), "overlay", 0,
                    "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work);
            mounted = true;

            if (!"lower".equals(Files.readString(merged.resolve("kept")))) {
                return failed(dataDirectory, filesystem, "the lower layer does not show through the mount");
            }
            Files.writeString(merged.resolve("written"), "upper");
            Files.delete(merged.resolve("deleted"));
            if (!Files.exists(upper.resolve("written"))) {
                return failed(dataDirectory, filesystem, "a write through the mount did not reach the upper directory");
            }
            int mode = (Integer) Files.getAttribute(upper.resolve("deleted"), "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            long rdev = (Long) Files.getAttribute(upper.resolve("deleted"), "unix:rdev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) != S_IFCHR || rdev != 0) {
                return failed(dataDirectory, filesystem, "deleting a lower file did not leave a whiteout in the upper directory");
            }
            MountCalls.umount2(merged.toString(), 0);
            mounted = false;
            return Probe.Check.passed(CHECK, Probe.Kind.FILESYSTEM,
                    "mounted and removed a test overlay under " + dataDirectory + " (" + filesystem + "): reads, writes and whiteouts work");
        } catch (IOException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("(errno 1)")) {
                return Probe.Check.failed(CHECK, Probe.Kind.PRIVILEGE, "cannot mount an overlay under " + dataDirectory + ": "
                        + message + "; mounting needs root (CAP_SYS_ADMIN): run the daemon as root");
            }
            return failed(dataDirectory, filesystem, message);
        } finally {
            if (mounted) {
                try {
                    MountCalls.umount2(merged.toString(), MountCalls.MNT_DETACH);
                } catch (IOException ignored) {
                    // Best effort: the directory removal below reports what remains.
                }
            }
            deleteTree(dir);
        }
    }

    /** Removes what a probe killed half-way (the JVM died while mounted) left behind. */
    private static void removeLeftovers(Path dataDirectory) {
        try (var leftovers = Files.newDirectoryStream(dataDirectory, ".probe-*")) {
            for (Path dir : leftovers) {
                try {
                    MountCalls.umount2(dir.resolve("merged").toString(), MountCalls.MNT_DETACH);
                } catch (IOException notMounted) {
                    // The usual case: it was not mounted.
                }
                deleteTree(dir);
            }
        } catch (IOException ignored) {
            // No data directory yet, or unreadable: the mount attempt will report it.
        }
    }

    private static Probe.Check failed(Path dataDirectory, String filesystem, String why) {
        return Probe.Check.failed(CHECK, Probe.Kind.FILESYSTEM,
                "cannot use overlay under " + dataDirectory + " (" + filesystem + "): " + why
                        + "; put the daemon root on a filesystem overlay accepts as upper layer (ext4, xfs and btrfs work; overlay and NFS do not)");
    }

    private static String filesystemType(Path directory) {
        try {
            return Files.getFileStore(directory).type();
        } catch (IOException e) {
            return "unknown filesystem";
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // Nothing more can be done here; the next probe starts from a fresh directory.
        }
    }
}
