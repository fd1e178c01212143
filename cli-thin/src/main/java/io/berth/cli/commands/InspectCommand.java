package io.berth.cli.commands;

import io.berth.cli.BerthCommand;
import io.berth.cli.ExitCodes;
import io.berth.cli.api.ApiException;
import io.berth.cli.api.Json;
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
 * {@code berth inspect} looks up images (berth's only inspectable objects so far).
 */
public final class InspectCommand extends ImageCommand {
    private final OptionSpec format;
    private final PositionalParamSpec names;
    private final boolean anyObject;

    /** @param anyObject {@code true} for the top-level {@code inspect}, which reports "No such object" */
    public InspectCommand(BerthCommand root, boolean anyObject) {
        super(root, "inspect", anyObject ? "Return low-level information on berth objects"
                : "Display detailed information on one or more images");
        this.anyObject = anyObject;
        synopsis("[OPTIONS] " + (anyObject ? "NAME|ID [NAME|ID...]" : "IMAGE [IMAGE...]"));
        format = formatOption("Print as JSON (the default)", "-f", "--format");
        names = arguments("NAME");
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = requireArgs(names, 1, -1);
        json(format); // only json is accepted, and it is what is printed anyway
        ByteArrayOutputStream array = new ByteArrayOutputStream();
        array.write('[');
        List<String> errors = new ArrayList<>();
        int found = 0;
        for (String name : args) {
            try {
                byte[] raw = root.api().imageInspectBytes(name);
                if (found++ > 0) {
                    array.write(',');
                }
                array.write(raw);
            } catch (ApiException e) {
                if (e.status() == 404) {
                    errors.add(anyObject ? "Error: No such object: " + name : "Error: No such image: " + name);
                } else {
                    errors.add("Error response from daemon: " + e.getMessage());
                }
            }
        }
        array.write(']');
        PrintStream out = root.out();
        out.println(Json.indent(array.toByteArray(), "    "));
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
