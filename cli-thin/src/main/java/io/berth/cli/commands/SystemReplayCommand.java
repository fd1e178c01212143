package io.berth.cli.commands;

import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code berth system replay}: asks the daemon to rebuild every projection from the whole log and compare
 * it with the live state. Exit 0 when they are equal, 1 (a failed result, not an engine error) when not.
 */
public final class SystemReplayCommand extends BaseCommand {
    private final OptionSpec format;

    public SystemReplayCommand(CommandContext root) {
        super(root, "replay", "Replay the whole event log and compare the result with the live state");
        format = formatOption("Print the daemon's answer as JSON");
    }

    @Override
    public Integer call() throws Exception {
        boolean json = json(format);
        PrintStream out = root.out();
        byte[] body = root.api().replayBytes();
        Map<String, Object> result = Json.parseObject(body, "POST /berth/system/replay");
        boolean equal = Boolean.TRUE.equals(result.get("Equal"));
        if (json) {
            out.println(new String(body, StandardCharsets.UTF_8).strip());
            return equal ? ExitCodes.OK : ExitCodes.FAILED;
        }
        String n = Json.text(result, "EventsReplayed");
        if (equal) {
            out.println("replayed " + n + " events: live state equals replayed state");
            return ExitCodes.OK;
        }
        int differing = 0;
        for (Object p : Json.list(result, "Projections")) {
            if (Boolean.TRUE.equals(Json.at(p, "Equal"))) {
                continue;
            }
            differing++;
            String name = Json.text(p, "Name");
            var differences = Json.list(p, "Differences");
            if (differences.isEmpty()) {
                out.println(name + ": differs");
            }
            for (Object d : differences) {
                out.println(name + ": " + d);
            }
        }
        out.println("replayed " + n + " events: live state differs from replayed state in " + differing
                + (differing == 1 ? " projection" : " projections"));
        return ExitCodes.FAILED;
    }
}
