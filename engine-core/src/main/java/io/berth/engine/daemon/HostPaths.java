package io.berth.engine.daemon;

import io.berth.eventlog.PrivateFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks on the daemon's root, socket and pid file before it takes them over. */
final class HostPaths {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private HostPaths() {}

    /** Creates the root if needed and proves it writable by writing a file in it. */
    static void requireWritableDirectory(Path directory, String what) {
        try {
            if (Files.exists(directory) && !Files.isDirectory(directory)) {
                throw new StartupException(what + " " + directory + " is not a directory");
            }
            Files.createDirectories(directory);
            Path probe = Files.createTempFile(directory, ".write-probe", "");
            Files.delete(probe);
        } catch (IOException e) {
            throw new StartupException(what + " " + directory + " is not writable: " + reason(e));
        }
    }

    /** The data root's mode: only root enters it (its group may traverse, as Docker's 0710 data root allows). */
    static final java.util.Set<java.nio.file.attribute.PosixFilePermission> ROOT_MODE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x---");

    /**
     * Narrows the modes of a data root, new or written by an older berth (which left it 0755 and its
     * event log world-readable): the root 0710; the snapshots 0700/0600 (they hold every container's
     * environment, as the log does, which the log opens 0700/0600 itself); the directories of build
     * records, blobs and volume data 0700, so no other host user reaches a volume's {@code _data}
     * (a setuid file a container left there) or a build's context. Files inside build contexts and
     * volumes keep their modes: they are the content.
     */
    static void restrictModes(Path root, Path snapshots) {
        try {
            java.nio.file.Files.setPosixFilePermissions(root, ROOT_MODE);
            if (Files.isDirectory(snapshots, LinkOption.NOFOLLOW_LINKS)) {
                PrivateFiles.restrictTree(snapshots);
            }
            for (String dir : new String[] {"builds", "content", "volumes"}) {
                PrivateFiles.createDirectories(root.resolve(dir));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new StartupException("cannot restrict the modes of root directory " + root + ": " + e.getMessage());
        }
    }

    /**
     * Makes {@code socket} free to bind: refuses a path that is not a socket or that another daemon
     * answers on; removes a stale socket file left by a daemon that died.
     */
    static void claimSocketPath(Path socket) {
        try {
            Files.createDirectories(socket.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new StartupException("cannot create the socket's directory " + socket.getParent() + ": " + reason(e));
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(socket)) {
            throw new StartupException(socket + " exists and is not a socket; remove it or choose another path with -H unix://PATH");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            throw new StartupException("another daemon is already listening on " + socket);
        } catch (IOException refused) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new StartupException("cannot remove stale socket " + socket + ": " + reason(e));
            }
        }
    }

    static boolean isSocket(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static String reason(IOException e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
