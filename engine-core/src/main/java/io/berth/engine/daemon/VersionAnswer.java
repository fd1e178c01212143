package io.berth.engine.daemon;

import io.berth.engine.BerthVersion;
import io.berth.engine.system.HostFacts;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * What {@code /_ping} and {@code /version} answer, in one place: the full daemon's routes ({@link SystemEndpoints})
 * and the {@link EarlyResponder} that answers them before Jetty serves both take their headers and bytes from
 * here, so the two answers cannot drift apart. Built without Jackson: the early responder answers before any
 * JSON library is loaded.
 */
public final class VersionAnswer {
    /** When the daemon started (Docker's {@code BuildTime} field); set when the daemon first answers. */
    private static final Instant STARTED = Instant.now();

    private VersionAnswer() {
    }

    /**
     * {@code /_ping}'s headers besides the server's own, in order. {@code Builder-Version: 1} tells Docker's CLI (23
     * and later) that this daemon builds with the legacy {@code POST /build} endpoint, not BuildKit's session, so its
     * {@code docker build} works without {@code DOCKER_BUILDKIT=0}.
     */
    public static final List<String[]> PING_HEADERS = List.of(
            new String[] {"Api-Version", BerthVersion.API_VERSION},
            new String[] {"OSType", "linux"},
            new String[] {"Builder-Version", "1"},
            new String[] {"Docker-Experimental", "false"},
            new String[] {"Swarm", "inactive"},
            new String[] {"Cache-Control", "no-cache, no-store, must-revalidate"},
            new String[] {"Pragma", "no-cache"});

    /** {@code /_ping}'s body and its type. */
    public static final String PING_BODY = "OK";
    public static final String PING_CONTENT_TYPE = "text/plain; charset=utf-8";
    public static final String VERSION_CONTENT_TYPE = "application/json";

    /** {@code /version}'s body: facts of the build and the host only, the same JSON Jackson writes for it (compact). */
    public static byte[] versionBody() {
        String arch = HostFacts.architecture();
        String kernel = HostFacts.kernelVersion();
        String go = "java" + Runtime.version().feature();
        String built = STARTED.toString();
        StringBuilder json = new StringBuilder(512);
        json.append("{\"Platform\":{\"Name\":\"berth\"},\"Components\":[{\"Name\":\"Engine\",\"Version\":");
        string(json, BerthVersion.DOCKER_COMPATIBLE_VERSION).append(",\"Details\":{\"ApiVersion\":");
        string(json, BerthVersion.API_VERSION).append(",\"MinAPIVersion\":");
        string(json, BerthVersion.MIN_API_VERSION).append(",\"JavaVersion\":");
        string(json, Runtime.version().toString()).append(",\"Os\":\"linux\",\"Arch\":");
        string(json, arch).append(",\"KernelVersion\":");
        string(json, kernel).append(",\"GitCommit\":\"\",\"GoVersion\":");
        string(json, go).append(",\"BuildTime\":");
        string(json, built).append("}},{\"Name\":\"berth\",\"Version\":");
        string(json, BerthVersion.version()).append("}],\"Version\":");
        string(json, BerthVersion.DOCKER_COMPATIBLE_VERSION).append(",\"ApiVersion\":");
        string(json, BerthVersion.API_VERSION).append(",\"MinAPIVersion\":");
        string(json, BerthVersion.MIN_API_VERSION).append(",\"GitCommit\":\"\",\"GoVersion\":");
        string(json, go).append(",\"Os\":\"linux\",\"Arch\":");
        string(json, arch).append(",\"KernelVersion\":");
        string(json, kernel).append(",\"BuildTime\":");
        string(json, built).append('}');
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string, escaped as Jackson escapes one. */
    private static StringBuilder string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                switch (c) {
                    case '\n' -> json.append("\\n");
                    case '\r' -> json.append("\\r");
                    case '\t' -> json.append("\\t");
                    case '\b' -> json.append("\\b");
                    case '\f' -> json.append("\\f");
                    default -> json.append(String.format("\\u%04X", (int) c));
                }
            } else {
                json.append(c);
            }
        }
        return json.append('"');
    }
}
