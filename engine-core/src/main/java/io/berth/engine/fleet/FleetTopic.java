package io.berth.engine.fleet;

import io.berth.eventlog.EventCodec;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventLogException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the mirror's topic as it is now (up to each partition's end when the read starts), drops
 * duplicates by host id + sequence, and returns the fleet's events in {@link FleetEvent#ORDER}.
 * No group, no committed offsets: a read changes nothing on the brokers.
 */
final class FleetTopic {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    /** What a read found besides the events: records that were not berth events, duplicates dropped. */
    record Read(List<FleetEvent> events, long duplicates, long unreadable, String firstUnreadable) {}

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, String> properties;

    FleetTopic(String bootstrapServers, String topic, Map<String, String> properties) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.properties = properties;
    }

    /**
     * Every event from {@code since} on (all when null).
     *
     * @throws FleetException when the brokers cannot be reached or the topic does not exist
     */
    Read read(Instant since) {
        Map<String, Object> config = new LinkedHashMap<>(properties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "berth-fleet");
        config.putIfAbsent("enable.metrics.push", "false");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        EventCodec codec = new EventCodec();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new FleetException("topic " + topic + " does not exist on " + bootstrapServers
                        + " (no daemon has mirrored to it yet?)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, TIMEOUT));
            seek(consumer, partitions, since, end);
            List<FleetEvent> events = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            long duplicates = 0;
            long unreadable = 0;
            String firstUnreadable = "";
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!atEnd(consumer, end)) {
                boolean any = false;
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    any = true;
                    EventEnvelope envelope;
                    try {
                        envelope = codec.decode(record.value());
                    } catch (EventLogException | NullPointerException e) {
                        if (unreadable++ == 0) {
                            firstUnreadable = "partition " + record.partition() + " offset " + record.offset() + ": "
                                    + (e.getMessage() == null ? "no value" : e.getMessage());
                        }
                        continue;
                    }
                    if (since != null && envelope.time().isBefore(since)) {
                        continue;
                    }
                    if (!seen.add(envelope.hostId() + "/" + envelope.sequence())) {
                        duplicates++;
                        continue;
                    }
                    events.add(new FleetEvent(envelope, record.value()));
                }
                if (any) {
                    deadline = System.nanoTime() + TIMEOUT.toNanos();
                } else if (System.nanoTime() > deadline) {
                    throw new FleetException("reading topic " + topic + " from " + bootstrapServers + ": no records for "
                            + TIMEOUT.toSeconds() + " s before the end of the topic");
                }
            }
            events.sort(FleetEvent.ORDER);
            return new Read(events, duplicates, unreadable, firstUnreadable);
        } catch (KafkaException e) {
            throw new FleetException("cannot read topic " + topic + " from " + bootstrapServers + ": "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " "), e);
        }
    }

    private static void seek(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Instant since,
                             Map<TopicPartition, Long> end) {
        if (since == null) {
            consumer.seekToBeginning(partitions);
            return;
        }
        // Records carry their event's time as the timestamp, so the brokers find where `since` begins.
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, since.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times, TIMEOUT);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = offsets.get(p);
            consumer.seek(p, at == null ? end.get(p) : at.offset());
        }
    }

    private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
