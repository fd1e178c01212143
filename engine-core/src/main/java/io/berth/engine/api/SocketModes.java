package io.berth.engine.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/** The daemon's socket modes: 0660, group {@code berth} when that group exists (as Docker uses group {@code docker}). */
public final class SocketModes {
    private SocketModes() {
    }

    public static void restrict(Path socket) throws IOException {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        try {
            GroupPrincipal group = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("berth");
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
        } catch (IOException | UnsupportedOperationException e) {
            // no berth group on this host: root (and the daemon's own group) only
        }
    }
}
