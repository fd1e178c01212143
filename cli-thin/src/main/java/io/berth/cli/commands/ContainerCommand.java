package io.berth.cli.commands;

import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.ApiException;
import io.berth.cli.api.BerthApi;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What the container and volume commands share: Docker's exit code 1 when the daemon answers with an error,
 * and Docker's way with several names — each is tried, the successes are printed as they happen, the
 * failures after them on stderr, and the exit code is 1 if any failed.
 */
abstract class ContainerCommand extends BaseCommand {
    ContainerCommand(CommandContext root, String name, String description) {
        super(root, name, description);
    }

    ContainerCommand(CommandContext root, String name, String description, boolean shortHelp) {
        super(root, name, description, shortHelp);
    }

    @Override
    public int daemonErrorExitCode() {
        return ExitCodes.FAILED;
    }

    /** One name's action; returns the line to print on success, or {@code null} for none. */
    interface Action {
        String apply(String name) throws IOException;
    }

    /** Applies {@code action} to every name (see the class comment). */
    final int forEach(List<String> names, Action action) throws IOException {
        PrintStream out = root.out();
        List<String> errors = new ArrayList<>();
        for (String name : names) {
            try {
                String line = action.apply(name);
                if (line != null) {
                    out.println(line);
                }
            } catch (ApiException e) {
                errors.add("Error response from daemon: " + e.getMessage());
            }
        }
        if (errors.isEmpty()) {
            return 0;
        }
        out.flush();
        for (String e : errors) {
            root.err().println(e);
        }
        return ExitCodes.FAILED;
    }

    /** {@code /containers/NAME} with the name as a path segment. */
    static String container(String name) {
        return "/containers/" + BerthApi.pathSegment(name);
    }

    static String q(String value) {
        return BerthApi.query(value);
    }
}
