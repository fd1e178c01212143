package io.berth.cli.commands;

import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/**
 * {@code berth pause|unpause CONTAINER…}: {@code POST /containers/{id}/pause} or {@code /unpause} for each name,
 * printing each name that succeeded and then the failures, as Docker's CLI does.
 */
public final class PauseCommand extends ContainerCommand {
    private final String action;
    private final PositionalParamSpec names;

    /** @param action {@code pause} or {@code unpause} */
    public PauseCommand(CommandContext root, String action) {
        super(root, action, action.equals("pause") ? "Pause all processes within one or more containers"
                : "Unpause all processes within one or more containers");
        this.action = action;
        synopsis("CONTAINER [CONTAINER...]");
        names = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        List<String> containers = requireArgs(names, 1, -1);
        return forEach(containers, name -> {
            root.api().postStatus(container(name) + "/" + action);
            return name;
        });
    }
}
