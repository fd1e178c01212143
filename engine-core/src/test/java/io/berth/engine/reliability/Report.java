package io.berth.engine.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The figures one campaign part measured, printed and written to {@code target/reliability/NAME.md}. */
final class Report {
    private final String name;
    private final List<String> lines = new ArrayList<>();

    Report(String name, String command) {
        this.name = name;
        lines.add("# " + name + " — " + Instant.now());
        lines.add("command: " + command);
    }

    Report line(String text) {
        lines.add(text);
        return this;
    }

    Report counts(String title, Map<String, Long> counts) {
        lines.add(title + ":");
        counts.forEach((k, v) -> lines.add("  " + v + "  " + k));
        return this;
    }

    Report list(String title, List<String> items) {
        lines.add(title + ": " + items.size());
        items.forEach(i -> lines.add("  - " + i));
        return this;
    }

    void write() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "reliability"));
        String text = String.join("\n", lines) + "\n";
        Files.writeString(dir.resolve(name + ".md"), text);
        System.out.println(text);
    }
}
