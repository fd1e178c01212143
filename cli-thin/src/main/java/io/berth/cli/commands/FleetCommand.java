package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/**
 * {@code berth fleet} reads the Kafka topic the daemons mirror to; the launcher runs it in a JVM of its
 * own on the engine's class path ({@code io.berth.engine.fleet.FleetMain}), so the CLI's class path
 * stays small. The CLI JVM only gets here when started without the launcher, and says so.
 */
public final class FleetCommand extends BaseCommand {
    public FleetCommand(CommandContext root) {
        super(root, "fleet", "Events and containers of every host mirroring to Kafka (fleet events, fleet ps; read"
                + " from the topic, no daemon)");
        spec.addPositional(PositionalParamSpec.builder().arity("0..*").type(List.class).auxiliaryTypes(String.class)
                .hidden(true).build());
    }

    @Override
    public Integer call() {
        String l = root.env("BERTH_LAUNCHER");
        throw new CliException(ExitCodes.ENGINE, "berth fleet is started by the launcher: run '"
                + (l == null || l.isEmpty() ? "<install dir>/bin/berth" : l)
                + " fleet …' (it needs the engine's class path)");
    }
}
