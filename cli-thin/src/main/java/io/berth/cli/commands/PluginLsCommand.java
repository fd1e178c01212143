package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.format.Table;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code berth plugin ls}: every plugin the daemon found, its state, and what it extends — or, for a
 * plugin that failed, why.
 */
public final class PluginLsCommand extends BaseCommand {
    private final OptionSpec format;
    private final OptionSpec noTruncOption;
    private boolean noTrunc;

    public PluginLsCommand(CommandContext root) {
        super(root, "ls", "List plugins");
        spec.aliases("list");
        format = formatOption("Print one JSON object per plugin");
        noTruncOption = flag("Show extension classes with their packages", "--no-trunc");
    }

    @Override
    public Integer call() throws Exception {
        boolean json = json(format);
        noTrunc = isSet(noTruncOption);
        PrintStream out = root.out();
        List<Object> plugins = root.api().plugins();
        if (json) {
            for (Object p : plugins) {
                out.println(Json.write(p)); // one object per line, as Docker's list commands print JSON
            }
            return 0;
        }
        Table table = new Table("ID", "VERSION", "STATE", "EXTENSIONS/ERROR");
        for (Object p : plugins) {
            String error = Json.text(p, "Error");
            table.row(Json.text(p, "Id"), Json.text(p, "Version"), Json.text(p, "State"),
                    error.isEmpty() ? extensions(Json.list(p, "Extensions")) : error);
        }
        table.print(out);
        return 0;
    }

    /** {@code io.berth.spi.ContainerRuntime=io.berth.runc.RuncRuntime} shortens to {@code ContainerRuntime=RuncRuntime}. */
    private String extensions(List<Object> extensions) {
        List<String> shown = new ArrayList<>(extensions.size());
        for (Object e : extensions) {
            String s = String.valueOf(e);
            if (!noTrunc) {
                int eq = s.indexOf('=');
                s = eq < 0 ? simpleName(s) : simpleName(s.substring(0, eq)) + "=" + simpleName(s.substring(eq + 1));
            }
            shown.add(s);
        }
        return String.join(", ", shown);
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
