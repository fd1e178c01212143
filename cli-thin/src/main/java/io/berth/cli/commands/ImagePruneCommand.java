package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.format.Units;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintStream;
import java.util.Map;

/**
 * {@code berth image prune [-a] [-f]}: {@code POST /images/prune}, after Docker's confirmation prompt unless
 * {@code -f}; prints what was untagged and deleted, then {@code Total reclaimed space: …}.
 */
public final class ImagePruneCommand extends ImageCommand {
    static final String DANGLING_WARNING = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?";
    static final String ALL_WARNING = "WARNING! This will remove all images without at least one container associated to them.\n"
            + "Are you sure you want to continue?";

    private final OptionSpec all;
    private final OptionSpec force;

    public ImagePruneCommand(CommandContext root) {
        super(root, "prune", "Remove unused images");
        synopsis("[OPTIONS]");
        all = flag("Remove all unused images, not just dangling ones", "-a", "--all");
        force = flag("Do not prompt for confirmation", "-f", "--force");
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = root.out();
        if (!isSet(force) && !root.confirm(isSet(all) ? ALL_WARNING : DANGLING_WARNING)) {
            out.println("Total reclaimed space: 0B");
            return 0;
        }
        Map<String, Object> report = root.api().pruneImages(isSet(all));
        var deleted = Json.list(report, "ImagesDeleted");
        if (!deleted.isEmpty()) {
            StringBuilder sb = new StringBuilder("Deleted Images:\n");
            for (Object item : deleted) {
                String untagged = Json.text(item, "Untagged");
                if (!untagged.isEmpty()) {
                    sb.append("untagged: ").append(untagged).append('\n');
                } else {
                    sb.append("deleted: ").append(Json.text(item, "Deleted")).append('\n');
                }
            }
            out.println(sb);
        }
        out.println("Total reclaimed space: " + Units.humanSize(ImagesCommand.number(Json.at(report, "SpaceReclaimed"))));
        return 0;
    }
}
