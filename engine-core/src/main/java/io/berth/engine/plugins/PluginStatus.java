package io.berth.engine.plugins;

import java.util.List;

/**
 * One plugin jar as the daemon sees it after loading: what it is, whether it runs, and why not.
 *
 * @param id         Plugin-Id, or the jar's file name when the jar could not be read
 * @param version    Plugin-Version, empty when unknown
 * @param state      {@code STARTED}, or {@code FAILED} when it could not be loaded, started or initialised
 * @param path       the jar
 * @param provider   Plugin-Provider
 * @param requires   Plugin-Requires (the berth versions it works with)
 * @param extensions {@code ExtensionPoint=ImplementationClass} for each extension it registered
 * @param error      one line saying why it failed; null when it runs
 */
public record PluginStatus(String id, String version, String state, String path, String provider, String requires,
                           List<String> extensions, String error) {
    public PluginStatus {
        extensions = List.copyOf(extensions);
    }

    public boolean started() {
        return "STARTED".equals(state);
    }
}
