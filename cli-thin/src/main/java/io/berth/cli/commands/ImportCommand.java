package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.cli.http.HttpResponse;
import io.berth.text.reference.ImageName;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code berth import [OPTIONS] FILE|- [REPOSITORY[:TAG]]}: {@code POST /images/create?fromSrc=-} with the tar as the
 * body; prints the new image's id, or the daemon's error line with exit 1.
 */
public final class ImportCommand extends ImageCommand {
    private final OptionSpec change;
    private final OptionSpec message;
    private final OptionSpec platform;
    private final PositionalParamSpec args;

    public ImportCommand(CommandContext root) {
        super(root, "import", "Import the contents from a tarball to create a filesystem image");
        synopsis("[OPTIONS] file|URL|- [REPOSITORY[:TAG]]");
        change = multi("list", "Apply Dockerfile instruction to the created image", "-c", "--change");
        message = option("string", "Set commit message for imported image", "-m", "--message");
        platform = option("string", "Set platform if server is multi-platform capable", "--platform");
        args = arguments("ARG");
    }

    @Override
    public Integer call() throws Exception {
        List<String> a = requireArgs(args, 1, 2);
        StringBuilder target = new StringBuilder("/images/create?fromSrc=-");
        if (a.size() == 2) {
            ImageName reference = ImageName.split(a.get(1));
            // a digest is the daemon's to refuse: it gets the reference whole
            target.append("&repo=").append(ContainerCommand.q(reference.digest() != null ? a.get(1) : reference.name()));
            if (reference.tag() != null && reference.digest() == null) {
                target.append("&tag=").append(ContainerCommand.q(reference.tag()));
            }
        }
        for (String c : strings(change)) {
            target.append("&changes=").append(ContainerCommand.q(c));
        }
        if (string(message) != null) {
            target.append("&message=").append(ContainerCommand.q(string(message)));
        }
        if (string(platform) != null) {
            target.append("&platform=").append(ContainerCommand.q(string(platform)));
        }
        String source = a.getFirst();
        InputStream in = source.equals("-") ? root.in() : Files.newInputStream(Path.of(source));
        long length = source.equals("-") ? -1 : Files.size(Path.of(source));
        try (in; HttpResponse r = root.api().sendStream("POST", target.toString(), "application/x-tar", in, length)) {
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            for (String line : body.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                Object message = Json.parse(line);
                String error = Json.text(message, "error");
                if (!error.isEmpty()) {
                    root.err().println(error);
                    return 1;
                }
                String status = Json.text(message, "status");
                if (!status.isEmpty()) {
                    root.out().println(status);
                }
            }
        }
        return 0;
    }
}
