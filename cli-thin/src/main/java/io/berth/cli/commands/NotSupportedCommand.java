package io.berth.cli.commands;

import io.berth.cli.BerthCommand;
import io.berth.cli.CliException;
import io.berth.cli.ExitCodes;

/** A Docker command berth does not have yet ({@code top}, {@code diff}, {@code cp}): says so, exit 1. */
public final class NotSupportedCommand extends ContainerCommand {
    public NotSupportedCommand(BerthCommand root, String name, String description) {
        super(root, name, description + " (not supported yet)");
        arguments("ARG");
        spec.parser().unmatchedArgumentsAllowed(true);
    }

    @Override
    public Integer call() {
        throw new CliException(ExitCodes.FAILED, "berth: '" + spec.qualifiedName()
                + "' is not supported yet: the daemon has no such operation");
    }
}
