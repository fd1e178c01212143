package io.berth.engine.container;

import java.util.TreeMap;

/** What the log says about containers and volumes. */
public final class ContainerState {
    /**
     * The version of {@link ContainerProjection}'s fold that made this state: 0 in snapshots written before
     * versions were kept (a field missing from a snapshot reads as 0), {@link ContainerProjection#FOLD_VERSION}
     * for a state folded now.
     */
    public int foldVersion;
    /** Container id → container. */
    public TreeMap<String, ContainerRecord> containers = new TreeMap<>();
    /** Name → container id. */
    public TreeMap<String, String> names = new TreeMap<>();
    /** Every name a container ever had → the ids that had it (kept after removal, for event filters). */
    public TreeMap<String, java.util.TreeSet<String>> nameHistory = new TreeMap<>();
    /** Volume name → volume. */
    public TreeMap<String, VolumeRecord> volumes = new TreeMap<>();

    /** One container as its events describe it. */
    public static final class ContainerRecord {
        public String id;
        public String name;
        public String image;
        public String imageId;
        /** {@code {"Config":…, "HostConfig":…}} as fixed at creation. */
        public String configJson;
        public String created;
        /** Docker's state names: created, running, exited, dead. */
        public String status = "created";
        public long pid;
        /** Frozen by {@code pause}; the status stays {@code running}, as Docker's {@code State.Running} does. */
        public boolean paused;
        public String startedAt = "0001-01-01T00:00:00Z";
        public String finishedAt = "0001-01-01T00:00:00Z";
        public int exitCode;
        public boolean oomKilled;
        public String error = "";
        public int restartCount;
        /** Whether the user stopped it (restart policies leave such containers alone). */
        public boolean stoppedByUser;
        /** Whether its configuration has a health check the daemon runs (fixed at creation). */
        public boolean healthChecked;
        /** The health check's verdict: empty before its first start, then starting, healthy or unhealthy. */
        public String health = "";
        /** Consecutive failed probes when the verdict last changed. */
        public int healthFailingStreak;
        /** Its restart policy's name ({@code no}, {@code always}, {@code unless-stopped}, {@code on-failure}), fixed at creation. */
        public String restartPolicy = "no";
        /** The policy's {@code MaximumRetryCount} (on-failure). */
        public int restartRetries;
        /** Whether it is removed when it exits ({@code --rm}), fixed at creation. */
        public boolean autoRemove;
        /** Between an exit and the restart its policy makes (Docker's {@code Restarting}). */
        public boolean restarting;
    }

    /** One volume. */
    public static final class VolumeRecord {
        public String name;
        public String driver;
        public String mountpoint;
        public TreeMap<String, String> labels = new TreeMap<>();
        public boolean anonymous;
        public String createdAt;
    }
}
