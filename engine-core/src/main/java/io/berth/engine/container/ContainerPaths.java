package io.berth.engine.container;

import io.berth.spi.fs.SafeFsException;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Container paths as names: the lexical clean-up Docker applies, and the full resolution of a path's
 * symlinks inside a container's root into the path they lead to ({@code FollowSymlinkInScope}), which
 * Docker's path-stat header calls a link's {@code linkTarget}. The result is only a name, for the client
 * and for messages: every read and write resolves again through {@link SafeRoot}.
 */
final class ContainerPaths {
    private ContainerPaths() {}

    /** {@code path} made absolute, with {@code .}, {@code ..} (never above {@code /}) and repeated slashes taken out. */
    static String clean(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    /**
     * The path {@code path} leads to inside the root, every symlink on the way (the last one too) followed
     * as the container would follow it; a missing component ends the following and is kept as named.
     *
     * @throws SafeFsException LOOP after more than {@link SafeRoot#MAX_LINKS} links
     */
    static String resolve(SafeRoot root, String path) throws IOException {
        Deque<String> pending = new ArrayDeque<>();
        push(pending, path);
        Deque<String> resolved = new ArrayDeque<>();
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                resolved.pollLast();
                continue;
            }
            String candidate = "/" + String.join("/", resolved) + (resolved.isEmpty() ? "" : "/") + part;
            Sys.Stat st = root.lstat(candidate);
            if (st != null && st.isSymlink()) {
                if (++links > SafeRoot.MAX_LINKS) {
                    throw new SafeFsException(SafeFsException.Reason.LOOP, SafeRoot.quote(path) + ": too many levels of symbolic links");
                }
                String target;
                try {
                    target = root.readlink(candidate);
                } catch (SafeFsException e) {
                    pending.push(part); // no longer a link: the tree changed meanwhile, look at it again
                    continue;
                }
                if (target.startsWith("/")) {
                    resolved.clear();
                }
                push(pending, target);
                continue;
            }
            resolved.addLast(part);
        }
        return "/" + String.join("/", resolved);
    }

    private static void push(Deque<String> pending, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            pending.push(parts[i]);
        }
    }
}
