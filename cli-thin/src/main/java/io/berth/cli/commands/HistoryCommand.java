package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.format.Table;
import io.berth.text.format.Units;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;

/**
 * {@code berth history [--no-trunc] [-q] IMAGE}: {@code GET /images/{name}/history}, newest first, in Docker's
 * columns IMAGE CREATED CREATED BY SIZE COMMENT ({@code <missing>} for steps that are not images).
 */
public final class HistoryCommand extends ImageCommand {
    private final OptionSpec noTrunc;
    private final OptionSpec quiet;
    private final PositionalParamSpec names;

    public HistoryCommand(CommandContext root) {
        super(root, "history", "Show the history of an image");
        synopsis("[OPTIONS] IMAGE");
        noTrunc = flag("Don't truncate output", "--no-trunc");
        quiet = flag("Only show image IDs", "-q", "--quiet");
        names = arguments("IMAGE");
    }

    @Override
    public Integer call() throws Exception {
        String name = requireArgs(names, 1, 1).getFirst();
        boolean trunc = !isSet(noTrunc);
        PrintStream out = root.out();
        var history = root.api().imageHistory(name);
        if (isSet(quiet)) {
            for (Object h : history) {
                out.println(id(h, trunc));
            }
            return 0;
        }
        long now = System.currentTimeMillis() / 1000;
        Table table = new Table("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT").minWidth(10);
        for (Object h : history) {
            String createdBy = Json.text(h, "CreatedBy").replace('\t', ' ').replace('\n', ' ');
            table.row(id(h, trunc), Units.ago(ImagesCommand.number(Json.at(h, "Created")), now),
                    trunc ? Units.ellipsis(createdBy, 45) : createdBy,
                    Units.humanSize(ImagesCommand.number(Json.at(h, "Size")), 3), Json.text(h, "Comment"));
        }
        table.print(out);
        return 0;
    }

    private static String id(Object h, boolean trunc) {
        String id = Json.text(h, "Id");
        return trunc && id.startsWith("sha256:") ? Units.shortId(id) : id;
    }
}
