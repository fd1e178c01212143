package io.berth.engine.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a path inside a container's root filesystem the way the container would see it:
 * symlinks are followed as if the root were {@code /}, so a link to {@code /etc} or to
 * {@code ../../..} never leads outside the root. Used for reading /etc/passwd, creating the working
 * directory and copying files in and out.
 */
public final class RootfsPaths {
    private static final int MAX_LINKS = 255;

    private RootfsPaths() {}

    /**
     * The host path for {@code containerPath} inside {@code rootfs}, every symlink resolved within
     * the root. The last component need not exist.
     *
     * @throws IOException when there are too many levels of symlinks
     */
    public static Path resolve(Path rootfs, String containerPath) throws IOException {
        Deque<String> pending = new ArrayDeque<>();
        push(pending, containerPath);
        Deque<String> resolved = new ArrayDeque<>();
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!resolved.isEmpty()) {
                    resolved.removeLast();
                }
                continue;
            }
            Path candidate = join(rootfs, resolved).resolve(part);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) {
                    throw new IOException("too many levels of symbolic links in " + containerPath);
                }
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) {
                    resolved.clear();
                }
                push(pending, target);
                continue;
            }
            resolved.addLast(part);
        }
        return join(rootfs, resolved);
    }

    /**
     * Like {@link #resolve}, but the last component is not followed when it is a symlink: the host
     * path of the link itself (for copying a link as a link, as {@code docker cp} does without -L).
     */
    public static Path resolveParent(Path rootfs, String containerPath) throws IOException {
        String trimmed = containerPath.replaceAll("/+$", "");
        int slash = trimmed.lastIndexOf('/');
        String last = trimmed.substring(slash + 1);
        if (last.isEmpty() || last.equals(".") || last.equals("..")) {
            return resolve(rootfs, containerPath);
        }
        return resolve(rootfs, slash <= 0 ? "/" : trimmed.substring(0, slash)).resolve(last);
    }

    /** Whether {@code containerPath} exists inside the root, resolved as {@link #resolve} does. */
    public static boolean exists(Path rootfs, String containerPath) throws IOException {
        return Files.exists(resolve(rootfs, containerPath), LinkOption.NOFOLLOW_LINKS);
    }

    private static void push(Deque<String> pending, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            pending.push(parts[i]);
        }
    }

    private static Path join(Path rootfs, Deque<String> parts) {
        Path path = rootfs;
        for (String part : parts) {
            path = path.resolve(part);
        }
        return path;
    }
}
