package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.reference.ImageName;
import io.berth.cli.format.JsonMessages;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * {@code berth push [-q] NAME[:TAG]}: {@code POST /images/{name}/push}, rendered like {@code pull}. Without
 * a tag the daemon pushes every tag of the repository (Docker's behaviour before {@code --all-tags}).
 */
public final class PushCommand extends ImageCommand {
    private final OptionSpec quiet;
    private final PositionalParamSpec names;

    public PushCommand(CommandContext root) {
        super(root, "push", "Upload an image to a registry");
        synopsis("[OPTIONS] NAME[:TAG]");
        quiet = flag("Suppress verbose output", "-q", "--quiet");
        names = arguments("NAME[:TAG]");
    }

    @Override
    public Integer call() throws Exception {
        String reference = requireArgs(names, 1, 1).getFirst();
        boolean q = isSet(quiet);
        ImageName ref = ImageName.split(reference);
        if (ref.digest() != null) {
            throw new CliException(ExitCodes.FAILED,
                    "invalid reference \"" + reference + "\": push takes NAME[:TAG], not a digest");
        }
        String auth = root.registryAuth(ref.registry());
        PrintStream out = root.out();
        PrintStream shown = q ? new PrintStream(OutputStream.nullOutputStream()) : out;
        try (HttpResponse r = root.api().push(ref.name(), ref.tag(), auth)) {
            boolean tty = !q && root.stdoutIsTerminal();
            new JsonMessages(shown, tty, tty ? root.terminalWidth() : 0).render(r, null);
        }
        if (q) {
            String full = ref.qualified();
            out.println(ref.tag() == null ? full.substring(0, full.lastIndexOf(':')) : full);
        }
        return 0;
    }
}
