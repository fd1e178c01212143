package io.berth.engine.system;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What the log says about the daemon and its plugins: how often it started, when it last started and
 * stopped, and the outcome of loading each plugin at the last start.
 */
public final class SystemState {
    public String hostId = "";
    public long starts;
    public long stops;
    public String lastStartedAt;
    public String lastStoppedAt;
    public String version = "";
    /** The last event the newest compaction snapshot includes; 0 when the log was never compacted. */
    public long compactedThrough;
    /** That event's time (RFC 3339), null when never compacted. */
    public String compactedThroughTime;
    /** The compaction snapshot's file name, null when never compacted. */
    public String compactionSnapshot;
    /** Plugin id → the outcome of loading it at the last daemon start. */
    public TreeMap<String, PluginRecord> plugins = new TreeMap<>();

    /** One plugin as the log records it. */
    public static final class PluginRecord {
        public String id;
        public String version;
        public String path;
        /** {@code STARTED} or {@code FAILED}. */
        public String state;
        public String error;
        public List<String> extensions = new ArrayList<>();
    }
}
