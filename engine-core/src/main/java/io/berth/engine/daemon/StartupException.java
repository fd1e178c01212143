package io.berth.engine.daemon;

/** The daemon cannot start; the message is one line naming the problem and where it is. */
public class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
