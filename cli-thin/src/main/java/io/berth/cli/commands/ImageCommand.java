package io.berth.cli.commands;

import io.berth.cli.exit.ExitCodes;

/** What the image commands share: Docker's exit code 1 when the daemon answers with an error. */
abstract class ImageCommand extends BaseCommand {
    ImageCommand(CommandContext root, String name, String description) {
        super(root, name, description);
    }

    @Override
    public int daemonErrorExitCode() {
        return ExitCodes.FAILED;
    }
}
