package io.berth.engine.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The record of every build, folded from build events by {@link BuildProjection}: what went in, each
 * step with its cache decision, what came out, who ran it. Also the cache index: a step's cache key
 * to the step that produced its result. Plain mutable fields with sorted maps so snapshots compare as JSON.
 */
public final class BuildState {
    /** Builds by id. */
    public TreeMap<String, BuildRecord> builds = new TreeMap<>();
    /** Cache key to the step that ran with it (the most recent one). */
    public TreeMap<String, CacheEntry> cache = new TreeMap<>();

    /** One build. */
    public static final class BuildRecord {
        public String id;
        public String status; // running, completed, failed
        public String startedAt;
        public String finishedAt = "";
        public String contextDigest;
        public String dockerfileName;
        public String dockerfileDigest;
        public TreeMap<String, String> buildArgs = new TreeMap<>();
        public String target;
        public List<String> tags = new ArrayList<>();
        public TreeMap<String, String> labels = new TreeMap<>();
        public boolean noCache;
        public String replayOf = "";
        public String user;
        public int uid;
        public long pid;
        public String client;
        public String correlationId;
        public List<StepRecord> steps = new ArrayList<>();
        public String imageId = "";
        public String error = "";
        public String logDigest = "";
        public long durationMillis;

        /** @return the step with that number, adding it when new */
        StepRecord step(int number) {
            for (StepRecord s : steps) {
                if (s.step == number) {
                    return s;
                }
            }
            StepRecord s = new StepRecord();
            s.step = number;
            steps.add(s);
            return s;
        }
    }

    /** One step of a build. */
    public static final class StepRecord {
        public int step;
        public String stage = "";
        public String instruction = "";
        public String location = "";
        public String decision = "running"; // running, cached, built, failed
        public String reason = "";
        public String parentKey = "";
        public String cacheKey = "";
        public TreeMap<String, String> args = new TreeMap<>();
        public TreeMap<String, String> sources = new TreeMap<>();
        public String diffId = "";
        public String layerDigest = "";
        public long layerSize;
        public long durationMillis;
        public String fromBuild = "";
        public int fromStep;
        public int exitCode;
        public List<String> lastOutput = new ArrayList<>();
        /** The step's cache mounts, {@code ID at TARGET (SHARING)}, in the order they were mounted. */
        public List<String> cacheMounts = new ArrayList<>();
    }

    /** Where a cached result came from. */
    public static final class CacheEntry {
        public String buildId;
        public int step;
        public String diffId = "";
        public String layerDigest = "";
        public long layerSize;

        public CacheEntry() {
        }

        CacheEntry(String buildId, int step, String diffId, String layerDigest, long layerSize) {
            this.buildId = buildId;
            this.step = step;
            this.diffId = diffId;
            this.layerDigest = layerDigest;
            this.layerSize = layerSize;
        }
    }

    static TreeMap<String, String> sorted(Map<String, String> map) {
        return new TreeMap<>(map);
    }
}
