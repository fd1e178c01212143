package io.berth.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.DaemonOptions;
import io.berth.engine.api.TimeBound;
import io.berth.engine.history.TimeTravel;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.projection.Projections;
import io.berth.engine.projection.SnapshotStore;
import io.berth.eventlog.Actor;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventReader;
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

/**
 * Time travel on a big log: writes N events (image pulls, tags, untags, notes, pushes) through the
 * journal with the daemon's default snapshot interval, as a daemon that ran that long would have, then
 * measures {@link TimeTravel#at} (a cold state each time: the cache is bypassed by asking for new
 * moments) at several points in the log. Leaves the root for bench/history-bench.sh, which times
 * the CLI against a daemon on it. Arguments: events, root.
 */
public final class HistoryBenchmark {
    private HistoryBenchmark() {}

    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(args[0]);
        Path root = Files.createDirectories(Path.of(args[1]));
        ObjectMapper mapper = new ObjectMapper();
        SnapshotStore snapshots = new SnapshotStore(root.resolve("snapshots"), mapper);
        long start = System.nanoTime();
        try (ChronicleEventLog log = ChronicleEventLog.open(root.resolve("events"),
                ChronicleEventLog.Options.defaults().withSync(false), new io.berth.eventlog.EventCodec())) {
            Journal journal = new Journal(log, new Projections(Daemon.projections()), snapshots, mapper,
                    DaemonOptions.DEFAULT_SNAPSHOT_EVERY);
            RequestContext alice = new RequestContext(new Actor(1000, "alice", 4242, "berth-cli/0.1.0"), "bench");
            List<Event> batch = new ArrayList<>(1000);
            for (int i = 0; i < events; i++) {
                batch.add(event(i));
                if (batch.size() == 1000) {
                    journal.record(alice, batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                journal.record(alice, batch);
            }
            System.out.printf("wrote %,d events through the journal in %.1f s; snapshots kept at %s%n", events,
                    (System.nanoTime() - start) / 1e9, snapshots.sequences());

            TimeTravel travel = new TimeTravel(journal, snapshots, mapper);
            for (int round = 1; round <= 2; round++) {
                for (double fraction : new double[] {0.05, 0.25, 0.5, 0.75, 0.999}) {
                    long sequence = (long) (events * fraction) - round; // a new moment each round: nothing cached
                    EventEnvelope event;
                    try (EventReader reader = log.readFromSequence(sequence - 1)) {
                        event = reader.next().orElseThrow();
                    }
                    long t0 = System.nanoTime();
                    TimeTravel.View view = travel.at(new TimeBound(event.time(), -1));
                    long took = System.nanoTime() - t0;
                    int images = view.projections().read(io.berth.engine.image.ImageProjection.INSTANCE, s -> s.images.size());
                    System.out.printf("round %d: state at %s (seq %,d): %.3f s, %d images%n", round, event.time(), view.sequence(),
                            took / 1e9, images);
                }
            }
        }
    }

    /** A realistic mix, as ReplayBenchmark's. */
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
}
