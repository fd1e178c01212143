package io.berth.eventlog.kafka;

import java.time.Instant;

/**
 * What the mirror is doing, for {@code berth info} and the metrics.
 *
 * @param state         {@code off}, {@code connecting} (no broker has answered yet), {@code connected}
 *                      or {@code down}
 * @param since         when the mirror entered this state (null when off)
 * @param lastError     the last failure, one line (empty when there was none)
 * @param topic         the topic (empty when off)
 * @param bootstrapServers the brokers (empty when off)
 * @param lastSequence  the log's last appended sequence
 * @param acknowledged  the last sequence such that it and every one before it was acknowledged by the brokers
 * @param sent          records handed to the producer since the daemon started (a resend counts again)
 */
public record MirrorStatus(String state, Instant since, String lastError, String topic, String bootstrapServers,
                           long lastSequence, long acknowledged, long sent) {

    /** Events appended but not yet acknowledged by the brokers. */
    public long lag() {
        return Math.max(0, lastSequence - acknowledged);
    }

    public static MirrorStatus off(long lastSequence) {
        return new MirrorStatus("off", null, "", "", "", lastSequence, 0, 0);
    }
}
