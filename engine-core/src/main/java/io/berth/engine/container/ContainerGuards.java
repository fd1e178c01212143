package io.berth.engine.container;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the lifecycle, the exit supervisor and removal share about containers in this daemon's memory: one lock
 * per container for what touches its runtime state and mounts (start, the release after an exit, removal, a copy
 * into a stopped one), which containers were already released after their last exit, and which are being stopped
 * by the user (their exit is no reason for a restart).
 */
final class ContainerGuards {
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();

    /** The container's lifecycle lock. */
    Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    /** Its runtime state and mount were freed after its last exit. */
    void released(String id) {
        released.add(id);
    }

    /** Whether it was released since its last exit, forgetting that (the caller releases it otherwise). */
    boolean takeReleased(String id) {
        return released.remove(id);
    }

    void stopping(String id) {
        stopping.add(id);
    }

    void stopped(String id) {
        stopping.remove(id);
    }

    boolean isStopping(String id) {
        return stopping.contains(id);
    }

    /** A removed container's lock goes. */
    void forget(String id) {
        locks.remove(id);
    }
}
