package io.berth.eventlog.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Where the mirror sends events. Built from the daemon's config file keys {@code kafka-bootstrap-servers},
 * {@code kafka-topic} and {@code kafka-properties}, or the {@code berth daemon} flags of the same names.
 *
 * @param bootstrapServers the brokers to contact first, {@code host:port[,host:port…]}; the mirror is on
 *                         only when this is set
 * @param topic            the topic every event goes to; {@code berth.events} when left out
 * @param properties       Kafka producer properties passed through as they are (TLS, SASL, timeouts, …),
 *                         except those berth fixes: the serializers, {@code acks=all} and idempotence
 */
public record KafkaMirrorConfig(String bootstrapServers, String topic, Map<String, String> properties) {
    public static final String DEFAULT_TOPIC = "berth.events";

    /** Producer settings the mirror's guarantees rest on; a different value in {@code properties} is refused. */
    private static final Map<String, String> FIXED = Map.of(
            "acks", "all",
            "enable.idempotence", "true");
    private static final Set<String> BERTH_OWNED = Set.of("key.serializer", "value.serializer", "bootstrap.servers");

    public KafkaMirrorConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafka-bootstrap-servers is empty");
        }
        for (String server : bootstrapServers.split(",")) {
            String s = server.strip();
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1 || !s.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("kafka-bootstrap-servers: \"" + s + "\" is not HOST:PORT");
            }
        }
        topic = topic == null || topic.isBlank() ? DEFAULT_TOPIC : topic;
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("kafka-topic: \"" + topic
                    + "\" is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most 249)");
        }
        properties = Map.copyOf(properties == null ? Map.of() : properties);
        for (Map.Entry<String, String> property : properties.entrySet()) {
            String fixed = FIXED.get(property.getKey());
            if (fixed != null && !fixed.equalsIgnoreCase(property.getValue().strip())) {
                throw new IllegalArgumentException("kafka-properties: " + property.getKey() + "=" + property.getValue()
                        + " is not allowed: the mirror needs " + property.getKey() + "=" + fixed);
            }
            if (BERTH_OWNED.contains(property.getKey())) {
                throw new IllegalArgumentException("kafka-properties: " + property.getKey()
                        + " is set by berth" + (property.getKey().equals("bootstrap.servers") ? " (use kafka-bootstrap-servers)" : ""));
            }
        }
    }

    /** The producer's properties: the pass-through ones, then berth's fixed ones. */
    Properties producerProperties() {
        Map<String, String> all = new LinkedHashMap<>();
        // Fail a send that cannot reach a broker within a few seconds: the mirror then says it is down and retries
        // from its cursor, rather than keeping records in the producer's buffer without telling anyone.
        all.put("max.block.ms", "5000");
        all.put("delivery.timeout.ms", "30000");
        all.put("request.timeout.ms", "10000");
        all.put("linger.ms", "5");
        all.put("batch.size", "262144"); // bigger batches carry a burst with fewer requests
        all.put("compression.type", "lz4");
        all.put("client.id", "berth-mirror");
        all.put("enable.metrics.push", "false"); // no client telemetry, even to the brokers, unless asked for
        all.putAll(properties);
        all.put("bootstrap.servers", bootstrapServers);
        all.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        all.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        all.putAll(FIXED);
        all.put("max.in.flight.requests.per.connection", properties.getOrDefault("max.in.flight.requests.per.connection", "5"));
        Properties props = new Properties();
        props.putAll(all);
        return props;
    }
}
