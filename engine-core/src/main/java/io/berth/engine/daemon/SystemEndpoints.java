package io.berth.engine.daemon;

import io.berth.engine.BerthVersion;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.container.ContainerProjection;
import io.berth.engine.container.SecurityOptions;
import io.berth.engine.image.ImageProjection;
import io.berth.engine.journal.Journal;
import io.berth.engine.plugins.PluginHost;
import io.berth.engine.plugins.PluginStatus;
import io.berth.engine.history.ReplayVerifier;
import io.berth.engine.system.HostFacts;
import io.berth.engine.system.SystemProjection;
import io.berth.engine.system.SystemState;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.OpenReport;
import io.berth.eventlog.events.NoteEvent;
import io.berth.spi.StorageDriver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import io.berth.eventlog.kafka.MirrorStatus;

/** {@code /_ping}, {@code /version}, {@code /info}, {@code /berth/plugins} and {@code /berth/system/replay}. */
public final class SystemEndpoints {
    private final DaemonOptions options;
    private final Journal journal;
    private final EventLog log;
    private final PluginHost plugins;
    private Supplier<MirrorStatus> mirror = () -> MirrorStatus.off(0);

    public SystemEndpoints(DaemonOptions options, Journal journal, PluginHost plugins) {
        this.options = options;
        this.journal = journal;
        this.log = journal.log();
        this.plugins = plugins;
    }

    /** Where {@code /info} and {@code /berth/metrics} read the Kafka mirror's state. */
    public SystemEndpoints withMirror(Supplier<MirrorStatus> status) {
        this.mirror = status;
        return this;
    }

    /**
     * {@code GET|HEAD /_ping} with Docker's headers ({@link VersionAnswer}); it needs nothing of the daemon, and the
     * {@link EarlyResponder} answers it the same way before Jetty serves.
     */
    public static void ping(ApiExchange exchange) throws IOException {
        for (String[] header : VersionAnswer.PING_HEADERS) {
            exchange.header(header[0], header[1]);
        }
        exchange.text(200, VersionAnswer.PING_BODY);
    }

    /** {@code GET /version}: facts of the build and the host only ({@link VersionAnswer}), answered at once like {@code /_ping}. */
    public static void version(ApiExchange exchange) throws IOException {
        exchange.bytes(200, VersionAnswer.VERSION_CONTENT_TYPE, VersionAnswer.versionBody());
    }

    public void info(ApiExchange exchange) throws IOException {
        SystemState system = journal.projections().read(SystemProjection.INSTANCE, s -> s);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ID", log.hostId());
        int[] counts = journal.projections().read(ContainerProjection.INSTANCE, state -> {
            int running = (int) state.containers.values().stream().filter(c -> c.running()).count();
            int paused = (int) state.containers.values().stream().filter(c -> c.running() && c.paused()).count();
            return new int[] {state.containers.size(), running, paused};
        });
        // as Docker counts them: a paused container is paused, not running
        body.put("Containers", counts[0]);
        body.put("ContainersRunning", counts[1] - counts[2]);
        body.put("ContainersPaused", counts[2]);
        body.put("ContainersStopped", counts[0] - counts[1]);
        body.put("Images", journal.projections().read(ImageProjection.INSTANCE, state -> state.images.size()));
        body.put("Driver", plugins.first(StorageDriver.class).map(StorageDriver::name).orElse("none"));
        body.put("DockerRootDir", options.root().toString());
        body.put("Name", HostFacts.hostname());
        body.put("OperatingSystem", HostFacts.operatingSystem());
        body.put("OSType", "linux");
        body.put("Architecture", HostFacts.kernelArchitecture());
        body.put("NCPU", Runtime.getRuntime().availableProcessors());
        body.put("MemTotal", HostFacts.memTotal());
        body.put("KernelVersion", HostFacts.kernelVersion());
        body.put("ServerVersion", BerthVersion.version());
        body.put("CgroupDriver", "cgroupfs");
        // Docker's name for a driver whose files are private and read back through the API: berth's are conmon's
        // CRI-format files, which only berth reads (logs); "json-file" would promise JSON lines at LogPath
        body.put("LoggingDriver", "local");
        body.put("SecurityOptions", List.of("name=seccomp,profile=builtin",
                "name=cgroupns" + ("private".equals(SecurityOptions.defaultCgroupnsMode()) ? "" : ",mode=host")));
        body.put("Warnings", List.of());
        Map<String, Object> registryConfig = new LinkedHashMap<>();
        registryConfig.put("AllowNondistributableArtifactsCIDRs", List.of());
        registryConfig.put("AllowNondistributableArtifactsHostnames", List.of());
        registryConfig.put("InsecureRegistryCIDRs", List.of("127.0.0.0/8"));
        registryConfig.put("IndexConfigs", Map.of("docker.io", Map.of("Name", "docker.io", "Mirrors", List.of(), "Secure", true, "Official", true)));
        registryConfig.put("Mirrors", List.of());
        body.put("RegistryConfig", registryConfig);

        OpenReport opened = log.openReport();
        Map<String, Object> eventLog = new LinkedHashMap<>();
        eventLog.put("Path", options.root().resolve("events").toString());
        eventLog.put("LastSequence", log.lastSequence());
        eventLog.put("ProjectedSequence", journal.projections().lastSequence());
        eventLog.put("DroppedOnOpen", opened.droppedAnything() ? opened.detail() : "");
        Map<String, Object> berth = new LinkedHashMap<>();
        berth.put("HostId", log.hostId());
        berth.put("Socket", options.socket().toString());
        berth.put("PidFile", options.pidFile().toString());
        berth.put("EventLog", eventLog);
        berth.put("DaemonStarts", system.starts);
        berth.put("Plugins", plugins.statuses());
        berth.put("KafkaMirror", mirrorJson(mirror.get()));
        body.put("Berth", berth);
        exchange.json(200, body);
    }

    private static Map<String, Object> mirrorJson(MirrorStatus status) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("State", status.state());
        json.put("Since", status.since() == null ? "" : status.since().toString());
        json.put("BootstrapServers", status.bootstrapServers());
        json.put("Topic", status.topic());
        json.put("LastSequence", status.lastSequence());
        json.put("AcknowledgedSequence", status.acknowledged());
        json.put("Lag", "off".equals(status.state()) ? 0 : status.lag());
        json.put("LastError", status.lastError());
        return json;
    }

    /**
     * {@code GET /berth/metrics}: a few gauges in Prometheus' text format (version 0.0.4), for a
     * scraper that reaches the socket (e.g. through a forwarding proxy).
     */
    public void metrics(ApiExchange exchange) throws IOException {
        MirrorStatus status = mirror.get();
        boolean on = !"off".equals(status.state());
        StringBuilder text = new StringBuilder();
        gauge(text, "berth_event_log_last_sequence", "Sequence number of the last event appended to the log.", log.lastSequence());
        gauge(text, "berth_kafka_mirror_enabled", "1 when the Kafka mirror is configured.", on ? 1 : 0);
        gauge(text, "berth_kafka_mirror_up", "1 when the Kafka mirror's last exchange with the brokers succeeded.",
                "connected".equals(status.state()) ? 1 : 0);
        gauge(text, "berth_kafka_mirror_acknowledged_sequence", "Last sequence acknowledged by the brokers, with every one before it.",
                status.acknowledged());
        gauge(text, "berth_kafka_mirror_lag_events", "Events appended but not yet acknowledged by the brokers.", on ? status.lag() : 0);
        text.append("# HELP berth_kafka_mirror_sent_total Records handed to the Kafka producer since the daemon started.\n")
                .append("# TYPE berth_kafka_mirror_sent_total counter\n")
                .append("berth_kafka_mirror_sent_total ").append(status.sent()).append('\n');
        exchange.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.text(200, text.toString());
    }

    private static void gauge(StringBuilder text, String name, String help, long value) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    public void pluginList(ApiExchange exchange) throws IOException {
        exchange.json(200, plugins.statuses());
    }

    /** {@code POST /berth/system/note}: records an operator's note; the body is {@code {"Text": "…"}}. */
    public void note(ApiExchange exchange) throws IOException {
        com.fasterxml.jackson.databind.JsonNode body;
        try {
            body = exchange.mapper().readTree(exchange.bodyBytes());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("invalid note: the body must be JSON like {\"Text\": \"…\"}");
        }
        String text = body == null ? "" : body.path("Text").asText("").strip();
        if (text.isEmpty()) {
            throw ApiException.badRequest("invalid note: Text is empty");
        }
        if (text.length() > 4096) {
            throw ApiException.badRequest("invalid note: Text is " + text.length() + " characters, at most 4096");
        }
        var written = journal.record(exchange.context(), new NoteEvent.NoteRecorded(log.hostId(), text));
        exchange.json(201, Map.of("Sequence", written.sequence()));
    }

    public void replay(ApiExchange exchange) throws IOException {
        ReplayVerifier.Report report = ReplayVerifier.verify(journal, exchange.mapper());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Equal", report.equal());
        body.put("EventsReplayed", report.eventsReplayed());
        body.put("LastSequence", report.lastSequence());
        body.put("DurationMillis", report.durationMillis());
        List<Map<String, Object>> projections = new ArrayList<>();
        for (ReplayVerifier.ProjectionComparison comparison : report.projections()) {
            projections.add(Map.of("Name", comparison.name(), "Equal", comparison.equal(), "Differences", comparison.differences()));
        }
        body.put("Projections", projections);
        exchange.json(200, body);
    }
}
