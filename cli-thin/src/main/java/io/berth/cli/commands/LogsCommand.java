package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.args.TimeArg;
import io.berth.cli.http.HttpResponse;
import io.berth.cli.stream.Frames;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.time.Instant;

/**
 * {@code berth logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER}: {@code GET /containers/{id}/logs},
 * the container's stdout to stdout and its stderr to stderr (Docker's frames taken apart; a container with a
 * terminal has one raw stream, printed to stdout).
 */
public final class LogsCommand extends ContainerCommand {
    private final OptionSpec follow;
    private final OptionSpec tail;
    private final OptionSpec since;
    private final OptionSpec until;
    private final OptionSpec timestamps;
    private final PositionalParamSpec names;

    public LogsCommand(CommandContext root) {
        super(root, "logs", "Fetch the logs of a container");
        synopsis("[OPTIONS] CONTAINER");
        spec.addOption(OptionSpec.builder("--details").type(boolean.class).arity("0").hidden(true).build());
        follow = flag("Follow log output", "-f", "--follow");
        since = option("string", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)", "--since");
        tail = option("string", "Number of lines to show from the end of the logs (default \"all\")", "-n", "--tail");
        timestamps = flag("Show timestamps", "-t", "--timestamps");
        until = option("string", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)", "--until");
        names = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        String name = requireArgs(names, 1, 1).getFirst();
        StringBuilder q = new StringBuilder(container(name)).append("/logs?stdout=1&stderr=1");
        if (isSet(follow)) {
            q.append("&follow=1");
        }
        if (isSet(timestamps)) {
            q.append("&timestamps=1");
        }
        String t = string(tail);
        if (t != null && !t.equals("all")) {
            try {
                if (Integer.parseInt(t.strip()) < 0) {
                    t = "all";
                }
            } catch (NumberFormatException e) {
                throw new CliException(ExitCodes.ENGINE, "invalid argument \"" + t
                        + "\" for \"-n, --tail\" flag: expected a number of lines or \"all\"\nSee '"
                        + spec.qualifiedName() + " --help'.");
            }
            q.append("&tail=").append(q(t.strip()));
        }
        try {
            if (string(since) != null) {
                q.append("&since=").append(q(TimeArg.toApi("--since", string(since), Instant.now())));
            }
            if (string(until) != null) {
                q.append("&until=").append(q(TimeArg.toApi("--until", string(until), Instant.now())));
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ENGINE, e.getMessage());
        }
        try (HttpResponse r = root.api().open("GET", q.toString(), null)) {
            Frames.copy(r.body(), Frames.isRaw(r.header("Content-Type")), root.out(), root.err());
        }
        return 0;
    }
}
