package io.berth.engine.plugins;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * One plugin jar as the daemon sees it after loading: what it is, whether it runs, and why not.
 *
 * <p>Written as JSON as {@code GET /berth/plugins} and {@code /info}'s {@code Berth.Plugins} show it:
 * the same fields with capitalised names, in this order, an error of {@code null} included.
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
@JsonPropertyOrder({"Id", "Version", "State", "Path", "Provider", "Requires", "Extensions", "Error"})
public record PluginStatus(@JsonProperty("Id") String id, @JsonProperty("Version") String version,
                           @JsonProperty("State") String state, @JsonProperty("Path") String path,
                           @JsonProperty("Provider") String provider, @JsonProperty("Requires") String requires,
                           @JsonProperty("Extensions") List<String> extensions, @JsonProperty("Error") String error) {
    public PluginStatus {
        extensions = List.copyOf(extensions);
    }

    @JsonIgnore
    public boolean started() {
        return "STARTED".equals(state);
    }
}
