package io.berth.engine.daemon;

import io.berth.engine.BerthVersion;
import io.berth.engine.system.HostFacts;
import io.berth.text.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code /_ping} and {@code /version} answer, in one place: the full daemon's routes ({@link SystemEndpoints})
 * and the {@link EarlyResponder} that answers them before Jetty serves both take their headers and bytes from
 * here, so the two answers cannot drift apart. Written with the small JSON writer of {@code text}, not
 * Jackson: the early responder answers before Jackson's classes are loaded.
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

    /** {@code /version}'s body: facts of the build and the host only, as compact JSON in Docker's field order. */
    public static byte[] versionBody() {
        String arch = HostFacts.architecture();
        String kernel = HostFacts.kernelVersion();
        String go = "java" + Runtime.version().feature();
        String built = STARTED.toString();
        Map<String, Object> details = ordered("ApiVersion", BerthVersion.API_VERSION, "MinAPIVersion",
                BerthVersion.MIN_API_VERSION, "JavaVersion", Runtime.version().toString(), "Os", "linux", "Arch", arch,
                "KernelVersion", kernel, "GitCommit", "", "GoVersion", go, "BuildTime", built);
        List<Object> components = List.of(
                ordered("Name", "Engine", "Version", BerthVersion.DOCKER_COMPATIBLE_VERSION, "Details", details),
                ordered("Name", "berth", "Version", BerthVersion.version()));
        Map<String, Object> version = ordered("Platform", ordered("Name", "berth"), "Components", components,
                "Version", BerthVersion.DOCKER_COMPATIBLE_VERSION, "ApiVersion", BerthVersion.API_VERSION,
                "MinAPIVersion", BerthVersion.MIN_API_VERSION, "GitCommit", "", "GoVersion", go, "Os", "linux",
                "Arch", arch, "KernelVersion", kernel, "BuildTime", built);
        return Json.write(version).getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON object of the names and values given in turn, kept in that order. */
    private static Map<String, Object> ordered(Object... namesAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            object.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return object;
    }
}
