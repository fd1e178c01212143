package io.berth.eventlog;

/**
 * An append refused before anything was written, because the file system holding the log has less
 * free space than an append may need. Chronicle writes through memory-mapped files: a page the
 * kernel cannot back on a full disk faults (SIGBUS), which could leave a half-written entry; so the
 * log refuses while it can still refuse cleanly. Appends succeed again once space is freed.
 */
public final class LogFullException extends EventLogException {
    public LogFullException(String message) {
        super(message);
    }
}
