package io.berth.cli.http;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Nothing listens on the socket: the file does not exist, or it is a socket nobody accepts on
 * (left over by a daemon that died). This is the one connection failure that may start a daemon.
 */
public final class NoDaemonException extends IOException {
    private final Path socket;

    public NoDaemonException(Path socket, String reason) {
        super(socket + ": " + reason);
        this.socket = socket;
    }

    /** The socket path that was tried. */
    public Path socket() {
        return socket;
    }
}
