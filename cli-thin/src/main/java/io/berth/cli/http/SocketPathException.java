package io.berth.cli.http;

import java.io.IOException;

/**
 * The socket path cannot be used, and starting a daemon would not help: it is not a socket, or the
 * caller may not connect to it. The message is one line naming the path and the problem.
 */
public final class SocketPathException extends IOException {
    public SocketPathException(String message) {
        super(message);
    }
}
