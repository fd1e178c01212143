package io.berth.cli.commands;

import io.berth.cli.auth.DockerConfig;
import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/**
 * {@code berth logout [SERVER]}: removes the server's entry from Docker's config file (Docker Hub if none is
 * given), with Docker's messages. Talks to no daemon.
 */
public final class LogoutCommand extends ImageCommand {
    private final PositionalParamSpec server;

    public LogoutCommand(CommandContext root) {
        super(root, "logout", "Log out from a registry (Docker Hub if no server is given)");
        synopsis("[SERVER]");
        server = arguments("SERVER");
    }

    @Override
    public Integer call() throws Exception {
        try {
            return logout();
        } catch (java.io.IOException e) {
            throw new CliException(ExitCodes.FAILED, "Error: " + e.getMessage());
        }
    }

    private int logout() throws java.io.IOException {
        List<String> args = requireArgs(server, 0, 1);
        String key = DockerConfig.key(args.isEmpty() ? null : args.getFirst());
        DockerConfig config = DockerConfig.load(root.dockerConfigDir());
        List<String> removed = config.remove(key);
        if (removed.isEmpty()) {
            root.out().println("Not logged in to " + key);
            return 0;
        }
        root.out().println("Removing login credentials for " + key);
        config.save();
        return 0;
    }
}
