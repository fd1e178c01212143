package io.berth.engine.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.api.TimeBound;
import io.berth.eventlog.EventLog;
import io.berth.eventlog.events.DaemonEvent;
import java.io.IOException;

/**
 * {@code GET /berth/audit}: an audit timeline as newline-delimited JSON, one {@link AuditEntry} per
 * line. Query: {@code object} and {@code name} (the object, optional), {@code actor} (repeatable),
 * {@code since}, {@code until} (as for {@code /berth/events}). {@code POST /berth/system/compact?before=T}:
 * compaction ({@link Compaction}).
 *
 * @param log        the event log the audit reads
 * @param mapper     the JSON mapper of the answers
 * @param compaction what compacts the log
 */
public record HistoryEndpoints(EventLog log, ObjectMapper mapper, Compaction compaction) {
    /** {@code POST /berth/system/compact?before=T}: answers what was compacted, once it is durable. */
    public void compact(ApiExchange exchange) throws IOException {
        DaemonEvent.LogCompacted done = compaction.compact(
                TimeBound.parse("before", exchange.query("before")), exchange.context());
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("ThroughSequence", done.throughSequence());
        body.put("ThroughTime", done.throughTime());
        body.put("Snapshot", done.snapshot());
        body.put("ArchivedFiles", done.archivedFiles());
        body.put("ArchiveDirectory", done.archiveDirectory());
        exchange.json(200, body);
    }

    public void audit(ApiExchange exchange) throws IOException {
        AuditQuery query = new AuditQuery(blankToNull(exchange.query("object")), exchange.query("name"),
                exchange.queryAll("actor"), TimeBound.parse("since", exchange.query("since")),
                TimeBound.parse("until", exchange.query("until")));
        try (ApiExchange.LineStream out = exchange.bufferedStream("application/x-ndjson")) {
            AuditLog.run(log, query, event -> out.write(mapper.writeValueAsBytes(AuditEntry.toJson(event, mapper))));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
