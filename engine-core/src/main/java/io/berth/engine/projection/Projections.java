package io.berth.engine.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.EventEnvelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The set of projections the engine keeps, each with its current state, and the sequence number of
 * the last event folded into them. Writers ({@link #apply}) and readers ({@link #read}) are
 * serialised by a read-write lock so a reader always sees a state at one sequence number.
 */
public final class Projections {
    private final List<Projection<?>> projections;
    private final Map<String, Object> states = new LinkedHashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private long lastSequence;

    public Projections(List<Projection<?>> projections) {
        this.projections = List.copyOf(projections);
        for (Projection<?> projection : projections) {
            states.put(projection.name(), projection.initialState());
        }
    }

    /** A fresh set of the same projections, all at their initial state. */
    public Projections emptyCopy() {
        return new Projections(projections);
    }

    /** Folds one event into every projection. Events must arrive in sequence order. */
    public void apply(EventEnvelope event) {
        lock.writeLock().lock();
        try {
            applyUnlocked(event);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Folds a run of events under one lock acquisition (start-up and replay). */
    public void applyAll(Iterable<EventEnvelope> events) {
        lock.writeLock().lock();
        try {
            for (EventEnvelope event : events) {
                applyUnlocked(event);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void applyUnlocked(EventEnvelope event) {
        if (event.sequence() <= lastSequence) {
            return; // already folded (e.g. covered by the snapshot)
        }
        for (Projection projection : projections) {
            projection.apply(states.get(projection.name()), event);
        }
        lastSequence = event.sequence();
    }

    /** Whether any projection folds events of this type (replays decode only those). */
    public boolean wants(String eventType) {
        for (Projection<?> projection : projections) {
            if (projection.folds(eventType)) {
                return true;
            }
        }
        return false;
    }

    /** Records that every event up to {@code sequence} has been seen (those skipped changed nothing). */
    public void advanceTo(long sequence) {
        lock.writeLock().lock();
        try {
            lastSequence = Math.max(lastSequence, sequence);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs {@code reader} against a projection's state under the read lock. */
    @SuppressWarnings("unchecked")
    public <S, R> R read(Projection<S> projection, Function<S, R> reader) {
        lock.readLock().lock();
        try {
            return reader.apply((S) states.get(projection.name()));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Sequence number of the last event folded in, 0 when none. */
    public long lastSequence() {
        lock.readLock().lock();
        try {
            return lastSequence;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every state as JSON, with the sequence it is at: the snapshot format and the replay comparison form. */
    public ObjectNode toJson(ObjectMapper mapper) {
        lock.readLock().lock();
        try {
            ObjectNode root = mapper.createObjectNode();
            root.put("sequence", lastSequence);
            ObjectNode byName = root.putObject("projections");
            for (Map.Entry<String, Object> entry : states.entrySet()) {
                byName.set(entry.getKey(), mapper.valueToTree(entry.getValue()));
            }
            return root;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Replaces every state with the one in {@code snapshot} (as written by {@link #toJson}).
     * A projection the snapshot does not have makes the snapshot unusable.
     *
     * @throws IllegalArgumentException when the snapshot lacks a projection or cannot be read
     */
    public void restore(JsonNode snapshot, ObjectMapper mapper) {
        lock.writeLock().lock();
        try {
            JsonNode byName = snapshot.path("projections");
            Map<String, Object> restored = new LinkedHashMap<>();
            for (Projection<?> projection : projections) {
                JsonNode state = byName.get(projection.name());
                if (state == null) {
                    throw new IllegalArgumentException("snapshot has no state for projection " + projection.name());
                }
                Object value = mapper.treeToValue(state, projection.stateType());
                if (!restorable(projection, value)) {
                    throw new IllegalArgumentException("snapshot of projection " + projection.name() + " is of an older fold");
                }
                restored.put(projection.name(), value);
            }
            states.putAll(restored);
            lastSequence = snapshot.path("sequence").asLong();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable snapshot: " + e.getOriginalMessage(), e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static <S> boolean restorable(Projection<S> projection, Object state) {
        return projection.restorable(projection.stateType().cast(state));
    }

    /** The projections' names, in order. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        projections.forEach(p -> names.add(p.name()));
        return names;
    }
}
