package io.berth.eventlog.bench;

import io.berth.eventlog.Actor;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventCodec;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventReader;
import io.berth.eventlog.PendingEvent;
import io.berth.eventlog.events.PluginEvent.PluginFailed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Measures the event log: appends synced per batch of 1 and of 100, unsynced appends, a read of
 * 1 M events decoding every envelope, and the codec's decode alone. Not a test; run by
 * {@code bench/event-log-bench.sh}. Arguments: the directory to use (default: a temp dir), the number of
 * events read back (default 1,000,000).
 */
public final class EventLogBenchmark {
    private EventLogBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("berth-bench");
        int readCount = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Actor actor = new Actor(1000, "alice", 4242, "berth-cli/0.1.0");
        EventCodec codec = new EventCodec();
        try {
            appendBench(base.resolve("sync1"), codec, actor, true, 1, 2_000);
            appendBench(base.resolve("sync100"), codec, actor, true, 100, 100_000);
            appendBench(base.resolve("nosync"), codec, actor, false, 100, readCount);
            for (int round = 0; round < 3; round++) {
                readBench(base.resolve("nosync"), readCount);
            }
            decodeBench(base.resolve("nosync"), codec);
        } finally {
            deleteTree(base);
        }
    }

    private static List<PendingEvent> batch(Actor actor, int from, int size) {
        List<PendingEvent> batch = new ArrayList<>(size);
        for (int i = from; i < from + size; i++) {
            batch.add(new PendingEvent(new PluginFailed("plugin-" + i, "/var/lib/berth/plugins/plugin-" + i + ".jar",
                    "no Plugin-Id in the manifest"), actor, "req-" + i));
        }
        return batch;
    }

    private static void appendBench(Path dir, EventCodec codec, Actor actor, boolean sync, int batchSize, int count) {
        ChronicleEventLog.Options options = ChronicleEventLog.Options.defaults().withSync(sync);
        try (ChronicleEventLog log = ChronicleEventLog.open(dir, options, codec)) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i += batchSize) {
                log.append(batch(actor, i, batchSize));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("append %s, batches of %d: %,d events in %.2f s = %,.0f events/s, %.1f µs/event, %.1f µs/batch%n",
                    sync ? "synced" : "unsynced", batchSize, count, seconds, count / seconds, seconds * 1e6 / count,
                    seconds * 1e6 / (count / (double) batchSize));
        }
    }

    private static void readBench(Path dir, int count) {
        long start = System.nanoTime();
        try (ChronicleEventLog log = ChronicleEventLog.open(dir)) {
            long opened = System.nanoTime();
            long n = 0;
            long checksum = 0;
            try (EventReader reader = log.readFromSequence(0)) {
                for (Optional<EventEnvelope> e = reader.next(); e.isPresent(); e = reader.next()) {
                    n++;
                    checksum += e.get().payload().subject().length();
                }
            }
            double readSeconds = (System.nanoTime() - opened) / 1e9;
            System.out.printf("open %.2f s; read+decode %,d events in %.3f s = %,.0f events/s, %.2f µs/event (checksum %d)%n",
                    (opened - start) / 1e9, n, readSeconds, n / readSeconds, readSeconds * 1e6 / n, checksum);
        }
    }

    private static void decodeBench(Path dir, EventCodec codec) {
        byte[] sample;
        try (ChronicleEventLog log = ChronicleEventLog.open(dir); EventReader reader = log.readFromSequence(0)) {
            sample = codec.encode(reader.next().orElseThrow());
        }
        for (int round = 0; round < 3; round++) {
            int n = 1_000_000;
            long start = System.nanoTime();
            long checksum = 0;
            for (int i = 0; i < n; i++) {
                checksum += codec.decode(sample).sequence();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("codec decode alone (%d-byte envelope): %,d in %.3f s = %.2f µs/envelope (checksum %d)%n",
                    sample.length, n, seconds, seconds * 1e6 / n, checksum);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
