package io.berth.cli.commands;

import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.ApiException;
import io.berth.text.json.Json;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code berth rmi [-f] IMAGE…} ({@code berth image rm}): {@code DELETE /images/{name}} for each name, printing
 * {@code Untagged: …} and {@code Deleted: …}. As Docker's CLI, a failure does not stop the next name; the
 * failures are printed at the end and the exit code is 1.
 */
public final class RmiCommand extends ImageCommand {
    private final OptionSpec force;
    private final PositionalParamSpec names;

    public RmiCommand(CommandContext root, String name) {
        super(root, name, "Remove one or more images");
        synopsis("[OPTIONS] IMAGE [IMAGE...]");
        if (name.equals("rm")) {
            spec.aliases("remove");
        }
        force = flag("Force removal of the image", "-f", "--force");
        names = arguments("IMAGE");
    }

    @Override
    public Integer call() throws Exception {
        List<String> images = requireArgs(names, 1, -1);
        PrintStream out = root.out();
        List<String> errors = new ArrayList<>();
        for (String image : images) {
            try {
                for (Object item : root.api().removeImage(image, isSet(force))) {
                    String untagged = Json.text(item, "Untagged");
                    if (!untagged.isEmpty()) {
                        out.println("Untagged: " + untagged);
                    }
                    String deleted = Json.text(item, "Deleted");
                    if (!deleted.isEmpty()) {
                        out.println("Deleted: " + deleted);
                    }
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
}
