package io.berth.cli.commands;

import picocli.CommandLine;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/** {@code berth help [COMMAND…]}: the usage of berth or of one of its commands. */
public final class HelpCommand extends BaseCommand {
    private final PositionalParamSpec names;

    public HelpCommand(CommandContext root) {
        super(root, "help", "Show the usage of berth or of a command");
        names = PositionalParamSpec.builder().paramLabel("COMMAND").arity("0..*").type(List.class)
                .auxiliaryTypes(String.class).build();
        spec.addPositional(names);
    }

    @Override
    public Integer call() {
        CommandLine target = spec.root().commandLine();
        List<String> path = names.getValue();
        if (path != null) {
            for (String name : path) {
                CommandLine sub = target.getSubcommands().get(name);
                if (sub == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "Unknown command: '" + name + "'");
                }
                target = sub;
            }
        }
        target.usage(root.out());
        return 0;
    }
}
