package io.berth.engine.image;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One monitor per key (a digest or a chain id), so that two pulls sharing a blob or a layer never
 * write it at the same time, while different blobs proceed in parallel.
 */
final class KeyedLocks {
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    Object lockFor(String key) {
        return locks.computeIfAbsent(key, k -> new Object());
    }
}
