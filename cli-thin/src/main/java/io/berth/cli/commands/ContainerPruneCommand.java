package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.format.Units;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code berth container prune [-f]}: {@code POST /containers/prune} after Docker's prompt; prints the
 * removed IDs and {@code Total reclaimed space}.
 */
public final class ContainerPruneCommand extends ContainerCommand {
    static final String WARNING = "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?";
    private final OptionSpec force;

    public ContainerPruneCommand(CommandContext root) {
        super(root, "prune", "Remove all stopped containers");
        synopsis("[OPTIONS]");
        force = flag("Do not prompt for confirmation", "-f", "--force");
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = root.out();
        if (!isSet(force) && !root.confirm(WARNING)) {
            out.println("Total reclaimed space: 0B");
            return 0;
        }
        Object report = root.api().post("/containers/prune", null);
        List<Object> deleted = Json.list(report, "ContainersDeleted");
        if (!deleted.isEmpty()) {
            StringBuilder sb = new StringBuilder("Deleted Containers:\n");
            for (Object id : deleted) {
                sb.append(id).append('\n');
            }
            out.println(sb);
        }
        out.println("Total reclaimed space: " + Units.humanSize(PsCommand.number(Json.at(report, "SpaceReclaimed"))));
        return 0;
    }
}
