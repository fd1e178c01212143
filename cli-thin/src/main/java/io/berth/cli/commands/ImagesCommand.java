package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import io.berth.text.reference.ImageName;
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
 * {@code berth images} ({@code berth image ls}): {@code GET /images/json} laid out as Docker's CLI does — one row
 * per repository and tag, {@code <none>} for untagged images, the digest column with {@code --digests},
 * newest first, 12-character IDs, ages ({@code 2 weeks ago}) and sizes in Docker's 1000-based units.
 */
public final class ImagesCommand extends ImageCommand {
    private final OptionSpec all;
    private final OptionSpec quiet;
    private final OptionSpec digests;
    private final OptionSpec noTrunc;
    private final OptionSpec format;
    private final OptionSpec at;
    private final PositionalParamSpec repository;

    /** One row of the listing. */
    record Row(Object image, String repository, String tag, String digest) {
    }

    public ImagesCommand(CommandContext root, String name) {
        super(root, name, "List images");
        synopsis("[OPTIONS] [REPOSITORY[:TAG]]");
        if (name.equals("ls")) {
            spec.aliases("list");
        }
        all = flag("Show all images (default hides intermediate images)", "-a", "--all");
        digests = flag("Show digests", "--digests");
        format = option("string", "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template", "--format");
        noTrunc = flag("Don't truncate output", "--no-trunc");
        quiet = flag("Only show image IDs", "-q", "--quiet");
        at = atOption();
        repository = arguments("REPOSITORY[:TAG]");
    }

    /**
     * What {@code images} was asked for, however the command line was read: by picocli ({@link #options()}) or
     * by {@link io.berth.cli.QuickCommands}, which reads the everyday flags without building picocli's model.
     *
     * @param repository the {@code REPOSITORY[:TAG]} argument, or {@code null}
     */
    public record Options(boolean all, boolean quiet, boolean digests, boolean noTrunc, String format, String at,
                          String repository) {
    }

    /** The options picocli parsed; the argument count is checked first. */
    public Options options() {
        List<String> args = requireArgs(repository, 0, 1);
        return new Options(isSet(all), isSet(quiet), isSet(digests), isSet(noTrunc), string(format), string(at),
                args.isEmpty() ? null : args.getFirst());
    }

    @Override
    public Integer call() throws Exception {
        return list(root, options());
    }

    /** Lists the images as {@code o} asks. */
    public static int list(CommandContext root, Options o) throws java.io.IOException {
        ListFormat shape = listFormat(o.format());
        List<Object> images = new ArrayList<>();
        if (o.at() == null) {
            images.addAll(root.api().images(o.all()));
        } else if (root.api().getJson(withAt(o.all() ? "/images/json?all=1" : "/images/json", o.at())) instanceof List<?> past) {
            images.addAll(past);
        }
        images.sort(new NewestFirst());
        List<Row> rows = new ArrayList<>();
        for (Object image : images) {
            // Docker's CLI shows digests when asked, or when the template names them.
            rows.addAll(rows(image, o.digests() || shape.mentions(".Digest")));
        }
        if (o.repository() != null) {
            ImageName wanted = ImageName.split(o.repository());
            List<Row> matching = new ArrayList<>();
            for (Row r : rows) {
                if (r.repository().equals(wanted.name()) && (wanted.tag() == null || r.tag().equals(wanted.tag()))) {
                    matching.add(r);
                }
            }
            rows = matching;
        }
        PrintStream out = root.out();
        boolean trunc = !o.noTrunc();
        if (o.quiet()) {
            for (Row r : rows) {
                out.println(id(r.image(), trunc));
            }
            return 0;
        }
        long now = System.currentTimeMillis() / 1000;
        if (shape.json()) {
            for (Row r : rows) {
                out.println(ListFormat.jsonLine(row(r, trunc, now)));
            }
            return 0;
        }
        if (!shape.defaultTable()) {
            List<Map<String, Object>> shown = new ArrayList<>();
            for (Row r : rows) {
                shown.add(row(r, trunc, now));
            }
            Map<String, Object> headers = new LinkedHashMap<>();
            String[] pairs = {"Containers", "CONTAINERS", "CreatedAt", "CREATED AT", "CreatedSince", "CREATED", "Digest", "DIGEST",
                "ID", "IMAGE ID", "Repository", "REPOSITORY", "SharedSize", "SHARED SIZE", "Size", "SIZE", "Tag", "TAG",
                "UniqueSize", "UNIQUE SIZE", "VirtualSize", "VIRTUAL SIZE"};
            for (int i = 0; i < pairs.length; i += 2) {
                headers.put(pairs[i], pairs[i + 1]);
            }
            printRows(out, shape, shown, headers);
            return 0;
        }
        Table table = o.digests()
                ? new Table("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                : new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        table.minWidth(10);
        for (Row r : rows) {
            String created = Units.ago(number(Json.at(r.image(), "Created")), now);
            String size = Units.humanSize(number(Json.at(r.image(), "Size")), 3);
            if (o.digests()) {
                table.row(r.repository(), r.tag(), r.digest(), id(r.image(), trunc), created, size);
            } else {
                table.row(r.repository(), r.tag(), id(r.image(), trunc), created, size);
            }
        }
        table.print(out);
        return 0;
    }

    /** Docker's rows for one image ({@code imageFormatTaggedAndDigest}). */
    static List<Row> rows(Object image, boolean showDigests) {
        List<Object> repoTags = Json.list(image, "RepoTags");
        List<Object> repoDigests = Json.list(image, "RepoDigests");
        List<Row> rows = new ArrayList<>();
        Map<String, List<String>> tags = new LinkedHashMap<>();
        Map<String, List<String>> digests = new LinkedHashMap<>();
        for (Object t : repoTags) {
            String s = String.valueOf(t);
            if (s.equals("<none>:<none>")) {
                continue;
            }
            ImageName n = ImageName.split(s);
            if (n.tag() != null) {
                add(tags, n.name(), n.tag());
            }
        }
        for (Object d : repoDigests) {
            String s = String.valueOf(d);
            int at = s.indexOf('@');
            if (at > 0 && !s.equals("<none>@<none>")) {
                add(digests, s.substring(0, at), s.substring(at + 1));
            }
        }
        if (tags.isEmpty() && digests.isEmpty()) {
            rows.add(new Row(image, "<none>", "<none>", "<none>"));
            return rows;
        }
        for (Map.Entry<String, List<String>> e : tags.entrySet()) {
            List<String> ds = digests.remove(e.getKey());
            for (String tag : e.getValue()) {
                if (!showDigests || ds == null || ds.isEmpty()) {
                    rows.add(new Row(image, e.getKey(), tag, "<none>"));
                } else {
                    for (String d : ds) {
                        rows.add(new Row(image, e.getKey(), tag, d));
                    }
                }
            }
        }
        for (Map.Entry<String, List<String>> e : digests.entrySet()) {
            if (showDigests) {
                for (String d : e.getValue()) {
                    rows.add(new Row(image, e.getKey(), "<none>", d));
                }
            } else {
                rows.add(new Row(image, e.getKey(), "<none>", ""));
            }
        }
        return rows;
    }

    // Loops and named classes rather than lambdas here: `images` is an everyday command, and a lambda is
    // linked at run time on first use.
    private static void add(Map<String, List<String>> map, String key, String value) {
        List<String> l = map.get(key);
        if (l == null) {
            l = new ArrayList<>();
            map.put(key, l);
        }
        l.add(value);
    }

    /** Newest first, as Docker's daemon answers; the sort is stable, so equal times keep the daemon's order. */
    private static final class NewestFirst implements java.util.Comparator<Object> {
        @Override
        public int compare(Object a, Object b) {
            return Long.compare(number(Json.at(b, "Created")), number(Json.at(a, "Created")));
        }
    }

    private static String id(Object image, boolean trunc) {
        String id = Json.text(image, "Id");
        return trunc ? Units.shortId(id) : id;
    }

    /**
     * One image row as Docker's formatter shows it (the fields of {@code --format json} and of a template):
     * display strings, keys sorted.
     */
    private static Map<String, Object> row(Row r, boolean trunc, long now) {
        Object image = r.image();
        long created = number(Json.at(image, "Created"));
        long shared = number(Json.at(image, "SharedSize"));
        long containers = number(Json.at(image, "Containers"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Containers", containers < 0 ? "N/A" : Long.toString(containers));
        m.put("CreatedAt", createdAt(created));
        m.put("CreatedSince", Units.ago(created, now));
        m.put("Digest", r.digest());
        m.put("ID", id(image, trunc));
        m.put("Repository", r.repository());
        m.put("SharedSize", shared < 0 ? "N/A" : Units.humanSize(shared, 3));
        m.put("Size", Units.humanSize(number(Json.at(image, "Size")), 3));
        m.put("Tag", r.tag());
        m.put("UniqueSize", shared < 0 ? "N/A" : Units.humanSize(number(Json.at(image, "Size")) - shared, 3));
        m.put("VirtualSize", Units.humanSize(number(Json.at(image, "VirtualSize"))));
        return m;
    }

    /** Go's {@code time.Time.String()} in the local zone: {@code 2026-11-28 10:24:10 +0100 CET}. */
    static String createdAt(long unixSeconds) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z z", java.util.Locale.ROOT)
                .format(java.time.Instant.ofEpochSecond(unixSeconds).atZone(java.time.ZoneId.systemDefault()));
    }

    static long number(Object v) {
        return v instanceof Number n ? n.longValue() : 0;
    }
}
