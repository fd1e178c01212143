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
