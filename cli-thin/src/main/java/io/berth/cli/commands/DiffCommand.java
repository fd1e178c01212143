package io.berth.cli.commands;

import io.berth.text.json.Json;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code berth diff CONTAINER}: {@code GET /containers/{id}/changes}, one line per change as Docker prints
 * them: {@code C} changed, {@code A} added, {@code D} deleted, then the path.
 */
public final class DiffCommand extends ContainerCommand {
    private final PositionalParamSpec args;

    public DiffCommand(CommandContext root) {
        super(root, "diff", "Inspect changes to files or directories on a container's filesystem");
        synopsis("CONTAINER");
        args = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        String name = requireArgs(args, 1, 1).getFirst();
        Object answer = root.api().getJson(container(name) + "/changes");
        PrintStream out = root.out();
        if (answer instanceof List<?> changes) {
            for (Object c : changes) {
                out.println(kind(Json.at(c, "Kind")) + " " + Json.text(c, "Path"));
            }
        }
        return 0;
    }

    /** Docker's letter for a change kind: 0 changed, 1 added, 2 deleted. */
    static String kind(Object kind) {
        int k = kind instanceof Number n ? n.intValue() : -1;
        return switch (k) {
            case 0 -> "C";
            case 1 -> "A";
            case 2 -> "D";
            default -> "?";
        };
    }
}
