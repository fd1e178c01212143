package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.reference.ImageName;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/**
 * {@code berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]}: {@code POST /commit}; prints the new image's id.
 */
public final class CommitCommand extends ContainerCommand {
    private final OptionSpec author;
    private final OptionSpec message;
    private final OptionSpec change;
    private final OptionSpec pause;
    private final PositionalParamSpec args;

    public CommitCommand(CommandContext root) {
        super(root, "commit", "Create a new image from a container's changes");
        synopsis("[OPTIONS] CONTAINER [REPOSITORY[:TAG]]");
        author = option("string", "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")", "-a", "--author");
        change = multi("list", "Apply Dockerfile instruction to the created image", "-c", "--change");
        message = option("string", "Commit message", "-m", "--message");
        pause = option("bool", "Pause container during commit (default true)", "-p", "--pause");
        args = arguments("ARG");
    }

    @Override
    public Integer call() throws Exception {
        List<String> a = requireArgs(args, 1, 2);
        StringBuilder target = new StringBuilder("/commit?container=").append(q(a.getFirst()));
        if (a.size() == 2) {
            ImageName reference = ImageName.split(a.get(1));
            target.append("&repo=").append(q(reference.digest() != null ? a.get(1) : reference.name()));
            if (reference.tag() != null && reference.digest() == null) {
                target.append("&tag=").append(q(reference.tag()));
            }
        }
        if (string(author) != null) {
            target.append("&author=").append(q(string(author)));
        }
        if (string(message) != null) {
            target.append("&comment=").append(q(string(message)));
        }
        String p = string(pause);
        target.append("&pause=").append(p == null || p.isEmpty() || p.equals("true") ? "1" : "0");
        for (String c : strings(change)) {
            target.append("&changes=").append(q(c));
        }
        Object answer = root.api().post(target.toString(), null);
        root.out().println(Json.text(answer, "Id"));
        return 0;
    }
}
