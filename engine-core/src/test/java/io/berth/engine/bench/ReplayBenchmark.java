package io.berth.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.DaemonOptions;
import io.berth.engine.projection.ProjectionRecovery;
import io.berth.engine.projection.Projections;
import io.berth.engine.projection.SnapshotStore;
import io.berth.eventlog.Actor;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.PendingEvent;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.eventlog.events.NoteEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Replay and start-up on a big log: writes N events (a mix of image pulls, tags, removals and
 * notes), then measures (1) a full replay into fresh projections, (2) a daemon start on that root
 * with a snapshot near the end, (3) a daemon start with no snapshot. Run by bench/bench.sh.
 */
public final class ReplayBenchmark {
    private ReplayBenchmark() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        // a second argument keeps the root there (for timing a daemon process on it), else a temporary one is removed
        boolean keep = args.length > 1;
        Path root = keep ? Files.createDirectories(Path.of(args[1])) : Files.createTempDirectory("berth-replay-bench");
        ObjectMapper mapper = new ObjectMapper();
        if (keep && Files.isDirectory(root.resolve("events"))) {
            // a root kept by an earlier run is reused as it is, so repeated runs time only the replay and start
            System.out.printf("reusing the log in %s%n", root);
        } else {
            System.out.printf("writing %,d events to %s%n", events, root);
            long written = write(root.resolve("events"), events);
            System.out.printf("wrote %,d events in %.2f s%n", events, written / 1e9);
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

        int rounds = Integer.getInteger("replay.rounds", 3);
        for (int round = 1; round <= rounds; round++) {
            try (EventLog log = ChronicleEventLog.open(root.resolve("events"))) {
                Projections projections = new Projections(Daemon.projections());
                long start = System.nanoTime();
                long cpuStart = os.getProcessCpuTime();
                long folded = ProjectionRecovery.foldRange(projections, log, 0, log.lastSequence());
                long took = System.nanoTime() - start;
                long cpu = os.getProcessCpuTime() - cpuStart;
                // CPU time (all threads, JIT and GC included) alongside wall time: on a shared, busy machine
                // the wall time says more about the neighbours than about the replay
                System.out.printf("full replay %d: %,d events into projections in %.3f s (%.2f µs/event), process CPU %.3f s%n",
                        round, folded, took / 1e9, took / 1e3 / folded, cpu / 1e9);
                if (round == rounds) {
                    new SnapshotStore(root.resolve("snapshots"), mapper).write(projections.toJson(mapper));
                }
            }
        }
        if (Boolean.getBoolean("replay.only")) {
            return; // replay figures only (A/B runs against a kept root)
        }
        // a few events after the snapshot, as a daemon that ran on would have
        try (EventLog log = ChronicleEventLog.open(root.resolve("events"))) {
            log.append(List.of(new PendingEvent(new NoteEvent.NoteRecorded(log.hostId(), "after the snapshot"),
                    Actor.self("bench"), "bench")));
        }
        DaemonOptions options = new DaemonOptions(root, root.resolve("berth.sock"), root.resolve("berth.pid"), List.of(),
                DaemonOptions.DEFAULT_SNAPSHOT_EVERY, Map.of(), DaemonOptions.DEFAULT_PARALLEL_DOWNLOADS);
        for (int round = 1; round <= 3; round++) {
            long start = System.nanoTime();
            Daemon daemon = new Daemon(options);
            daemon.start();
            long took = System.nanoTime() - start;
            System.out.printf("daemon start %d on a %,d-event log with a snapshot: %.3f s%n", round, events, took / 1e9);
            daemon.stop("benchmark");
        }
        System.out.printf("log directory size: %,d bytes%n", size(root.resolve("events")));
        if (!keep) {
            deleteTree(root);
        }
    }

    private static long write(Path dir, int count) {
        long start = System.nanoTime();
        Actor actor = new Actor(1000, "alice", 4242, "berth-cli/0.1.0");
        try (EventLog log = ChronicleEventLog.open(dir, ChronicleEventLog.Options.defaults().withSync(false),
                new io.berth.eventlog.EventCodec())) {
            List<PendingEvent> batch = new ArrayList<>(1000);
            for (int i = 0; i < count; i++) {
                batch.add(new PendingEvent(event(i), actor, "corr-" + (i / 10)));
                if (batch.size() == 1000) {
                    log.append(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                log.append(batch);
            }
        }
        return System.nanoTime() - start;
    }

    /** A realistic mix: pulls of a few hundred images, tags moving, removals, notes. */
    private static Event event(int i) {
        String image = digest(i % 500);
        String layer = digest(1_000_000 + i % 700);
        return switch (i % 10) {
            case 0 -> new ImageEvent.PullStarted("docker.io/library/app" + (i % 500) + ":latest", "linux/amd64");
            case 1 -> new ImageEvent.LayerDownloaded("docker.io/library/app" + (i % 500) + ":latest", layer, 2_000_000, 0, false);
            case 2 -> new ImageEvent.LayerUnpacked("docker.io/library/app" + (i % 500) + ":latest", layer, layer, 5_000_000);
            case 3 -> new ImageEvent.ImagePulled("docker.io/library/app" + (i % 500) + ":latest",
                    "docker.io/library/app" + (i % 500) + "@" + digest(2_000_000 + i % 500),
                    new ImageDescription(image, digest(2_000_000 + i % 500), "application/vnd.oci.image.manifest.v1+json",
                            "application/vnd.oci.image.config.v1+json",
                            List.of(new ImageLayer(layer, "application/vnd.oci.image.layer.v1.tar+gzip", 2_000_000, layer, layer)),
                            "linux", "amd64", "", "2026-11-28T10:00:00Z", 5_000_000), false);
            case 4, 5 -> new ImageEvent.ImageTagged(image, "docker.io/library/app" + (i % 500) + ":v" + (i % 7));
            case 6 -> new ImageEvent.ImageUntagged(image, "docker.io/library/app" + (i % 500) + ":v" + (i % 7));
            case 7 -> new NoteEvent.NoteRecorded("host", "note " + i);
            case 8 -> new ImageEvent.BlobRemoved(digest(3_000_000 + i), 1234);
            default -> new ImageEvent.ImagePushed(image, "127.0.0.1:5000/app:" + i % 7, digest(2_000_000 + i % 500), 1, 0);
        };
    }

    private static String digest(int n) {
        byte[] bytes = new byte[32];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) (n >>> (8 * i));
        }
        return "sha256:" + HexFormat.of().formatHex(bytes);
    }

    private static long size(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
