package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.format.Units;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code berth builder prune [-a] [-f]}: {@code POST /build/prune} after Docker's prompt unless {@code -f}; berth's
 * build cache is the layers builds made that no image holds, so this removes them (with every other unreferenced
 * layer and blob) and prints {@code Total reclaimed space: …}.
 */
public final class BuilderPruneCommand extends ImageCommand {
    static final String WARNING = "WARNING! This will remove all dangling build cache.\nAre you sure you want to continue?";

    private final OptionSpec force;

    public BuilderPruneCommand(CommandContext root) {
        super(root, "prune", "Remove build cache");
        synopsis("[OPTIONS]");
        flag("Remove all unused build cache, not just dangling ones (the same here: berth keeps no other)", "-a", "--all");
        force = flag("Do not prompt for confirmation", "-f", "--force");
    }

    @Override
    public Integer call() throws Exception {
        if (!isSet(force) && !root.confirm(WARNING)) {
            root.out().println("Total reclaimed space: 0B");
            return 0;
        }
        Object report = root.api().post("/build/prune", null);
        root.out().println("Total reclaimed space: " + Units.humanSize(ImagesCommand.number(Json.at(report, "SpaceReclaimed"))));
        return 0;
    }
}
