package io.berth.cli.commands;

import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/** {@code berth rename CONTAINER NEW_NAME}: {@code POST /containers/{id}/rename?name=}; prints nothing. */
public final class RenameCommand extends ContainerCommand {
    private final PositionalParamSpec names;

    public RenameCommand(CommandContext root) {
        super(root, "rename", "Rename a container");
        synopsis("CONTAINER NEW_NAME");
        names = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        List<String> a = requireArgs(names, 2, 2);
        root.api().postStatus(container(a.get(0)) + "/rename?name=" + q(a.get(1)));
        return 0;
    }
}
