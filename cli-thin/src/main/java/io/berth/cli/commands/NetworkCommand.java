package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import io.berth.cli.args.ContainerArgs;
import io.berth.text.format.Table;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code berth network create|ls|inspect|rm|prune|connect|disconnect}, with Docker's options and
 * output: {@code create} prints the id; {@code ls} lists NETWORK ID, NAME, DRIVER, SCOPE;
 * {@code inspect} prints the answers as one indented JSON array; {@code rm} prints each name.
 */
public final class NetworkCommand extends ContainerCommand {
    private final String member;
    private final PositionalParamSpec names;
    private OptionSpec driver;
    private OptionSpec subnet;
    private OptionSpec gateway;
    private OptionSpec internal;
    private OptionSpec labels;
    private OptionSpec opts;
    private OptionSpec quiet;
    private OptionSpec filter;
    private OptionSpec format;
    private OptionSpec noTrunc;
    private OptionSpec force;
    private OptionSpec alias;
    private OptionSpec ip;
    private OptionSpec at;

    /** @param member {@code create}, {@code ls}, {@code inspect}, {@code rm}, {@code prune}, {@code connect} or {@code disconnect} */
    public NetworkCommand(CommandContext root, String member) {
        super(root, member, switch (member) {
            case "create" -> "Create a network";
            case "ls" -> "List networks";
            case "inspect" -> "Display detailed information on one or more networks";
            case "rm" -> "Remove one or more networks";
            case "connect" -> "Connect a container to a network";
            case "disconnect" -> "Disconnect a container from a network";
            default -> "Remove all unused networks";
        });
        this.member = member;
        switch (member) {
            case "create" -> {
                synopsis("[OPTIONS] NETWORK");
                driver = option("string", "Driver to manage the Network (only \"bridge\")", "-d", "--driver");
                subnet = option("string", "Subnet in CIDR format that represents a network segment", "--subnet");
                gateway = option("string", "IPv4 Gateway for the master subnet", "--gateway");
                internal = flag("Restrict external access to the network", "--internal");
                labels = multi("KEY=VALUE", "Set metadata on a network", "--label");
                opts = multi("KEY=VALUE", "Set driver specific options", "-o", "--opt");
            }
            case "ls" -> {
                synopsis("[OPTIONS]");
                spec.aliases("list");
                filter = multi("filter", "Provide filter values (e.g. 'driver=bridge')", "-f", "--filter");
                format = option("table|json", "Print as a table (default) or one JSON object per network", "--format");
                quiet = flag("Only display network IDs", "-q", "--quiet");
                noTrunc = flag("Do not truncate the output", "--no-trunc");
                at = atOption();
            }
            case "inspect" -> {
                synopsis("[OPTIONS] NETWORK [NETWORK...]");
                format = formatOption("Print as JSON (the default)", "-f", "--format");
                at = atOption();
            }
            case "rm" -> {
                synopsis("NETWORK [NETWORK...]");
                spec.aliases("remove");
            }
            case "connect" -> {
                synopsis("[OPTIONS] NETWORK CONTAINER");
                alias = multi("list", "Add network-scoped alias for the container", "--alias");
                ip = option("string", "IPv4 address (e.g., 172.30.100.104)", "--ip");
            }
            case "disconnect" -> {
                synopsis("[OPTIONS] NETWORK CONTAINER");
                force = flag("Force the container to disconnect from a network", "-f", "--force");
            }
            default -> {
                synopsis("[OPTIONS]");
                force = flag("Do not prompt for confirmation", "-f", "--force");
                filter = multi("filter", "Provide filter values (e.g. 'until=<timestamp>')", "--filter");
            }
        }
        names = arguments("NETWORK");
    }

    @Override
    public Integer call() throws Exception {
        return switch (member) {
            case "create" -> create();
            case "ls" -> list();
            case "inspect" -> inspect();
            case "rm" -> forEach(requireArgs(names, 1, -1), new Remove());
            case "connect" -> connect();
            case "disconnect" -> disconnect();
            default -> prune();
        };
    }

    private Map<String, Object> pairs(OptionSpec option, String flag) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String kv : strings(option)) {
            try {
                String[] pair = ContainerArgs.keyValue(kv);
                map.put(pair[0], pair[1]);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.ENGINE, "invalid argument \"" + kv + "\" for \"" + flag + "\" flag: " + e.getMessage());
            }
        }
        return map;
    }

    private int create() throws IOException {
        String name = requireArgs(names, 1, 1).getFirst();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", name);
        body.put("CheckDuplicate", true);
        body.put("Driver", string(driver) == null ? "bridge" : string(driver));
        body.put("Internal", isSet(internal));
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", "default");
        List<Object> config = new ArrayList<>();
        if (string(subnet) != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("Subnet", string(subnet));
            if (string(gateway) != null) {
                c.put("Gateway", string(gateway));
            }
            config.add(c);
        } else if (string(gateway) != null) {
            throw new CliException(ExitCodes.ENGINE, "berth: every ip-range or gateway must have a corresponding subnet");
        }
        ipam.put("Config", config);
        body.put("IPAM", ipam);
        body.put("Options", pairs(opts, "--opt"));
        body.put("Labels", pairs(labels, "--label"));
        root.out().println(Json.text(root.api().post("/networks/create", body), "Id"));
        return 0;
    }

    private String filters() {
        Map<String, Object> byKey = new LinkedHashMap<>();
        for (String f : strings(filter)) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCodes.FAILED, "bad format of filter (expected name=value)");
            }
            @SuppressWarnings("unchecked")
            List<Object> values = (List<Object>) byKey.computeIfAbsent(f.substring(0, eq), k -> new ArrayList<>());
            values.add(f.substring(eq + 1));
        }
        return byKey.isEmpty() ? "" : "filters=" + q(Json.write(byKey));
    }

    private int list() throws IOException {
        requireArgs(names, 0, 0);
        boolean json = tableOrJson(format);
        String f = filters();
        List<Object> networks = new ArrayList<>((List<?>) root.api().getJson(withAt("/networks" + (f.isEmpty() ? "" : "?" + f), at)));
        PrintStream out = root.out();
        boolean full = isSet(noTrunc);
        if (isSet(quiet)) {
            for (Object n : networks) {
                out.println(id(Json.text(n, "Id"), full));
            }
            return 0;
        }
        if (json) {
            for (Object n : networks) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("CreatedAt", Json.text(n, "Created"));
                m.put("Driver", Json.text(n, "Driver"));
                m.put("ID", id(Json.text(n, "Id"), full));
                m.put("IPv6", "false");
                m.put("Internal", String.valueOf(Json.at(n, "Internal")));
                m.put("Name", Json.text(n, "Name"));
                m.put("Scope", Json.text(n, "Scope"));
                out.println(Json.write(m));
            }
            return 0;
        }
        Table t = new Table("NETWORK ID", "NAME", "DRIVER", "SCOPE");
        for (Object n : networks) {
            t.row(id(Json.text(n, "Id"), full), Json.text(n, "Name"), Json.text(n, "Driver"), Json.text(n, "Scope"));
        }
        t.print(out);
        return 0;
    }

    private static String id(String id, boolean full) {
        return full || id.length() <= 12 ? id : id.substring(0, 12);
    }

    private int inspect() throws IOException {
        json(format);
        return inspectEach(requireArgs(names, 1, -1), "/networks/", "network", at);
    }

    private final class Remove implements Action {
        @Override
        public String apply(String name) throws IOException {
            root.api().delete("/networks/" + BerthApi.pathSegment(name));
            return name;
        }
    }

    private int connect() throws IOException {
        List<String> a = requireArgs(names, 2, 2);
        Map<String, Object> endpoint = new LinkedHashMap<>();
        if (!strings(alias).isEmpty()) {
            endpoint.put("Aliases", new ArrayList<>(strings(alias)));
        }
        if (string(ip) != null) {
            endpoint.put("IPAMConfig", Map.of("IPv4Address", string(ip)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Container", a.get(1));
        body.put("EndpointConfig", endpoint);
        root.api().post("/networks/" + BerthApi.pathSegment(a.getFirst()) + "/connect", body);
        return 0;
    }

    private int disconnect() throws IOException {
        List<String> a = requireArgs(names, 2, 2);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Container", a.get(1));
        body.put("Force", isSet(force));
        root.api().post("/networks/" + BerthApi.pathSegment(a.getFirst()) + "/disconnect", body);
        return 0;
    }

    private int prune() throws IOException {
        requireArgs(names, 0, 0);
        if (!isSet(force) && !root.confirm("WARNING! This will remove all custom networks not used by at least one container.\n"
                + "Are you sure you want to continue?")) {
            return 0;
        }
        String f = filters();
        Object report = root.api().post("/networks/prune" + (f.isEmpty() ? "" : "?" + f), null);
        List<Object> deleted = Json.list(report, "NetworksDeleted");
        if (!deleted.isEmpty()) {
            StringBuilder sb = new StringBuilder("Deleted Networks:\n");
            for (Object v : deleted) {
                sb.append(v).append('\n');
            }
            root.out().print(sb);
        }
        return 0;
    }
}
