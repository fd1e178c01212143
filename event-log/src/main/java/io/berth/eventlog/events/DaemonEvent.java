package io.berth.eventlog.events;

/** Events about the daemon process itself; the subject is the host id. */
public sealed interface DaemonEvent extends Event
        permits DaemonEvent.DaemonStarted, DaemonEvent.DaemonStopped, DaemonEvent.LogCompacted {

    /**
     * The daemon started and opened the log.
     *
     * @param hostId        the host id
     * @param version       berth's version
     * @param pid           the daemon's pid
     * @param root          the root directory
     * @param socket        the API socket path
     * @param droppedOnOpen a description of a damaged log tail dropped on open, empty if none
     */
    record DaemonStarted(String hostId, String version, long pid, String root, String socket, String droppedOnOpen)
            implements DaemonEvent {
        @Override
        public String subject() {
            return hostId;
        }
    }

    /**
     * The daemon stopped gracefully.
     *
     * @param hostId the host id
     * @param reason why (e.g. {@code SIGTERM})
     */
    record DaemonStopped(String hostId, String reason) implements DaemonEvent {
        @Override
        public String subject() {
            return hostId;
        }
    }

    /**
     * History before a point was compacted ({@code berth system compact}): the state at that point was
     * written as a snapshot that is never pruned, and the log's cycle files holding only older events were
     * moved to the log's archive directory. Time travel to a moment before the point is refused.
     *
     * @param hostId           the host id
     * @param throughSequence  the last event the compaction snapshot includes
     * @param throughTime      that event's time (RFC 3339)
     * @param snapshot         the compaction snapshot's file name in the snapshot directory
     * @param archivedFiles    the cycle files moved out, oldest first (none when no whole file was older)
     * @param archiveDirectory where they went
     */
    record LogCompacted(String hostId, long throughSequence, String throughTime, String snapshot, java.util.List<String> archivedFiles,
                        String archiveDirectory) implements DaemonEvent {
        public LogCompacted {
            archivedFiles = java.util.List.copyOf(archivedFiles);
        }

        @Override
        public String subject() {
            return hostId;
        }
    }
}
