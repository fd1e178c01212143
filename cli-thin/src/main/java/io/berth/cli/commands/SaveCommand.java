package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code berth save [-o FILE] IMAGE…}: {@code GET /images/get} (a docker-archive tar) to a file or to stdout.
 * As Docker's CLI, it refuses to write a tar to a terminal, and writes {@code -o FILE} through a temporary
 * file in the same directory that is renamed once complete, so a failed save leaves no partial file.
 */
public final class SaveCommand extends ImageCommand {
    private final OptionSpec output;
    private final PositionalParamSpec names;

    public SaveCommand(CommandContext root) {
        super(root, "save", "Save one or more images to a tar archive (streamed to STDOUT by default)");
        synopsis("[OPTIONS] IMAGE [IMAGE...]");
        output = option("FILE", "Write to a file, instead of STDOUT", "-o", "--output");
        names = arguments("IMAGE");
    }

    @Override
    public Integer call() throws Exception {
        List<String> images = requireArgs(names, 1, -1);
        String file = string(output);
        if (file == null && root.stdoutIsTerminal()) {
            throw new CliException(ExitCodes.FAILED, "Cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        try (HttpResponse r = root.api().save(images)) {
            if (file == null) {
                OutputStream out = root.out();
                copy(r.body(), out);
                out.flush();
                return 0;
            }
            Path target = Path.of(file).toAbsolutePath();
            Path tmp;
            try {
                tmp = Files.createTempFile(target.getParent(), ".berth-save-", ".tmp");
            } catch (IOException e) {
                throw new CliException(ExitCodes.FAILED, "failed to save to " + file + ": cannot create a file in "
                        + target.getParent() + " (" + e.getMessage() + ")");
            }
            try {
                try (OutputStream o = Files.newOutputStream(tmp)) {
                    copy(r.body(), o);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return 0;
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
    }
}
