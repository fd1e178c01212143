package io.berth.cli.commands;

import io.berth.cli.version.BuildInfo;
import io.berth.text.json.Json;
import io.berth.text.format.GoTemplate;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.berth.cli.commands.VersionCommand.line;

/** {@code berth info}: the daemon's system-wide information ({@code GET /info}), like {@code docker info}. */
public final class InfoCommand extends BaseCommand {
    private final OptionSpec format;

    public InfoCommand(CommandContext root) {
        super(root, "info", "Display system-wide information");
        format = option("string", "Format output using a Go template, or 'json' for the daemon's answer", "-f", "--format");
    }

    @Override
    public Integer call() throws Exception {
        GoTemplate template = inspectTemplate(format);
        boolean json = template == null && string(format) != null && !string(format).isEmpty();
        PrintStream out = root.out();
        byte[] body = root.api().infoBytes();
        if (json) {
            out.println(new String(body, StandardCharsets.UTF_8).strip());
            return 0;
        }
        Map<String, Object> info = Json.parseObject(body, "GET /info");
        if (template != null) {
            // Docker's info template sees the daemon's fields and the client's under ClientInfo
            Map<String, Object> data = new java.util.LinkedHashMap<>(info);
            Map<String, Object> client = new java.util.LinkedHashMap<>();
            client.put("Debug", root.debug());
            client.put("Version", BuildInfo.version());
            data.put("ClientInfo", client);
            out.println(execute(template, data));
            return 0;
        }
        out.println("Client:");
        line(out, " Version:", BuildInfo.version());
        line(out, " Debug Mode:", String.valueOf(root.debug()));
        out.println();
        out.println("Server:");
        line(out, " Containers:", Json.text(info, "Containers"));
        line(out, "  Running:", Json.text(info, "ContainersRunning"));
        line(out, "  Paused:", Json.text(info, "ContainersPaused"));
        line(out, "  Stopped:", Json.text(info, "ContainersStopped"));
        line(out, " Images:", Json.text(info, "Images"));
        line(out, " Server Version:", Json.text(info, "ServerVersion"));
        line(out, " Storage Driver:", Json.text(info, "Driver"));
        line(out, " Kernel Version:", Json.text(info, "KernelVersion"));
        line(out, " Operating System:", Json.text(info, "OperatingSystem"));
        line(out, " OSType:", Json.text(info, "OSType"));
        line(out, " Architecture:", Json.text(info, "Architecture"));
        line(out, " CPUs:", Json.text(info, "NCPU"));
        line(out, " Total Memory:", bytes(Json.at(info, "MemTotal")));
        line(out, " Name:", Json.text(info, "Name"));
        line(out, " ID:", Json.text(info, "ID"));
        line(out, " Root Dir:", Json.text(info, "DockerRootDir"));
        Map<String, Object> berth = Json.object(info, "Berth");
        if (!berth.isEmpty()) {
            out.println(" Berth:");
            line(out, "  Host ID:", Json.text(berth, "HostId"));
            line(out, "  Socket:", Json.text(berth, "Socket"));
            line(out, "  Pid File:", Json.text(berth, "PidFile"));
            Map<String, Object> log = Json.object(berth, "EventLog");
            if (!log.isEmpty()) {
                out.println("  Event Log:");
                line(out, "   Path:", Json.text(log, "Path"));
                line(out, "   Last Sequence:", Json.text(log, "LastSequence"));
                line(out, "   Dropped On Open:", Json.text(log, "DroppedOnOpen"));
            }
            Map<String, Object> mirror = Json.object(berth, "KafkaMirror");
            if (!mirror.isEmpty()) {
                String state = Json.text(mirror, "State");
                String since = Json.text(mirror, "Since");
                line(out, "  Kafka Mirror:", state + (since.isEmpty() || state.equals("off") ? "" : " since " + since));
                if (!state.equals("off")) {
                    line(out, "   Brokers:", Json.text(mirror, "BootstrapServers"));
                    line(out, "   Topic:", Json.text(mirror, "Topic"));
                    line(out, "   Acknowledged:", Json.text(mirror, "AcknowledgedSequence"));
                    line(out, "   Lag:", Json.text(mirror, "Lag") + " events");
                    String error = Json.text(mirror, "LastError");
                    if (!error.isEmpty()) {
                        line(out, "   Last Error:", error);
                    }
                }
            }
            var plugins = Json.list(berth, "Plugins");
            if (!plugins.isEmpty()) {
                out.println("  Plugins:");
                for (Object p : plugins) {
                    if (p instanceof Map<?, ?>) {
                        String id = Json.text(p, "Id");
                        String state = Json.text(p, "State");
                        out.println("   " + id + " " + Json.text(p, "Version") + (state.isEmpty() ? "" : " (" + state + ")"));
                    } else {
                        out.println("   " + Json.text(p));
                    }
                }
            }
        }
        return 0;
    }

    /** Bytes in binary units with four significant digits, as Docker prints memory: {@code 7.663GiB}. */
    static String bytes(Object value) {
        if (!(value instanceof Number n)) {
            return value == null ? "" : value.toString();
        }
        double v = n.doubleValue();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString() + units[u];
    }
}
