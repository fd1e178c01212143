package io.berth.eventlog;

import java.util.List;

/**
 * The upcasters this build registers: every change of an event type's shape that needs more than an
 * added field (Jackson ignores unknown fields and leaves missing ones at their defaults) adds one here
 * together with a new {@link EventEnvelope#CURRENT_SCHEMA_VERSION}, so logs written before the change
 * still read. Schema 1 is the first released shape, so the list is empty; the mechanism and a log
 * in an older shape are tested with the fixture in {@code src/test/resources/fixtures/schema0-log}
 * (see event-log/README.md, "Schema evolution").
 */
public final class Upcasters {
    private Upcasters() {}

    /** Every upcaster of this build, for {@link EventCodec#EventCodec(List)}. */
    public static List<Upcaster> all() {
        return List.of();
    }

    /** The codec every reader and writer of this build uses: the current schema plus {@link #all()}. */
    public static EventCodec codec() {
        return new EventCodec(all());
    }
}
