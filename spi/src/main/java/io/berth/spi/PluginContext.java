package io.berth.spi;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the engine hands an extension in {@link BerthExtension#initialize(PluginContext)}.
 *
 * <p>An extension keeps everything it persists under {@link #dataDirectory()}, which belongs to
 * its plugin alone; it never writes elsewhere under {@link #rootDirectory()}, which belongs to the
 * engine. Paths the engine owns (bundles, logs, exit files) are passed in each call instead.
 */
public interface PluginContext {

    /**
     * The daemon's root directory, for example {@code /var/lib/berth}. Read-only for extensions:
     * useful to learn which filesystem the daemon's data lives on.
     *
     * @return an absolute path to an existing directory
     */
    Path rootDirectory();

    /**
     * A directory private to this plugin under the root (for example
     * {@code /var/lib/berth/plugins/store-overlayfs}), created by the engine before
     * {@link BerthExtension#initialize initialize}. It survives daemon restarts.
     *
     * @return an absolute path to an existing, writable directory
     */
    Path dataDirectory();

    /**
     * This plugin's settings from the daemon config, as plain strings (for example
     * {@code runc=/usr/local/sbin/runc}). Each extension documents the keys it reads and ignores
     * the others.
     *
     * @return the options, possibly empty, never {@code null}; unmodifiable
     */
    Map<String, String> options();

    /**
     * The logger to use. Messages end up in the daemon's log, prefixed with the plugin id.
     *
     * @return a logger, never {@code null}
     */
    System.Logger logger();

    /**
     * The engine's version, for example {@code 0.1.0}; the same version PF4J compares with the
     * plugin's {@code Plugin-Requires}.
     *
     * @return the engine version, never blank
     */
    String engineVersion();
}
