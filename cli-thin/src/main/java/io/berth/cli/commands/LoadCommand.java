package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.format.JsonMessages;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code berth load [-i FILE] [-q]}: sends a docker-archive or OCI layout tar (a file, else stdin) to
 * {@code POST /images/load} and prints the daemon's messages ({@code Loaded image: …}). A file is sent with
 * its length, stdin with chunked transfer coding.
 */
public final class LoadCommand extends ImageCommand {
    private final OptionSpec input;
    private final OptionSpec quiet;
    private final PositionalParamSpec none;

    public LoadCommand(CommandContext root) {
        super(root, "load", "Load an image from a tar archive or STDIN");
        synopsis("[OPTIONS]");
        input = option("FILE", "Read from tar archive file, instead of STDIN", "-i", "--input");
        quiet = flag("Suppress the load output", "-q", "--quiet");
        none = arguments("");
    }

    @Override
    public Integer call() throws Exception {
        requireArgs(none, 0, 0);
        String file = string(input);
        InputStream in;
        long length;
        if (file == null) {
            if (root.stdinIsTerminal()) {
                throw new CliException(ExitCodes.FAILED, "requested load from stdin, but stdin is empty");
            }
            in = root.in();
            length = -1;
        } else {
            Path p = Path.of(file);
            try {
                length = Files.size(p);
                in = Files.newInputStream(p);
            } catch (NoSuchFileException e) {
                throw new CliException(ExitCodes.FAILED, "open " + file + ": no such file or directory");
            } catch (java.io.IOException e) {
                throw new CliException(ExitCodes.FAILED, "open " + file + ": " + e.getMessage());
            }
        }
        try (in; HttpResponse r = root.api().load(in, length, isSet(quiet))) {
            boolean tty = root.stdoutIsTerminal();
            new JsonMessages(root.out(), tty, tty ? root.terminalWidth() : 0).render(r, null);
        }
        return 0;
    }
}
