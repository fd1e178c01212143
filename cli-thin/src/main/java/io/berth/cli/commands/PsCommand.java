package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.BerthApi;
import io.berth.text.format.Columns;
import io.berth.text.json.Json;
import io.berth.text.format.GoTemplate;
import io.berth.text.format.ListFormat;
import io.berth.text.format.Table;
import io.berth.text.format.Units;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code berth ps} ({@code berth container ls}): {@code GET /containers/json} laid out as Docker's CLI does —
 * CONTAINER ID, IMAGE, COMMAND (quoted, cut to 20 characters), CREATED, STATUS, PORTS, NAMES, newest first.
 * {@code --filter key=value} goes to the daemon as Docker's {@code filters} ({@code {"key":["value",…]}}), which
 * applies it and refuses an unknown key (id, name, label, status, exited, ancestor, before, since, volume, network,
 * health); values of one key are alternatives, different keys must all match. A {@code status} or {@code exited}
 * filter lists stopped containers without {@code -a}, as Docker's does.
 *
 * <p>An everyday command: no lambdas or streams here (they are linked at run time, on every start).
 */
public final class PsCommand extends ContainerCommand {
    private final OptionSpec all;
    private final OptionSpec quiet;
    private final OptionSpec noTrunc;
    private final OptionSpec format;
    private final OptionSpec filters;
    private final OptionSpec at;
    private final PositionalParamSpec none;

    public PsCommand(CommandContext root, String name) {
        super(root, name, "List containers");
        synopsis("[OPTIONS]");
        if (name.equals("ls")) {
            spec.aliases("list", "ps");
        }
        all = flag("Show all containers (default shows just running)", "-a", "--all");
        filters = multi("key=value", "Filter output based on conditions provided", "-f", "--filter");
        format = option("string", "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template", "--format");
        noTrunc = flag("Don't truncate output", "--no-trunc");
        quiet = flag("Only display container IDs", "-q", "--quiet");
        at = atOption();
        none = arguments("");
    }

    /**
     * What {@code ps} was asked for, however the command line was read: by picocli ({@link #options()}) or by
     * {@link io.berth.cli.QuickCommands}, which reads the everyday flags without building picocli's model.
     */
    public record Options(boolean all, boolean quiet, boolean noTrunc, String format, List<String> filters, String at) {
    }

    /** The options picocli parsed. */
    public Options options() {
        return new Options(isSet(all), isSet(quiet), isSet(noTrunc), string(format), strings(filters), string(at));
    }

    @Override
    public Integer call() throws Exception {
        requireArgs(none, 0, 0);
        return list(root, options());
    }

    /** Lists the containers as {@code o} asks; the command line has been read and holds no arguments. */
    public static int list(CommandContext root, Options o) throws java.io.IOException {
        ListFormat shape = listFormat(o.format());
        Map<String, List<String>> wanted = parseFilters(o.filters());
        String target = o.all() ? "/containers/json?all=1" : "/containers/json";
        if (!wanted.isEmpty()) {
            target += (o.all() ? "&" : "?") + "filters=" + BerthApi.query(Json.write(wanted));
        }
        Object answer = root.api().getJson(withAt(target, o.at()));
        List<Object> shown = new ArrayList<>(answer instanceof List<?> l ? l : List.of());
        shown.sort(new NewestFirst());
        boolean trunc = !o.noTrunc();
        PrintStream out = root.out();
        if (o.quiet()) {
            for (Object c : shown) {
                out.println(id(c, trunc));
            }
            return 0;
        }
        long now = System.currentTimeMillis() / 1000;
        if (shape.json()) {
            for (Object c : shown) {
                out.println(ListFormat.jsonLine(row(c, trunc, now)));
            }
            return 0;
        }
        if (!shape.defaultTable()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Object c : shown) {
                rows.add(row(c, trunc, now));
            }
            printRows(out, shape, rows, headers());
            return 0;
        }
        Table table = new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES").minWidth(10);
        for (Object c : shown) {
            table.row(id(c, trunc), image(c, trunc), command(c, trunc), Units.ago(number(Json.at(c, "Created")), now),
                    Json.text(c, "Status"), ports(c), names(c));
        }
        table.print(out);
        return 0;
    }

    /** Docker's PORTS column: {@code 0.0.0.0:8080->80/tcp, 443/tcp}. */
    static String ports(Object c) {
        StringBuilder sb = new StringBuilder();
        for (Object p : Json.list(c, "Ports")) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            Object pub = Json.at(p, "PublicPort");
            if (pub != null) {
                sb.append(Json.text(p, "IP")).append(':').append(number(pub)).append("->");
            }
            sb.append(number(Json.at(p, "PrivatePort"))).append('/').append(Json.text(p, "Type"));
        }
        return sb.toString();
    }

    static Map<String, List<String>> parseFilters(List<String> pairs) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCodes.ENGINE, "invalid argument \"" + pair
                        + "\" for \"-f, --filter\" flag: bad format of filter (expected name=value)");
            }
            String key = pair.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
            List<String> values = m.get(key);
            if (values == null) {
                values = new ArrayList<>();
                m.put(key, values);
            }
            values.add(pair.substring(eq + 1));
        }
        return m;
    }

    /** Newest first; equal times keep the daemon's order. */
    private static final class NewestFirst implements java.util.Comparator<Object> {
        @Override
        public int compare(Object a, Object b) {
            return Long.compare(number(Json.at(b, "Created")), number(Json.at(a, "Created")));
        }
    }

    static String id(Object c, boolean trunc) {
        String id = Json.text(c, "Id");
        return trunc ? Units.shortId(id) : id;
    }

    /** Docker's IMAGE column: an image ID is shortened like any ID; a name is shown as given. */
    static String image(Object c, boolean trunc) {
        String image = Json.text(c, "Image");
        if (trunc && image.startsWith("sha256:")) {
            return Units.shortId(image);
        }
        return image;
    }

    /** Docker's COMMAND column ({@link Columns#command}), which {@code berth fleet ps} shows too. */
    static String command(Object c, boolean trunc) {
        return Columns.command(Json.text(c, "Command"), trunc);
    }


    /** Docker's NAMES column: the names without their leading {@code /}, comma-separated. */
    static String names(Object c) {
        StringBuilder sb = new StringBuilder();
        for (Object n : Json.list(c, "Names")) {
            String name = String.valueOf(n);
            if (name.startsWith("/")) {
                name = name.substring(1);
            }
            if (name.indexOf('/') >= 0) {
                continue; // a link's name, which Docker leaves out too
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(name);
        }
        return sb.toString();
    }

    /** Docker's column names by field, the header of {@code --format "table …"}. */
    static Map<String, Object> headers() {
        Map<String, Object> h = new LinkedHashMap<>();
        String[] pairs = {"Command", "COMMAND", "CreatedAt", "CREATED AT", "ID", "CONTAINER ID", "Image", "IMAGE",
            "Labels", "LABELS", "LocalVolumes", "LOCAL VOLUMES", "Mounts", "MOUNTS", "Names", "NAMES", "Networks", "NETWORKS",
            "Ports", "PORTS", "RunningFor", "CREATED", "Size", "SIZE", "State", "STATE", "Status", "STATUS"};
        for (int i = 0; i < pairs.length; i += 2) {
            h.put(pairs[i], pairs[i + 1]);
        }
        h.put("Label", (GoTemplate.Method) args -> "LABEL");
        return h;
    }

    /**
     * One container as Docker's formatter shows it: the fields of {@code --format json} (display strings,
     * keys sorted) and {@code Label}, which takes a label's key.
     */
    static Map<String, Object> row(Object c, boolean trunc, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        long created = number(Json.at(c, "Created"));
        m.put("Command", command(c, trunc));
        m.put("CreatedAt", ImagesCommand.createdAt(created));
        m.put("ID", id(c, trunc));
        m.put("Image", image(c, trunc));
        StringBuilder labels = new StringBuilder();
        // Sorted by key: Docker's CLI joins them in Go's map order, which differs from run to run.
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(Json.object(c, "Labels")).entrySet()) {
            if (!labels.isEmpty()) {
                labels.append(',');
            }
            labels.append(e.getKey()).append('=').append(e.getValue());
        }
        m.put("Labels", labels.toString());
        int local = 0;
        StringBuilder mounts = new StringBuilder();
        for (Object mount : Json.list(c, "Mounts")) {
            if (Json.text(mount, "Type").equals("volume")) {
                local++;
            }
            String name = Json.text(mount, "Name");
            if (name.isEmpty()) {
                name = Json.text(mount, "Source");
            }
            if (!mounts.isEmpty()) {
                mounts.append(',');
            }
            mounts.append(trunc ? Units.ellipsis(name, 15) : name);
        }
        m.put("LocalVolumes", Integer.toString(local));
        m.put("Mounts", mounts.toString());
        m.put("Names", names(c));
        m.put("Networks", Json.text(c, "HostConfig", "NetworkMode"));
        m.put("Ports", ports(c));
        m.put("RunningFor", Units.ago(created, now));
        m.put("Size", "0B");
        m.put("State", Json.text(c, "State"));
        m.put("Status", Json.text(c, "Status"));
        Map<String, Object> raw = Json.object(c, "Labels");
        m.put("Label", (GoTemplate.Method) args -> {
            Object v = args.isEmpty() ? null : raw.get(String.valueOf(args.getFirst()));
            return v == null ? "" : v;
        });
        return m;
    }

    static long number(Object v) {
        return v instanceof Number n ? n.longValue() : 0;
    }
}
