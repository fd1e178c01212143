package io.berth.eventlog.events;

/**
 * Every typed event. Events are immutable past-tense records, grouped per aggregate under sealed
 * interfaces so that a projection's {@code switch} over an aggregate's events is exhaustive.
 * The type name written to the log is the record's simple name.
 */
public sealed interface Event permits DaemonEvent, PluginEvent, NoteEvent, ImageEvent, ContainerEvent, VolumeEvent, BuildEvent, NetworkEvent {
    /** Id of the aggregate the event is about. */
    String subject();
}
