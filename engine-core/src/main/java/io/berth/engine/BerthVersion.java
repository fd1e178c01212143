package io.berth.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** berth's version, filled in by the build, and the API version the daemon serves. */
public final class BerthVersion {
    /** The Docker Engine API version whose paths and JSON berth follows. */
    public static final String API_VERSION = "1.43";
    /** The oldest API version prefix accepted. */
    public static final String MIN_API_VERSION = "1.24";
    /**
     * The engine version reported to Docker clients in {@code /version}'s {@code Version} (and its {@code Engine}
     * component): the Docker Engine release that first served {@link #API_VERSION}. Clients compare
     * it against Docker's release numbers (Testcontainers refuses anything below 1.6.0), so berth's own
     * version, which they would read as ancient, is reported in {@code Components} instead, as Podman does.
     */
    public static final String DOCKER_COMPATIBLE_VERSION = "24.0.0";

    private static final String VERSION = load();

    private BerthVersion() {}

    /** The full version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return VERSION;
    }

    /** The version without a qualifier, e.g. {@code 0.1.0}: what plugins' {@code Plugin-Requires} is checked against. */
    public static String releaseVersion() {
        int dash = VERSION.indexOf('-');
        return dash < 0 ? VERSION : VERSION.substring(0, dash);
    }

    private static String load() {
        try (InputStream in = BerthVersion.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            String version = properties.getProperty("version", "0.0.0-dev");
            return version.startsWith("${") ? "0.0.0-dev" : version;
        } catch (IOException e) {
            return "0.0.0-dev";
        }
    }
}
