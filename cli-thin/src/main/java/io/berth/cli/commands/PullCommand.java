package io.berth.cli.commands;

import io.berth.text.reference.ImageName;
import io.berth.cli.format.JsonMessages;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * {@code berth pull [-q] [--platform P] NAME[:TAG|@DIGEST]}: {@code POST /images/create}, rendered as
 * Docker's CLI renders it (see {@link JsonMessages}), then the full reference, as Docker prints it.
 * Credentials for the image's registry come from Docker's config file ({@link CommandContext#registryAuth}).
 */
public final class PullCommand extends ImageCommand {
    private final OptionSpec quiet;
    private final OptionSpec platform;
    private final PositionalParamSpec names;

    public PullCommand(CommandContext root) {
        super(root, "pull", "Download an image from a registry");
        synopsis("[OPTIONS] NAME[:TAG|@DIGEST]");
        quiet = flag("Suppress verbose output", "-q", "--quiet");
        platform = option("os/arch[/variant]", "Pull this platform of a multi-platform image (default: the host's)", "--platform");
        names = arguments("NAME[:TAG|@DIGEST]");
    }

    @Override
    public Integer call() throws Exception {
        String reference = requireArgs(names, 1, 1).getFirst();
        boolean q = isSet(quiet);
        PrintStream out = root.out();
        ImageName ref = ImageName.split(reference);
        String tag = ref.digest() != null ? ref.digest() : ref.tag();
        if (tag == null) {
            tag = "latest";
            if (!q) {
                out.println("Using default tag: latest");
            }
        }
        String auth = root.registryAuth(ref.registry());
        PrintStream shown = q ? new PrintStream(OutputStream.nullOutputStream()) : out;
        try (HttpResponse r = root.api().pull(ref.name(), tag, string(platform), auth)) {
            boolean tty = !q && root.stdoutIsTerminal();
            new JsonMessages(shown, tty, tty ? root.terminalWidth() : 0).render(r, null);
        }
        out.println(ref.qualified());
        return 0;
    }
}
