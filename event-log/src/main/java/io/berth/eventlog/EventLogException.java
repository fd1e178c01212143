package io.berth.eventlog;

/** The log could not be opened, read or written. The message names the log directory and the problem. */
public class EventLogException extends RuntimeException {
    public EventLogException(String message) {
        super(message);
    }

    public EventLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
