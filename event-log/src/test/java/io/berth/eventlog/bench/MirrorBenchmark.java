package io.berth.eventlog.bench;

import io.berth.eventlog.Actor;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventCodec;
import io.berth.eventlog.PendingEvent;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.NoteEvent;
import io.berth.eventlog.kafka.KafkaBroker;
import io.berth.eventlog.kafka.KafkaMirror;
import io.berth.eventlog.kafka.KafkaMirrorConfig;
import io.berth.eventlog.kafka.MirrorStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Measures the Kafka mirror against a real local broker (one KRaft node, its own JVM): (1) a burst of
 * N events appended as fast as the log takes them with the mirror on: the lag when the burst ends and
 * how long the mirror takes to catch up; (2) catch-up alone: N events already in the log, the mirror
 * started afterwards. Not a test; run by {@code bench/mirror-bench.sh [events]} (default 1,000,000).
 */
public final class MirrorBenchmark {
    private static final Actor ACTOR = new Actor(1000, "alice", 4242, "berth-cli/0.1.0");

    private MirrorBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path base = Files.createTempDirectory("berth-mirror-bench");
        try (KafkaBroker broker = KafkaBroker.start(base)) {
            System.out.printf("broker %s up; %,d events per run, appended unsynced in batches of 100%n", broker.bootstrapServers(), count);
            burst(base.resolve("burst"), broker, count);
            catchUp(base.resolve("catch-up"), broker, count);
        } finally {
            deleteTree(base);
        }
    }

    private static void burst(Path dir, KafkaBroker broker, int count) throws Exception {
        try (ChronicleEventLog log = open(dir);
             KafkaMirror mirror = KafkaMirror.start(log, dir, new KafkaMirrorConfig(broker.bootstrapServers(), "bench.burst", Map.of()))) {
            awaitState(mirror, "connected");
            long t0 = System.nanoTime();
            append(log, count);
            long appended = System.nanoTime();
            MirrorStatus atEnd = mirror.status();
            awaitAcknowledged(mirror, count);
            long caughtUp = System.nanoTime();
            System.out.printf("burst: appended %,d in %.2f s (%,.0f events/s); lag when the burst ended %,d events;"
                            + " caught up %.2f s later; mirrored %,.0f events/s overall (first append to last acknowledgement)%n",
                    count, seconds(appended - t0), count / seconds(appended - t0), atEnd.lag(), seconds(caughtUp - appended),
                    count / seconds(caughtUp - t0));
        }
    }

    private static void catchUp(Path dir, KafkaBroker broker, int count) throws Exception {
        try (ChronicleEventLog log = open(dir)) {
            append(log, count);
            long t0 = System.nanoTime();
            try (KafkaMirror mirror = KafkaMirror.start(log, dir, new KafkaMirrorConfig(broker.bootstrapServers(), "bench.catchup", Map.of()))) {
                awaitAcknowledged(mirror, count);
                long done = System.nanoTime();
                System.out.printf("catch-up: %,d events already in the log mirrored in %.2f s (%,.0f events/s, from the mirror's start,"
                        + " broker connection included)%n", count, seconds(done - t0), count / seconds(done - t0));
            }
        }
    }

    private static ChronicleEventLog open(Path dir) {
        return ChronicleEventLog.open(dir, ChronicleEventLog.Options.defaults().withSync(false), new EventCodec());
    }

    /** Container events over 50 subjects with a note every tenth: about 250 bytes each, like a busy host's. */
    private static void append(ChronicleEventLog log, int count) {
        List<PendingEvent> batch = new ArrayList<>(100);
        for (int i = 1; i <= count; i++) {
            Event event = i % 10 == 0 ? new NoteEvent.NoteRecorded(log.hostId(), "note " + i)
                    : new ContainerEvent.ContainerStarted(String.format("%064x", i % 50), 10_000 + i);
            batch.add(new PendingEvent(event, ACTOR, "corr-" + (i / 3)));
            if (batch.size() == 100) {
                log.append(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            log.append(batch);
        }
    }

    private static void awaitState(KafkaMirror mirror, String state) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!mirror.status().state().equals(state)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("mirror not " + state + ": " + mirror.status());
            }
            Thread.sleep(20);
        }
    }

    private static void awaitAcknowledged(KafkaMirror mirror, long sequence) throws InterruptedException {
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (mirror.status().acknowledged() < sequence) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not acknowledged within 10 minutes: " + mirror.status());
            }
            Thread.sleep(5);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
