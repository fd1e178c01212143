package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import io.berth.cli.args.TimeArg;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * {@code berth system compact --before T}: history before T is compacted — the state then becomes a
 * snapshot that is kept, the log's older cycle files move to its archive directory, and time travel before
 * that point is refused from then on. Off unless run.
 */
public final class SystemCompactCommand extends BaseCommand {
    private final OptionSpec before;
    private final OptionSpec format;
    private final PositionalParamSpec none;

    public SystemCompactCommand(CommandContext root) {
        super(root, "compact", "Compact the event log's history before a time");
        synopsis("--before TIME");
        spec.usageMessage().footer("",
                "TIME: RFC 3339, Unix seconds, a duration before now (30d, 720h) or seq:N.",
                "Archived cycle files are moved to <root>/events/archive, never deleted.");
        before = option("TIME", "Compact history before this time or sequence number (required)", "--before");
        format = formatOption("Print the daemon's answer as JSON");
        none = arguments("");
    }

    @Override
    public Integer call() throws Exception {
        requireArgs(none, 0, 0);
        boolean json = json(format);
        String value = string(before);
        if (value == null) {
            throw new CliException(ExitCodes.ENGINE, "berth system compact needs --before TIME");
        }
        String at;
        try {
            at = TimeArg.toApi("--before", value, Instant.now());
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ENGINE, e.getMessage());
        }
        Object answer = root.api().post("/berth/system/compact?before=" + URLEncoder.encode(at, StandardCharsets.UTF_8), null);
        if (json) {
            root.out().println(Json.write(answer));
            return 0;
        }
        List<Object> archived = Json.list(answer, "ArchivedFiles");
        root.out().println("compacted history through event " + Json.text(answer, "ThroughSequence") + " ("
                + Json.text(answer, "ThroughTime") + "); snapshot " + Json.text(answer, "Snapshot") + "; "
                + (archived.isEmpty() ? "no cycle file was old enough to archive"
                : "archived " + archived.size() + " cycle file(s) to " + Json.text(answer, "ArchiveDirectory")));
        return 0;
    }
}
