package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/**
 * {@code berth daemon} is run by the launcher ({@code bin/berth daemon …} starts the daemon's own JVM);
 * the CLI JVM only gets here when started without the launcher, and says so.
 */
public final class DaemonCommand extends BaseCommand {
    public DaemonCommand(CommandContext root) {
        super(root, "daemon", "Run the berth daemon (bin/berth daemon starts it; flags as dockerd's:"
                + " --root, -H, --pidfile, --plugins-dir, --config-file, --kafka-bootstrap-servers, --kafka-topic)");
        // Whatever follows is the daemon's business; it must not be a usage error here.
        spec.addPositional(PositionalParamSpec.builder().arity("0..*").type(List.class).auxiliaryTypes(String.class)
                .hidden(true).build());
    }

    @Override
    public Integer call() {
        String l = root.env("BERTH_LAUNCHER");
        throw new CliException(ExitCodes.ENGINE, "berth daemon is started by the launcher: run '"
                + (l == null || l.isEmpty() ? "<install dir>/bin/berth" : l)
                + " daemon …' (this CLI process cannot run the daemon)");
    }
}
