package io.berth.engine.build;

import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.BuildEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A build's step events, appended in as few synced appends as the build allows. A step's start
 * waits for its outcome, and a run of cached steps waits for the next step that does work (or the
 * end of the build), so a fully cached build makes one synced append for all its steps instead of
 * one per step. Everything pending is appended before anything else reads or writes the log on the
 * build's behalf: a cache miss (its reason reads the build records), a layer being made, a base
 * image that may be pulled, a failure, the end.
 */
final class BuildEvents {
    private final Journal journal;
    private final RequestContext context;
    private final List<BuildEvent> pending = new ArrayList<>();

    BuildEvents(Journal journal, RequestContext context) {
        this.journal = journal;
        this.context = context;
    }

    /** Holds an event (a step's start, a cached step's outcome) for the next append. */
    void defer(BuildEvent event) {
        pending.add(event);
    }

    /** Appends an event now, after everything pending. */
    void record(BuildEvent event) {
        pending.add(event);
        flush();
    }

    /** Appends everything pending, in order, in one synced append. */
    void flush() {
        if (!pending.isEmpty()) {
            List<BuildEvent> events = List.copyOf(pending);
            pending.clear();
            journal.record(context, events);
        }
    }
}
