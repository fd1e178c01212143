package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.ApiException;
import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import io.berth.text.format.GoTemplate;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code berth image inspect NAME…} and {@code berth inspect NAME…}: the daemon's inspect answers as one JSON
 * array indented like Docker's ({@link Json#indent}, field order as the daemon sent it). A name that is
 * not found leaves the others printed; the errors follow on stderr and the exit code is 1, as Docker's.
 * {@code berth inspect} looks for a container first, then an image, as Docker's does ({@code --type} narrows it).
 */
public final class InspectCommand extends ImageCommand {
    private final OptionSpec format;
    private final OptionSpec type;
    private final OptionSpec at;
    private final PositionalParamSpec names;
    /** {@code any} (the top-level {@code inspect}), {@code image} or {@code container}. */
    private final String kind;

    /** @param anyObject {@code true} for the top-level {@code inspect}, which reports "No such object" */
    public InspectCommand(CommandContext root, boolean anyObject) {
        this(root, anyObject ? "any" : "image");
    }

    /** @param kind {@code any} (top-level {@code inspect}), {@code image} or {@code container} */
    public InspectCommand(CommandContext root, String kind) {
        super(root, "inspect", switch (kind) {
            case "any" -> "Return low-level information on berth objects";
            case "container" -> "Display detailed information on one or more containers";
            default -> "Display detailed information on one or more images";
        });
        this.kind = kind;
        synopsis("[OPTIONS] " + switch (kind) {
            case "any" -> "NAME|ID [NAME|ID...]";
            case "container" -> "CONTAINER [CONTAINER...]";
            default -> "IMAGE [IMAGE...]";
        });
        format = option("string", "Format output using a Go template, or 'json' (the default)", "-f", "--format");
        type = kind.equals("any") ? option("container|image|volume", "Only look for this type of object", "--type") : null;
        at = atOption();
        names = arguments("NAME");
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = requireArgs(names, 1, -1);
        GoTemplate template = inspectTemplate(format);
        String only = type == null ? null : string(type);
        if (only != null && !only.equals("container") && !only.equals("image") && !only.equals("volume")) {
            throw new CliException(ExitCodes.ENGINE, "\"" + only + "\" is not a valid value for --type");
        }
        boolean containers = kind.equals("container") || (kind.equals("any") && (only == null || only.equals("container")));
        boolean images = kind.equals("image") || (kind.equals("any") && (only == null || only.equals("image")));
        boolean volumes = kind.equals("any") && "volume".equals(only);
        ByteArrayOutputStream array = new ByteArrayOutputStream();
        array.write('[');
        List<String> errors = new ArrayList<>();
        int found = 0;
        for (String name : args) {
            byte[] raw = null;
            String error = null;
            try {
                if (containers) {
                    raw = lookUp("/containers/" + BerthApi.pathSegment(name) + "/json");
                }
                if (raw == null && images) {
                    raw = lookUp("/images/" + BerthApi.pathSegment(name) + "/json");
                }
                if (raw == null && volumes) {
                    raw = lookUp("/volumes/" + BerthApi.pathSegment(name));
                }
            } catch (ApiException e) {
                error = "Error response from daemon: " + e.getMessage();
            }
            if (raw != null) {
                if (found++ > 0) {
                    array.write(',');
                }
                array.write(raw);
            } else if (error != null) {
                errors.add(error);
            } else {
                errors.add(switch (kind) {
                    case "any" -> "Error: No such object: " + name;
                    case "container" -> "Error: No such container: " + name;
                    default -> "Error: No such image: " + name;
                });
            }
        }
        array.write(']');
        PrintStream out = root.out();
        if (template == null) {
            out.println(Json.indent(array.toByteArray(), "    "));
        } else {
            // as Docker's: the template once per object found, each result on its own line
            for (Object object : Json.list(Json.parse(array.toByteArray()))) {
                out.println(execute(template, object));
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

    /** The object's JSON, or {@code null} when the daemon has no such object. */
    private byte[] lookUp(String target) throws java.io.IOException {
        try {
            return root.api().getRaw(withAt(target, at));
        } catch (ApiException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }
}
