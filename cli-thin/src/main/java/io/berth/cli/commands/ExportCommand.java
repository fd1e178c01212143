package io.berth.cli.commands;

import io.berth.cli.api.BerthApi;
import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code berth export [-o FILE] CONTAINER}: {@code GET /containers/{id}/export}, the container's filesystem as a tar,
 * to a file or to stdout (never to a terminal, as Docker's CLI refuses).
 */
public final class ExportCommand extends ContainerCommand {
    private final OptionSpec output;
    private final PositionalParamSpec names;

    public ExportCommand(CommandContext root) {
        super(root, "export", "Export a container's filesystem as a tar archive");
        synopsis("[OPTIONS] CONTAINER");
        output = option("string", "Write to a file, instead of STDOUT", "-o", "--output");
        names = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        String name = requireArgs(names, 1, 1).getFirst();
        String file = string(output);
        if (file == null && root.stdoutIsTerminal()) {
            throw new CliException(ExitCodes.FAILED, "berth: cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        try (HttpResponse r = root.api().open("GET", container(name) + "/export", null)) {
            BerthApi.check(r);
            InputStream in = r.body();
            if (file == null) {
                in.transferTo(root.out());
                root.out().flush();
            } else {
                try (OutputStream out = Files.newOutputStream(Path.of(file))) {
                    in.transferTo(out);
                }
            }
        }
        return 0;
    }
}
