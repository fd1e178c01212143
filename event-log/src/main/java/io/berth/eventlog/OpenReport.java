package io.berth.eventlog;

/**
 * What opening the log found.
 *
 * @param eventsKept     complete events in the log after opening
 * @param droppedEntries entries at the tail that were incomplete or unreadable and were dropped
 * @param droppedBytes   bytes those entries occupied
 * @param detail         a one-line human description, empty when nothing was dropped
 */
public record OpenReport(long eventsKept, long droppedEntries, long droppedBytes, String detail) {
    public boolean droppedAnything() {
        return droppedEntries > 0 || droppedBytes > 0;
    }
}
