package io.berth.engine.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.UnixHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request the reliability harness sends, with a deadline, sorted into what the issue accepts
 * (answered, or refused with a clear one-line error) and what it calls a finding (a 5xx, a hang, an
 * unclear error, a dropped connection). Thread-safe: the load clients share one.
 */
final class Requests implements AutoCloseable {
    /** How one request ended. */
    enum Kind {
        /** 2xx, and a stream without an error line. */
        ANSWERED,
        /** 4xx (or 507, a full disk) with one clear line, or a 2xx stream ending in one clear error line. */
        REFUSED,
        /** 5xx, but for 507 with a clear line. */
        SERVER_ERROR,
        /** An error without a usable message: empty, several lines, an exception's class name, or not JSON. */
        UNCLEAR,
        /** No complete answer within the deadline. */
        HANG,
        /** The connection failed or was cut. */
        TRANSPORT
    }

    /** One request's end: its correlation id is what its events carry. */
    record Outcome(String op, Kind kind, int status, String message, String correlation, UnixHttp.Response response) {
        boolean ok() {
            return kind == Kind.ANSWERED;
        }

        String body() {
            return response == null ? "" : response.body();
        }

        JsonNode json() {
            try {
                return JSON.readTree(body());
            } catch (IOException e) {
                return JSON.createObjectNode();
            }
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final Duration deadline;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final Queue<String> findings = new ConcurrentLinkedQueue<>();
    private volatile boolean expectDown;

    Requests(Path socket, Duration deadline) {
        this.socket = socket;
        this.deadline = deadline;
    }

    /** While set, transport failures are expected (the fault loop kills the daemon) and are not findings. */
    void expectDaemonDown(boolean down) {
        this.expectDown = down;
    }

    Outcome get(String op, String path) {
        return send(op, "GET", path, null, null);
    }

    Outcome post(String op, String path, String json) {
        return send(op, "POST", path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    Outcome delete(String op, String path) {
        return send(op, "DELETE", path, null, null);
    }

    Outcome send(String op, String method, String path, byte[] body, String contentType) {
        Future<UnixHttp.Response> call = threads.submit(() -> UnixHttp.send(socket, method, path, body,
                contentType == null ? "application/json" : contentType, Map.of()));
        UnixHttp.Response response;
        try {
            response = call.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true); // interrupting the virtual thread closes its channel
            return record(new Outcome(op, Kind.HANG, 0, method + " " + path + " unanswered after " + deadline.toSeconds() + " s", "", null));
        } catch (ExecutionException e) {
            String why = e.getCause() == null ? e.toString() : e.getCause().toString();
            return record(new Outcome(op, Kind.TRANSPORT, 0, method + " " + path + ": " + why, "", null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            return new Outcome(op, Kind.TRANSPORT, 0, "interrupted", "", null);
        }
        String correlation = response.headers().getOrDefault("x-berth-correlation-id", "");
        return record(classify(op, method + " " + path, response, correlation));
    }

    private static Outcome classify(String op, String request, UnixHttp.Response response, String correlation) {
        int status = response.status();
        String type = response.headers().getOrDefault("content-type", "");
        if (status >= 200 && status < 300) {
            if (type.contains("json") && response.body().contains("\"errorDetail\"")) {
                // a stream (pull, build, push) that answered 200 and then failed: its last error line is the answer
                String message = "";
                for (String line : response.body().split("\n")) {
                    if (line.contains("\"errorDetail\"")) {
                        try {
                            message = JSON.readTree(line).path("error").asText("");
                        } catch (IOException e) {
                            message = line;
                        }
                    }
                }
                return new Outcome(op, clear(message) ? Kind.REFUSED : Kind.UNCLEAR, status, message, correlation, response);
            }
            return new Outcome(op, Kind.ANSWERED, status, "", correlation, response);
        }
        String message;
        try {
            message = JSON.readTree(response.body()).path("message").asText("");
        } catch (IOException notJson) {
            message = "";
        }
        if (status == 507 && clear(message)) {
            return new Outcome(op, Kind.REFUSED, status, message, correlation, response); // Insufficient Storage: a full disk, said clearly
        }
        if (status >= 500) {
            return new Outcome(op, Kind.SERVER_ERROR, status, request + " -> " + status + " " + message, correlation, response);
        }
        if (status >= 400 && clear(message)) {
            return new Outcome(op, Kind.REFUSED, status, message, correlation, response);
        }
        return new Outcome(op, Kind.UNCLEAR, status, request + " -> " + status + " " + abbreviate(response.body()), correlation, response);
    }

    /** One line a user can act on: not empty, not several lines, not an exception's class name. */
    static boolean clear(String message) {
        return message != null && !message.isBlank() && !message.contains("\n") && message.length() < 1000
                && !message.equals("null") && !message.matches(".*\\b(java|javax|jdk|sun)\\.[a-z.]+\\.[A-Z]\\w*(Exception|Error)\\b.*");
    }

    private Outcome record(Outcome outcome) {
        counts.computeIfAbsent(outcome.op() + " " + outcome.kind(), k -> new LongAdder()).increment();
        switch (outcome.kind()) {
            case ANSWERED -> { }
            case REFUSED -> refusals.computeIfAbsent(outcome.op() + " " + outcome.status() + ": " + normalize(outcome.message()),
                    k -> new LongAdder()).increment();
            case TRANSPORT -> {
                if (!expectDown) {
                    findings.add(outcome.op() + " " + outcome.kind() + ": " + outcome.message());
                }
            }
            default -> findings.add(outcome.op() + " " + outcome.kind() + ": " + outcome.message());
        }
        return outcome;
    }

    /** Adds a finding the caller made from an answer (a wrong exit code, missing output). */
    void finding(String what) {
        findings.add(what);
    }

    /** Ids and numbers replaced, so equal refusals count together. */
    static String normalize(String message) {
        return message.replaceAll("[0-9a-f]{12,64}", "<id>").replaceAll("\\b\\d+\\b", "<n>");
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long count(Kind kind) {
        return counts.entrySet().stream().filter(e -> e.getKey().endsWith(" " + kind)).mapToLong(e -> e.getValue().sum()).sum();
    }

    Map<String, Long> counts() {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted;
    }

    Map<String, Long> refusals() {
        Map<String, Long> sorted = new TreeMap<>();
        refusals.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted;
    }

    List<String> findings() {
        return List.copyOf(findings);
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
