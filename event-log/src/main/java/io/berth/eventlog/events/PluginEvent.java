package io.berth.eventlog.events;

import java.util.List;

/** Events about PF4J plugins; the subject is the plugin id (or the jar name when no id could be read). */
public sealed interface PluginEvent extends Event permits PluginEvent.PluginLoaded, PluginEvent.PluginFailed {

    /**
     * A plugin loaded and started, and its extensions were registered.
     *
     * @param pluginId   the Plugin-Id
     * @param version    the Plugin-Version
     * @param path       the jar it came from
     * @param extensions the extension points it provides, as {@code ExtensionPoint=ImplementationClass}
     */
    record PluginLoaded(String pluginId, String version, String path, List<String> extensions) implements PluginEvent {
        public PluginLoaded {
            extensions = List.copyOf(extensions);
        }

        @Override
        public String subject() {
            return pluginId;
        }
    }

    /**
     * A plugin jar could not be loaded or started; the daemon carries on without it.
     *
     * @param pluginId the Plugin-Id if it could be read, else the jar's file name
     * @param path     the jar
     * @param reason   one line saying why
     */
    record PluginFailed(String pluginId, String path, String reason) implements PluginEvent {
        @Override
        public String subject() {
            return pluginId;
        }
    }
}
