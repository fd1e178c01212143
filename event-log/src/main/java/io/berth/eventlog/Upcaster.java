package io.berth.eventlog;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Brings an envelope written at an older schema version one version forward, so that this build's
 * records can read it. Upcasters exist only for the types whose shape changed: an envelope whose
 * type has no upcaster for its version is carried to the next version unchanged.
 *
 * <p>{@link EventCodec} applies them in a chain while decoding: an envelope written at version 0
 * goes through the upcaster for {@code (type, 0)}, then the one for {@code (type', 1)} where
 * {@code type'} is the type name after the first step, and so on up to
 * {@link EventEnvelope#CURRENT_SCHEMA_VERSION}. The decoded envelope keeps the version it was
 * written with. The bytes in the log are never rewritten.
 */
public interface Upcaster {

    /** The type name this upcaster reads, as it was written at {@link #fromVersion()}. */
    String type();

    /** The schema version it reads; it produces {@code fromVersion() + 1}. */
    int fromVersion();

    /**
     * Rewrites the whole envelope in place: its {@code payload} object, and its {@code type} when the
     * type was renamed. The codec sets {@code schemaVersion} itself.
     */
    void upcast(ObjectNode envelope);
}
