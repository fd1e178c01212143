package io.berth.engine.projection;

import io.berth.eventlog.EventEnvelope;

/**
 * A read model built as a deterministic fold over the log: {@code state = events.reduce(initial, apply)}.
 * Folding the same events always gives an equal state (compared as JSON), and {@link #apply} has no
 * side effects outside the state it is given, so a replay never repeats what an event records.
 *
 * <p>States are plain mutable classes that Jackson can write and read (for snapshots); maps in them
 * are sorted so that equal states serialise to equal JSON. {@link Projections} serialises access.
 *
 * @param <S> the state type
 */
public interface Projection<S> {

    /** Stable name, used as the key in snapshots and replay reports. */
    String name();

    /** A fresh, empty state. */
    S initialState();

    /** The state class, for reading snapshots. */
    Class<S> stateType();

    /**
     * Whether events of this type can change the state. A replay does not decode events no
     * projection folds; {@link #apply} must ignore every type this answers false for.
     */
    default boolean folds(String eventType) {
        return true;
    }

    /**
     * Whether a state read from a snapshot can stand for what {@link #apply} folds now. A projection whose fold
     * learns to keep more (a field read from events it already folded) brings an older state up to date here
     * when the state itself holds what is needed, or answers false, so start-up and time travel replay the log
     * instead of restoring a state that a replay would not give. Answering false for a compaction snapshot loses
     * the archived events' part of the state, so a projection should upgrade wherever it can.
     */
    default boolean restorable(S restored) {
        return true;
    }

    /** Folds one event into {@code state}. Must be deterministic and free of I/O. */
    void apply(S state, EventEnvelope event);
}
