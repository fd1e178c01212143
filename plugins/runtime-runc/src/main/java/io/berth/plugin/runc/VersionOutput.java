package io.berth.plugin.runc;

import io.berth.spi.runtime.RuntimeInfo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what {@code runc --version} and {@code conmon --version} print, for example:
 *
 * <pre>
 * runc version 1.1.5+ds1
 * commit: 1.1.5+ds1-1+deb12u1
 * spec: 1.0.2-dev
 * go: go1.19.8
 * libseccomp: 2.5.4
 * </pre>
 */
final class VersionOutput {

    private VersionOutput() {
    }

    /**
     * @param output what {@code runc --version} printed
     * @return the runtime info, or empty if there is no {@code runc version} line
     */
    static Optional<RuntimeInfo> parseRunc(String output) {
        String version = null;
        String commit = "";
        String spec = "";
        Map<String, String> details = new LinkedHashMap<>();
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("runc version ")) {
                version = line.substring("runc version ".length()).strip();
            } else if (line.contains(":")) {
                String key = line.substring(0, line.indexOf(':')).strip();
                String value = line.substring(line.indexOf(':') + 1).strip();
                switch (key) {
                    case "commit" -> commit = value;
                    case "spec" -> spec = value;
                    default -> {
                        if (!key.isEmpty() && !value.isEmpty()) {
                            details.put(key, value);
                        }
                    }
                }
            }
        }
        if (version == null || version.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RuntimeInfo("runc", version, commit, spec, details));
    }

    /**
     * @param output what {@code conmon --version} printed
     * @return the version from its {@code conmon version} line, if there is one
     */
    static Optional<String> conmonVersion(String output) {
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("conmon version ")) {
                return Optional.of(line.substring("conmon version ".length()).strip());
            }
        }
        return Optional.empty();
    }
}
