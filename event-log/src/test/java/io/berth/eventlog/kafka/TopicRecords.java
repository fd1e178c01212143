package io.berth.eventlog.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic with a real consumer, as a program downstream of the mirror would. */
public final class TopicRecords {
    /** One record as consumed. */
    public record Consumed(int partition, long offset, String key, byte[] value, String hostId, long sequence, String type) {}

    private TopicRecords() {}

    /**
     * Every record of {@code topic} from the beginning of each partition, read until {@code done}
     * accepts what was read so far (checked after each poll) or {@code timeout} passes; in partition
     * order, each partition in offset order.
     */
    public static List<Consumed> read(String bootstrapServers, String topic, Predicate<List<Consumed>> done, Duration timeout) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Consumed> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.isEmpty() && System.nanoTime() < deadline) {
                consumer.partitionsFor(topic, Duration.ofSeconds(5))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!done.test(all) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    all.add(new Consumed(r.partition(), r.offset(), r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                            r.value(), header(r, MirrorHeaders.HOST_ID), Long.parseLong(header(r, MirrorHeaders.SEQUENCE)),
                            header(r, MirrorHeaders.TYPE)));
                }
            }
        }
        return all;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        if (header == null) {
            throw new AssertionError("record at " + record.partition() + "/" + record.offset() + " has no header " + name);
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
