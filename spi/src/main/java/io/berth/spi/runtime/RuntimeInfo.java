package io.berth.spi.runtime;

import java.util.Map;
import java.util.Objects;

/**
 * Which runtime runs containers, for {@code /version} (Docker lists it under
 * {@code Components}) and {@code /info}.
 *
 * @param name           the runtime program, for example {@code runc}
 * @param version        its version, for example {@code 1.1.5+ds1}
 * @param commit         its commit, or an empty string if it does not say
 * @param ociSpecVersion the OCI runtime spec version it implements, for example {@code 1.0.2-dev}
 * @param details        anything else worth showing (for runc: {@code go}, {@code libseccomp};
 *                       the monitor's name and version); may be empty
 */
public record RuntimeInfo(String name, String version, String commit, String ociSpecVersion, Map<String, String> details) {

    /** Checks for blanks and copies the details. */
    public RuntimeInfo {
        if (name == null || name.isBlank() || version == null || version.isBlank()) {
            throw new IllegalArgumentException("runtime info needs a name and a version");
        }
        commit = Objects.requireNonNullElse(commit, "");
        Objects.requireNonNull(ociSpecVersion, "ociSpecVersion");
        details = Map.copyOf(details);
    }
}
