package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container's health check, read from Docker's {@code Config.Healthcheck} ({@code Test}, and {@code Interval},
 * {@code Timeout}, {@code StartPeriod}, {@code StartInterval} in nanoseconds, {@code Retries}), with Docker's
 * defaults for the values left at 0: interval 30 s, timeout 30 s, start period 0, start interval 5 s, 3 retries.
 *
 * @param command       the probe's argv: {@code CMD a b} runs {@code a b}, {@code CMD-SHELL s} runs {@code /bin/sh -c s}
 *                      (or the container's {@code Shell} with {@code s})
 * @param interval      time between probes once the start period is over (or the container was healthy once)
 * @param timeout       a probe running longer fails with exit code -1
 * @param startPeriod   failures during this time after the start do not count towards {@code retries}
 * @param startInterval time between probes during the start period, while the status is {@code starting}
 * @param retries       consecutive failures that make the container {@code unhealthy}
 */
public record HealthCheck(List<String> command, Duration interval, Duration timeout, Duration startPeriod, Duration startInterval,
                          int retries) {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);
    static final int DEFAULT_RETRIES = 3;
    /** Docker keeps at most this many bytes of a probe's output. */
    static final int MAX_OUTPUT = 4096;
    /** Docker keeps this many probe results in {@code State.Health.Log}. */
    static final int LOG_ENTRIES = 5;

    public HealthCheck {
        command = List.copyOf(command);
    }

    /**
     * The health check a container's resolved {@code Config} asks for; empty when it has none, or
     * {@code Test} is {@code ["NONE"]} ({@code --no-healthcheck}, {@code HEALTHCHECK NONE}).
     */
    public static Optional<HealthCheck> of(JsonNode config) {
        JsonNode check = config.path("Healthcheck");
        JsonNode test = check.path("Test");
        if (!test.isArray() || test.isEmpty()) {
            return Optional.empty();
        }
        String kind = test.get(0).asText("");
        List<String> command = new ArrayList<>();
        switch (kind) {
            case "CMD" -> test.forEach(word -> command.add(word.asText()));
            case "CMD-SHELL" -> {
                // the container's SHELL (Dockerfile SHELL, Config.Shell) when it has one, as Docker's
                command.add("CMD-SHELL");
                if (config.path("Shell").isArray() && !config.path("Shell").isEmpty()) {
                    config.path("Shell").forEach(word -> command.add(word.asText()));
                } else {
                    command.addAll(List.of("/bin/sh", "-c"));
                }
                command.add(test.size() > 1 ? test.get(1).asText("") : "");
            }
            default -> {
                return Optional.empty(); // NONE, or a form Docker does not run either
            }
        }
        command.removeFirst(); // the kind
        if (command.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HealthCheck(command, duration(check, "Interval", DEFAULT_INTERVAL), duration(check, "Timeout", DEFAULT_TIMEOUT),
                duration(check, "StartPeriod", Duration.ZERO), duration(check, "StartInterval", DEFAULT_START_INTERVAL),
                check.path("Retries").asInt(0) > 0 ? check.path("Retries").asInt() : DEFAULT_RETRIES));
    }

    private static Duration duration(JsonNode check, String field, Duration fallback) {
        long nanos = check.path(field).asLong(0);
        return nanos > 0 ? Duration.ofNanos(nanos) : fallback;
    }

    /**
     * Docker's checks of a create request's {@code Healthcheck}: each duration 0 or at least 1 ms, retries not negative.
     *
     * @throws IllegalArgumentException naming the field
     */
    static void validate(JsonNode check) {
        if (check == null || !check.isObject()) {
            return;
        }
        for (String field : List.of("Interval", "Timeout", "StartPeriod", "StartInterval")) {
            long nanos = check.path(field).asLong(0);
            if (nanos != 0 && nanos < 1_000_000) {
                throw new IllegalArgumentException(field + " in Healthcheck cannot be less than 1ms");
            }
        }
        if (check.path("Retries").asInt(0) < 0) {
            throw new IllegalArgumentException("Retries in Healthcheck cannot be negative");
        }
    }

    /**
     * Docker's merge of the request's {@code Healthcheck} over the image's: the request's, with each field it
     * leaves empty or 0 taken from the image's.
     */
    static JsonNode merge(JsonNode image, JsonNode request, ObjectMapper mapper) {
        boolean hasImage = image != null && image.isObject();
        boolean hasRequest = request != null && request.isObject();
        if (!hasRequest) {
            return hasImage ? image : null;
        }
        ObjectNode merged = ((ObjectNode) request).deepCopy();
        if (!hasImage) {
            return merged;
        }
        if (!merged.path("Test").isArray() || merged.path("Test").isEmpty()) {
            merged.set("Test", image.path("Test").isArray() ? image.get("Test") : mapper.createArrayNode());
        }
        for (String field : List.of("Interval", "Timeout", "StartPeriod", "StartInterval", "Retries")) {
            if (merged.path(field).asLong(0) == 0 && image.path(field).asLong(0) != 0) {
                merged.put(field, image.path(field).asLong());
            }
        }
        return merged;
    }

    /** Docker's human form of a duration in the timeout message ({@code 30s}, {@code 1.5s}, {@code 500ms}). */
    static String human(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis % 1000 == 0) {
            long s = millis / 1000;
            return s < 60 ? s + "s" : (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        return (millis / 1000.0) + "s";
    }
}
