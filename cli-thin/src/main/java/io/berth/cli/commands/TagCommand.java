package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.reference.ImageName;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/** {@code berth tag SOURCE TARGET}: {@code POST /images/{source}/tag?repo=&tag=}; prints nothing, as Docker. */
public final class TagCommand extends ImageCommand {
    private final PositionalParamSpec names;

    public TagCommand(CommandContext root) {
        super(root, "tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
        synopsis("SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]");
        names = arguments("IMAGE");
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = requireArgs(names, 2, 2);
        ImageName target = ImageName.split(args.get(1));
        if (target.digest() != null) {
            throw new CliException(ExitCodes.FAILED, "refusing to create a tag with a digest reference");
        }
        root.api().tagImage(args.get(0), target.name(), target.tag() == null ? "latest" : target.tag());
        return 0;
    }
}
