package io.berth.engine.container;

import java.util.TreeMap;

/**
 * What the log says about containers and volumes. The maps are the fold's own; a container in them is an
 * immutable {@link ContainerRecord} that each event replaces with a changed copy, so a reader holding one never
 * sees it change.
 */
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

    /** Docker's zero time, which a container never started or never exited shows. */
    public static final String NEVER = "0001-01-01T00:00:00Z";

    /**
     * One container as its events describe it.
     *
     * @param configJson {@code {"Config":…, "HostConfig":…}} as fixed at creation (or replaced by an update)
     * @param status created, running or exited ({@link ContainerStatus})
     * @param paused frozen by {@code pause}; the status stays running, as Docker's {@code State.Running} does
     * @param stoppedByUser whether the user stopped it (restart policies leave such containers alone)
     * @param healthChecked whether its configuration has a health check the daemon runs (fixed at creation)
     * @param health the health check's verdict: empty before its first start, then starting, healthy or unhealthy
     * @param healthFailingStreak consecutive failed probes when the verdict last changed
     * @param restartPolicy its restart policy's name ({@code no}, {@code always}, {@code unless-stopped},
     *     {@code on-failure}), fixed at creation
     * @param restartRetries the policy's {@code MaximumRetryCount} (on-failure)
     * @param autoRemove whether it is removed when it exits ({@code --rm}), fixed at creation
     * @param restarting between an exit and the restart its policy makes (Docker's {@code Restarting})
     */
    public record ContainerRecord(String id, String name, String image, String imageId, String configJson, String created,
                                  ContainerStatus status, long pid, boolean paused, String startedAt, String finishedAt,
                                  int exitCode, boolean oomKilled, String error, int restartCount, boolean stoppedByUser,
                                  boolean healthChecked, String health, int healthFailingStreak, String restartPolicy,
                                  int restartRetries, boolean autoRemove, boolean restarting) {
        /** Fills what a snapshot of an older berth lacks with the values of a container just created. */
        public ContainerRecord {
            status = status == null ? ContainerStatus.CREATED : status;
            startedAt = startedAt == null ? NEVER : startedAt;
            finishedAt = finishedAt == null ? NEVER : finishedAt;
            error = error == null ? "" : error;
            health = health == null ? "" : health;
            restartPolicy = restartPolicy == null ? "no" : restartPolicy;
        }

        /** A container just created, never started. */
        public static ContainerRecord created(String id, String name, String image, String imageId, String configJson, String created) {
            return new ContainerRecord(id, name, image, imageId, configJson, created, ContainerStatus.CREATED, 0, false, NEVER, NEVER,
                    0, false, "", 0, false, false, "", 0, "no", 0, false, false);
        }

        /** Whether its process runs (paused or not). */
        public boolean running() {
            return status == ContainerStatus.RUNNING;
        }

        /** Whether it was ever started (its start time is not Docker's zero time). */
        public boolean everStarted() {
            return !startedAt.startsWith("0001");
        }

        /** The status Docker shows: restarting or paused over the folded status. */
        public ContainerStatus shownStatus() {
            if (restarting) {
                return ContainerStatus.RESTARTING;
            }
            return paused && running() ? ContainerStatus.PAUSED : status;
        }

        public ContainerRecord withName(String newName) {
            return new ContainerRecord(id, newName, image, imageId, configJson, created, status, pid, paused, startedAt, finishedAt,
                    exitCode, oomKilled, error, restartCount, stoppedByUser, healthChecked, health, healthFailingStreak, restartPolicy,
                    restartRetries, autoRemove, restarting);
        }

        public ContainerRecord withPaused(boolean nowPaused) {
            return new ContainerRecord(id, name, image, imageId, configJson, created, status, pid, nowPaused, startedAt, finishedAt,
                    exitCode, oomKilled, error, restartCount, stoppedByUser, healthChecked, health, healthFailingStreak, restartPolicy,
                    restartRetries, autoRemove, restarting);
        }

        /** Stopped or killed by the user: no restart follows, and a pending one is called off. */
        public ContainerRecord withStoppedByUser() {
            return new ContainerRecord(id, name, image, imageId, configJson, created, status, pid, paused, startedAt, finishedAt,
                    exitCode, oomKilled, error, restartCount, true, healthChecked, health, healthFailingStreak, restartPolicy,
                    restartRetries, autoRemove, false);
        }

        public ContainerRecord withHealth(String verdict, int failingStreak) {
            return new ContainerRecord(id, name, image, imageId, configJson, created, status, pid, paused, startedAt, finishedAt,
                    exitCode, oomKilled, error, restartCount, stoppedByUser, healthChecked, verdict, failingStreak, restartPolicy,
                    restartRetries, autoRemove, restarting);
        }

        /** Its configuration replaced, with what the fold reads from it (health check, restart policy, {@code --rm}). */
        public ContainerRecord withConfig(String newConfigJson, boolean newHealthChecked, String newRestartPolicy, int newRestartRetries,
                                          boolean newAutoRemove) {
            return new ContainerRecord(id, name, image, imageId, newConfigJson, created, status, pid, paused, startedAt, finishedAt,
                    exitCode, oomKilled, error, restartCount, stoppedByUser, newHealthChecked, health, healthFailingStreak,
                    newRestartPolicy, newRestartRetries, newAutoRemove, restarting);
        }

        /** Started at {@code time} as process {@code newPid}; a run after the first counts as a restart. */
        public ContainerRecord withStarted(long newPid, String time) {
            boolean probe = healthChecked; // Docker's monitor starts each run as "starting"
            return new ContainerRecord(id, name, image, imageId, configJson, created, ContainerStatus.RUNNING, newPid, false, time,
                    finishedAt, 0, false, "", everStarted() ? restartCount + 1 : restartCount, false, healthChecked,
                    probe ? "starting" : health, probe ? 0 : healthFailingStreak, restartPolicy, restartRetries, autoRemove, false);
        }

        /** Its start failed with {@code code}: a container never started stays created. */
        public ContainerRecord withStartFailed(int code, String reason) {
            ContainerStatus after = status == ContainerStatus.CREATED && !everStarted() ? ContainerStatus.CREATED : ContainerStatus.EXITED;
            return new ContainerRecord(id, name, image, imageId, configJson, created, after, 0, paused, startedAt, finishedAt,
                    code, oomKilled, reason, restartCount, stoppedByUser, healthChecked, health, healthFailingStreak, restartPolicy,
                    restartRetries, autoRemove, false);
        }

        /** Its process ended at {@code time} with {@code code}; {@code restartFollows} whether its policy restarts it. */
        public ContainerRecord withExited(int code, boolean oom, String time, boolean restartFollows) {
            return new ContainerRecord(id, name, image, imageId, configJson, created, ContainerStatus.EXITED, 0, false, startedAt, time,
                    code, oom, error, restartCount, stoppedByUser, healthChecked, health, healthFailingStreak, restartPolicy,
                    restartRetries, autoRemove, restartFollows);
        }
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
