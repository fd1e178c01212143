package io.berth.eventlog.kafka;

import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.EventReader;
import io.berth.eventlog.LoggedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Copies every event of the log to a Kafka topic, on its own thread with its own reader, so appending
 * never waits for Kafka. One record per event: key = the subject, value = the envelope's bytes as the
 * log holds them, headers = {@link MirrorHeaders}. The producer is idempotent with {@code acks=all}.
 *
 * <p>Progress is the highest sequence {@code A} such that the brokers acknowledged every event up to
 * {@code A}; it is kept in a {@link MirrorCursor} in the log's directory. A <em>session</em> is one
 * producer: it starts reading after {@code A}, sends in log order, and ends when a send fails (broker
 * down, network cut, delivery timeout) or the mirror stops. The next session starts again after the
 * then-current {@code A}. Events sent but not acknowledged in a failed session are therefore sent
 * again, which is the one way a duplicate arises (see event-log/README.md, "Kafka mirror").
 */
public final class KafkaMirror implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("berth.kafka-mirror");
    /** Bounds the producer's buffer (about 10 MB of typical events): the reader waits beyond it. */
    private static final int MAX_IN_FLIGHT = 20_000;
    /** In flight this long without an acknowledgement: reported as down before the producer gives up. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long CURSOR_WRITE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final EventLog log;
    private final KafkaMirrorConfig config;
    private final MirrorCursor cursor;
    private final Thread thread;
    private volatile boolean running = true;

    // Shared with the producer's callbacks; guarded by this.
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private long generation;
    private long handedOver;
    private long acknowledged;
    private long sent;
    private boolean sessionFailed;
    private long lastProgressNanos = System.nanoTime();
    private String state = "connecting";
    private Instant since = Instant.now();
    private String lastError = "";
    private long cursorWritten;

    private KafkaMirror(EventLog log, Path logDirectory, KafkaMirrorConfig config) {
        this.log = log;
        this.config = config;
        this.cursor = new MirrorCursor(logDirectory);
        this.acknowledged = Math.min(cursor.read(config.topic()), log.lastSequence());
        this.cursorWritten = acknowledged;
        this.thread = Thread.ofPlatform().daemon().name("berth-kafka-mirror").unstarted(this::run);
    }

    /**
     * Checks the configuration and the cursor and starts mirroring {@code log} (whose files are in
     * {@code logDirectory}). Never waits for a broker: an unreachable one shows in {@link #status()}.
     *
     * @throws IllegalArgumentException when the producer properties are invalid
     * @throws io.berth.eventlog.EventLogException when the cursor file exists but is unreadable
     */
    public static KafkaMirror start(EventLog log, Path logDirectory, KafkaMirrorConfig config) {
        validate(config);
        KafkaMirror mirror = new KafkaMirror(log, logDirectory, config);
        mirror.thread.start();
        return mirror;
    }

    /** Lets Kafka's own configuration check run before the daemon starts (an invalid value, a conflict). */
    public static void validate(KafkaMirrorConfig config) {
        try {
            new ProducerConfig(config.producerProperties());
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalArgumentException("kafka-properties: " + e.getMessage(), e);
        }
    }

    public KafkaMirrorConfig config() {
        return config;
    }

    public MirrorStatus status() {
        long lastSequence = log.lastSequence(); // outside the lock: it may wait for an append's sync
        return status(lastSequence);
    }

    private synchronized MirrorStatus status(long lastSequence) {
        if (!inFlight.isEmpty() && !"down".equals(state) && System.nanoTime() - lastProgressNanos > STALL_NANOS) {
            enter("down", "no acknowledgement from " + config.bootstrapServers() + " for "
                    + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastProgressNanos) + " s");
        }
        return new MirrorStatus(state, since, lastError, config.topic(), config.bootstrapServers(), lastSequence,
                acknowledged, sent);
    }

    private void run() {
        Duration backoff = Duration.ofSeconds(1);
        while (running) {
            long ackedBefore;
            synchronized (this) {
                ackedBefore = acknowledged;
            }
            runSession();
            writeCursor();
            synchronized (this) {
                if (acknowledged > ackedBefore) {
                    backoff = Duration.ofSeconds(1);
                }
            }
            if (running) {
                sleepWhileRunning(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private void runSession() {
        KafkaProducer<byte[], byte[]> producer = null;
        EventReader reader = null;
        boolean clean = false;
        long session;
        long from;
        synchronized (this) {
            session = ++generation;
            sessionFailed = false;
            inFlight.clear();
            from = acknowledged;
            handedOver = acknowledged;
        }
        try {
            producer = new KafkaProducer<>(config.producerProperties());
            // First contact (and the topic's creation where the brokers create topics): fails within max.block.ms.
            producer.partitionsFor(config.topic());
            synchronized (this) {
                if (!"connected".equals(state)) {
                    enter("connected", lastError);
                }
                lastProgressNanos = System.nanoTime();
            }
            reader = log.readFromSequence(from);
            long lastCursorWrite = System.nanoTime();
            while (running) {
                synchronized (this) {
                    if (sessionFailed) {
                        break;
                    }
                    if (inFlight.size() >= MAX_IN_FLIGHT) {
                        wait(100);
                        continue;
                    }
                }
                Optional<LoggedEvent> next = reader.nextLogged(Duration.ofMillis(100));
                if (next.isPresent()) {
                    send(producer, session, next.get());
                }
                if (System.nanoTime() - lastCursorWrite > CURSOR_WRITE_NANOS) {
                    writeCursor();
                    lastCursorWrite = System.nanoTime();
                }
            }
            if (!running) {
                // the daemon records its stop just before closing the mirror: send what is left, briefly
                long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                Optional<LoggedEvent> next;
                while (!sessionFailed() && System.nanoTime() < drainUntil && inFlightCount() < MAX_IN_FLIGHT
                        && (next = reader.nextLogged(Duration.ZERO)).isPresent()) {
                    send(producer, session, next.get());
                }
                awaitInFlight(Duration.ofSeconds(5));
                clean = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(session, e);
        } finally {
            synchronized (this) {
                generation++; // callbacks of this session that arrive late change nothing
            }
            if (reader != null) {
                reader.close();
            }
            if (producer != null) {
                try {
                    producer.close(clean ? Duration.ofSeconds(5) : Duration.ZERO);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing the Kafka producer: " + e);
                }
            }
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, long session, LoggedEvent logged) {
        EventEnvelope event = logged.envelope();
        long sequence = event.sequence();
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(MirrorHeaders.HOST_ID, event.hostId().getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader(MirrorHeaders.SEQUENCE, Long.toString(sequence).getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader(MirrorHeaders.TYPE, event.type().getBytes(StandardCharsets.UTF_8)));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(config.topic(), null, event.time().toEpochMilli(),
                event.subject().getBytes(StandardCharsets.UTF_8), logged.bytes(), headers);
        synchronized (this) {
            if (inFlight.isEmpty()) {
                lastProgressNanos = System.nanoTime();
            }
            inFlight.add(sequence);
            handedOver = sequence;
            sent++;
        }
        producer.send(record, (metadata, exception) -> completed(session, sequence, exception));
    }

    private synchronized void completed(long session, long sequence, Exception exception) {
        if (session != generation) {
            return;
        }
        if (exception != null) {
            fail(session, exception);
            return;
        }
        inFlight.remove(sequence);
        long watermark = inFlight.isEmpty() ? handedOver : inFlight.first() - 1;
        if (watermark > acknowledged) {
            acknowledged = watermark;
        }
        lastProgressNanos = System.nanoTime();
        if (!"connected".equals(state)) {
            enter("connected", lastError);
        }
        notifyAll();
    }

    private synchronized void fail(long session, Throwable failure) {
        if (session != generation) {
            return;
        }
        sessionFailed = true;
        String reason = oneLine(failure);
        if (!"down".equals(state)) {
            LOG.log(System.Logger.Level.WARNING, "Kafka mirror to " + config.bootstrapServers() + " is down after sequence "
                    + acknowledged + ": " + reason);
        }
        enter("down", reason);
        notifyAll();
    }

    private void enter(String newState, String error) {
        if (!newState.equals(state)) {
            state = newState;
            since = Instant.now();
            if ("connected".equals(newState)) {
                LOG.log(System.Logger.Level.INFO, "Kafka mirror connected to " + config.bootstrapServers()
                        + ", topic " + config.topic() + ", from sequence " + (acknowledged + 1));
            }
        }
        lastError = error;
    }

    private synchronized boolean sessionFailed() {
        return sessionFailed;
    }

    private synchronized int inFlightCount() {
        return inFlight.size();
    }

    private synchronized void awaitInFlight(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!inFlight.isEmpty() && !sessionFailed) {
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining <= 0) {
                return;
            }
            wait(remaining);
        }
    }

    /** Writes the cursor when the acknowledged sequence moved; only this thread writes it. */
    private void writeCursor() {
        long current;
        synchronized (this) {
            current = acknowledged;
        }
        if (current == cursorWritten) {
            return;
        }
        try {
            cursor.write(config.topic(), current);
            cursorWritten = current;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    private void sleepWhileRunning(Duration pause) {
        long deadline = System.nanoTime() + pause.toNanos();
        synchronized (this) {
            long remaining;
            while (running && (remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) > 0) {
                try {
                    wait(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String oneLine(Throwable failure) {
        Throwable shown = failure;
        while (shown.getCause() != null && (shown.getMessage() == null || shown instanceof java.util.concurrent.ExecutionException)) {
            shown = shown.getCause();
        }
        String message = shown.getMessage() == null ? shown.getClass().getSimpleName()
                : shown.getClass().getSimpleName() + ": " + shown.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }

    /**
     * Stops mirroring: waits a few seconds for records in flight to be acknowledged, writes the cursor
     * and closes the producer. What was not acknowledged is sent at the next start.
     */
    @Override
    public void close() {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
