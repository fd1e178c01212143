package io.berth.eventlog.events;

/** Events about the daemon process itself; the subject is the host id. */
public sealed interface DaemonEvent extends Event
        permits DaemonEvent.DaemonStarted, DaemonEvent.DaemonStopped {

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
}
