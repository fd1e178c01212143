package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import io.berth.cli.args.ContainerArgs;
import io.berth.text.format.Table;
import io.berth.text.format.Units;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code berth volume create|ls|inspect|rm|prune}, with Docker's options and output:
 * {@code create [--label K=V] [-d local] [NAME]} prints the name; {@code ls [-q] [--format json]} lists
 * DRIVER and VOLUME NAME; {@code inspect NAME…} prints the answers as one indented JSON array;
 * {@code rm [-f] NAME…} prints each name; {@code prune [-a] [-f]} removes unused anonymous volumes (all
 * unused ones with {@code -a}) after Docker's prompt.
 */
public final class VolumeCommand extends ContainerCommand {
    private final String member;
    private final PositionalParamSpec names;
    private OptionSpec labels;
    private OptionSpec driver;
    private OptionSpec nameOption;
    private OptionSpec quiet;
    private OptionSpec format;
    private OptionSpec force;
    private OptionSpec all;
    private OptionSpec at;

    /** @param member {@code create}, {@code ls}, {@code inspect}, {@code rm} or {@code prune} */
    public VolumeCommand(CommandContext root, String member) {
        super(root, member, switch (member) {
            case "create" -> "Create a volume";
            case "ls" -> "List volumes";
            case "inspect" -> "Display detailed information on one or more volumes";
            case "rm" -> "Remove one or more volumes";
            default -> "Remove unused local volumes";
        });
        this.member = member;
        switch (member) {
            case "create" -> {
                synopsis("[OPTIONS] [VOLUME]");
                driver = option("string", "Specify volume driver name (only \"local\")", "-d", "--driver");
                labels = multi("KEY=VALUE", "Set metadata for a volume", "--label");
                nameOption = option("string", "Specify volume name", "--name");
            }
            case "ls" -> {
                synopsis("[OPTIONS]");
                spec.aliases("list");
                format = option("table|json", "Print as a table (default) or one JSON object per volume", "--format");
                quiet = flag("Only display volume names", "-q", "--quiet");
                at = atOption();
            }
            case "inspect" -> {
                synopsis("[OPTIONS] VOLUME [VOLUME...]");
                format = formatOption("Print as JSON (the default)", "-f", "--format");
                at = atOption();
            }
            case "rm" -> {
                synopsis("[OPTIONS] VOLUME [VOLUME...]");
                spec.aliases("remove");
                force = flag("Force the removal of one or more volumes", "-f", "--force");
            }
            default -> {
                synopsis("[OPTIONS]");
                all = flag("Remove all unused volumes, not just anonymous ones", "-a", "--all");
                force = flag("Do not prompt for confirmation", "-f", "--force");
            }
        }
        names = arguments("VOLUME");
    }

    @Override
    public Integer call() throws Exception {
        return switch (member) {
            case "create" -> create();
            case "ls" -> list();
            case "inspect" -> inspect();
            case "rm" -> forEach(requireArgs(names, 1, -1), new Remove());
            default -> prune();
        };
    }

    private int create() throws IOException {
        List<String> a = requireArgs(names, 0, 1);
        String name = string(nameOption);
        if (!a.isEmpty()) {
            if (name != null && !name.equals(a.getFirst())) {
                throw new CliException(ExitCodes.FAILED, "berth: conflicting options: either specify --name or provide"
                        + " positional arg, not both");
            }
            name = a.getFirst();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", name == null ? "" : name);
        body.put("Driver", string(driver) == null ? "local" : string(driver));
        Map<String, Object> l = new LinkedHashMap<>();
        for (String kv : strings(labels)) {
            try {
                String[] pair = ContainerArgs.keyValue(kv);
                l.put(pair[0], pair[1]);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.ENGINE, "invalid argument \"" + kv + "\" for \"--label\" flag: "
                        + e.getMessage());
            }
        }
        body.put("Labels", l);
        root.out().println(Json.text(root.api().post("/volumes/create", body), "Name"));
        return 0;
    }

    private int list() throws IOException {
        requireArgs(names, 0, 0);
        boolean json = tableOrJson(format);
        List<Object> volumes = new ArrayList<>(Json.list(root.api().getJson(withAt("/volumes", at)), "Volumes"));
        volumes.sort(new ByName());
        PrintStream out = root.out();
        if (isSet(quiet)) {
            for (Object v : volumes) {
                out.println(Json.text(v, "Name"));
            }
            return 0;
        }
        if (json) {
            for (Object v : volumes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("Availability", "N/A");
                m.put("Driver", Json.text(v, "Driver"));
                m.put("Group", "N/A");
                StringBuilder ls = new StringBuilder();
                for (Map.Entry<String, Object> e : Json.object(v, "Labels").entrySet()) {
                    if (!ls.isEmpty()) {
                        ls.append(',');
                    }
                    ls.append(e.getKey()).append('=').append(e.getValue());
                }
                m.put("Labels", ls.toString());
                m.put("Links", "N/A");
                m.put("Mountpoint", Json.text(v, "Mountpoint"));
                m.put("Name", Json.text(v, "Name"));
                m.put("Scope", Json.text(v, "Scope"));
                m.put("Size", "N/A");
                m.put("Status", "N/A");
                out.println(Json.write(m));
            }
            return 0;
        }
        Table t = new Table("DRIVER", "VOLUME NAME").minWidth(10);
        for (Object v : volumes) {
            t.row(Json.text(v, "Driver"), Json.text(v, "Name"));
        }
        t.print(out);
        return 0;
    }

    private static final class ByName implements java.util.Comparator<Object> {
        @Override
        public int compare(Object a, Object b) {
            return Json.text(a, "Name").compareTo(Json.text(b, "Name"));
        }
    }

    private int inspect() throws IOException {
        json(format);
        return inspectEach(requireArgs(names, 1, -1), "/volumes/", "volume", at);
    }

    private final class Remove implements Action {
        @Override
        public String apply(String name) throws IOException {
            root.api().delete("/volumes/" + BerthApi.pathSegment(name) + (isSet(force) ? "?force=1" : ""));
            return name;
        }
    }

    private int prune() throws IOException {
        requireArgs(names, 0, 0);
        PrintStream out = root.out();
        String warning = isSet(all) ? "WARNING! This will remove all local volumes not used by at least one container.\n"
                + "Are you sure you want to continue?"
                : "WARNING! This will remove anonymous local volumes not used by at least one container.\n"
                + "Are you sure you want to continue?";
        if (!isSet(force) && !root.confirm(warning)) {
            out.println("Total reclaimed space: 0B");
            return 0;
        }
        String target = isSet(all) ? "/volumes/prune?filters=" + q("{\"all\":[\"true\"]}") : "/volumes/prune";
        Object report = root.api().post(target, null);
        List<Object> deleted = Json.list(report, "VolumesDeleted");
        if (!deleted.isEmpty()) {
            StringBuilder sb = new StringBuilder("Deleted Volumes:\n");
            for (Object v : deleted) {
                sb.append(v).append('\n');
            }
            out.println(sb);
        }
        out.println("Total reclaimed space: " + Units.humanSize(PsCommand.number(Json.at(report, "SpaceReclaimed"))));
        return 0;
    }
}
