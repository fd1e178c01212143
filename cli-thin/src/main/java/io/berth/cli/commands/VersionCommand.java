package io.berth.cli.commands;

import io.berth.cli.version.BuildInfo;
import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import io.berth.text.format.GoTemplate;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth version}: the client's and the daemon's versions, laid out like {@code docker version}. */
public final class VersionCommand extends BaseCommand {
    private final OptionSpec format;

    public VersionCommand(CommandContext root) {
        super(root, "version", "Show the berth version information");
        format = option("string", "Format output using a Go template, or 'json'", "-f", "--format");
    }

    /** The {@code --format} picocli parsed, or {@code null}. */
    public String format() {
        return string(format);
    }

    @Override
    public Integer call() throws Exception {
        return show(root, format());
    }

    /**
     * Prints the client's and the daemon's versions; {@code format} is {@code --format}'s value or {@code null}.
     * {@link io.berth.cli.QuickCommands} calls it without building picocli's model.
     */
    public static int show(CommandContext root, String format) throws java.io.IOException {
        GoTemplate template = inspectTemplate(format);
        boolean json = template == null && format != null && !format.isEmpty();
        PrintStream out = root.out();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("Version", BuildInfo.version());
        client.put("ApiVersion", BerthApi.API_VERSION);
        // the string Runtime.version() parses, as it is: Runtime.Version's toString joins its parts with a stream,
        // whose ~45 classes and lambdas would go into the quick commands' AOT cache, loaded at every start
        client.put("JavaVersion", System.getProperty("java.runtime.version"));
        client.put("Os", BuildInfo.os());
        client.put("Arch", BuildInfo.arch());
        if (template != null) {
            Map<String, Object> both = new LinkedHashMap<>();
            both.put("Client", client);
            both.put("Server", root.api().version());
            out.println(execute(template, both));
            return 0;
        }
        if (json) {
            Map<String, Object> both = new LinkedHashMap<>();
            both.put("Client", client);
            both.put("Server", root.api().version());
            out.println(Json.write(both));
            return 0;
        }
        // As Docker does, show the client even when the daemon cannot be reached.
        out.println("Client:");
        line(out, " Version:", client.get("Version"));
        line(out, " API version:", client.get("ApiVersion"));
        line(out, " Java version:", client.get("JavaVersion"));
        line(out, " OS/Arch:", client.get("Os") + "/" + client.get("Arch"));
        out.flush();
        Map<String, Object> server = root.api().version();
        out.println();
        String platform = Json.text(server, "Platform", "Name");
        out.println("Server:" + (platform.isEmpty() ? "" : " " + platform));
        out.println(" Engine:");
        line(out, "  Version:", Json.text(server, "Version"));
        String min = Json.text(server, "MinAPIVersion");
        line(out, "  API version:", Json.text(server, "ApiVersion") + (min.isEmpty() ? "" : " (minimum version " + min + ")"));
        line(out, "  Java version:", Json.text(server, "GoVersion"));
        line(out, "  Git commit:", Json.text(server, "GitCommit"));
        line(out, "  Built:", Json.text(server, "BuildTime"));
        String os = Json.text(server, "Os");
        String arch = Json.text(server, "Arch");
        line(out, "  OS/Arch:", os.isEmpty() && arch.isEmpty() ? "" : os + "/" + arch);
        line(out, "  Kernel version:", Json.text(server, "KernelVersion"));
        for (Object c : Json.list(server, "Components")) {
            String name = Json.text(c, "Name");
            if (name.equals("Engine")) {
                continue; // shown above from the top-level fields, as Docker does
            }
            out.println(" " + name + ":");
            line(out, "  Version:", Json.text(c, "Version"));
            for (Map.Entry<String, Object> d : Json.object(c, "Details").entrySet()) {
                Object v = d.getValue();
                line(out, "  " + d.getKey() + ":", v instanceof Map || v instanceof List ? Json.write(v) : String.valueOf(v));
            }
        }
        return 0;
    }

    /** A label padded so that every value starts in the same column; empty values are left out. */
    static void line(PrintStream out, String label, Object value) {
        String v = value == null ? "" : value.toString();
        if (v.isEmpty()) {
            return;
        }
        out.println(label + " ".repeat(Math.max(1, 20 - label.length())) + v);
    }
}
