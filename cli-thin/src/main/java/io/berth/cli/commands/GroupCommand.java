package io.berth.cli.commands;

import picocli.CommandLine;

/** A command that only groups others ({@code berth plugin}, {@code berth system}); alone it is a usage error. */
public final class GroupCommand extends BaseCommand {
    /** A group named {@code name} holding {@code members}. */
    public GroupCommand(CommandContext root, String name, String description, BaseCommand... members) {
        super(root, name, description);
        for (BaseCommand m : members) {
            spec.addSubcommand(m.spec().name(), new CommandLine(m.spec()));
        }
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "'" + spec.qualifiedName() + "' requires a subcommand");
    }
}
