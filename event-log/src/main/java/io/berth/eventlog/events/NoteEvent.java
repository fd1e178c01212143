package io.berth.eventlog.events;

/** Notes an operator writes into the log ({@code berth system note}); the subject is the host id. */
public sealed interface NoteEvent extends Event permits NoteEvent.NoteRecorded {

    /**
     * A free-text note, recorded with its author like every event: for marking maintenance windows,
     * change tickets or anything an auditor should see in the timeline.
     *
     * @param hostId the host id
     * @param text   the note
     */
    record NoteRecorded(String hostId, String text) implements NoteEvent {
        @Override
        public String subject() {
            return hostId;
        }
    }
}
