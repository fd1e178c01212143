package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.format.Table;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/**
 * {@code berth top CONTAINER [ps OPTIONS]}: {@code GET /containers/{id}/top?ps_args=}; the daemon's
 * {@code Titles} as the header and its {@code Processes}, laid out as Docker's tab writer does (cells at
 * least 20 wide, three spaces of padding).
 */
public final class TopCommand extends ContainerCommand {
    private final PositionalParamSpec args;

    public TopCommand(CommandContext root) {
        super(root, "top", "Display the running processes of a container");
        synopsis("CONTAINER [ps OPTIONS]");
        spec.parser().stopAtPositional(true); // ps's options after the container are not berth's
        args = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        List<String> a = requireArgs(args, 1, -1);
        String target = container(a.getFirst()) + "/top";
        if (a.size() > 1) {
            target += "?ps_args=" + q(String.join(" ", a.subList(1, a.size())));
        }
        Object answer = root.api().getJson(target);
        List<?> titles = Json.at(answer, "Titles") instanceof List<?> l ? l : List.of();
        Table table = new Table(strings(titles)).minWidth(20);
        if (Json.at(answer, "Processes") instanceof List<?> processes) {
            for (Object p : processes) {
                if (p instanceof List<?> cells) {
                    table.row(strings(cells));
                }
            }
        }
        table.print(root.out());
        return 0;
    }

    private static String[] strings(List<?> values) {
        String[] s = new String[values.size()];
        for (int i = 0; i < s.length; i++) {
            Object v = values.get(i);
            s[i] = v == null ? "" : v.toString();
        }
        return s;
    }
}
