package io.berth.spi.tck;

import io.berth.spi.PluginContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link PluginContext} for tests: a daemon root in a temporary directory, the plugin's data
 * directory created under {@code <root>/plugins/<pluginId>}, given options, and a
 * {@link System.Logger} named after the plugin.
 *
 * @param rootDirectory the daemon root
 * @param dataDirectory the plugin's data directory (exists)
 * @param options       the plugin's options
 * @param logger        the logger
 * @param engineVersion the engine version reported to the plugin
 */
public record TestPluginContext(Path rootDirectory, Path dataDirectory, Map<String, String> options,
                                System.Logger logger, String engineVersion) implements PluginContext {

    /** The engine version the kit reports unless told otherwise. */
    public static final String ENGINE_VERSION = "0.1.0";

    /** Copies the options. */
    public TestPluginContext {
        Objects.requireNonNull(rootDirectory, "rootDirectory");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        options = Map.copyOf(options);
        Objects.requireNonNull(logger, "logger");
        Objects.requireNonNull(engineVersion, "engineVersion");
    }

    /**
     * Creates the directories of a context under a temporary directory.
     *
     * @param tempDir  a directory the test owns (JUnit's {@code @TempDir})
     * @param pluginId the plugin id, used for the data directory and the logger
     * @param options  the plugin's options
     * @return the context
     */
    public static TestPluginContext in(Path tempDir, String pluginId, Map<String, String> options) {
        try {
            Path root = Files.createDirectories(tempDir.toAbsolutePath().resolve("root"));
            Path data = Files.createDirectories(root.resolve("plugins").resolve(pluginId));
            return new TestPluginContext(root, data, options, System.getLogger("berth.plugin." + pluginId), ENGINE_VERSION);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a test plugin context under " + tempDir, e);
        }
    }

    /**
     * The same directories with other options.
     *
     * @param newOptions the options
     * @return a new context
     */
    public TestPluginContext withOptions(Map<String, String> newOptions) {
        return new TestPluginContext(rootDirectory, dataDirectory, newOptions, logger, engineVersion);
    }
}
