package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import io.berth.cli.args.TimeArg;
import io.berth.text.format.AuditLine;
import io.berth.cli.http.BodyLines;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code berth audit [container|image|volume|build NAME] [--actor USER]… [--since T] [--until T]}: who did what
 * to an object, and when, through {@code GET /berth/audit} — one readable line per step ({@link AuditLine}) or,
 * with {@code --format json}, the daemon's entries as they come. {@code --log DIR} (a copied log, no daemon) is
 * run by the launcher in the engine's JVM, never here.
 */
public final class AuditCommand extends BaseCommand {
    /** Object types an audit can name; the daemon checks them too. */
    static final Set<String> OBJECT_TYPES = Set.of("container", "image", "volume", "build", "plugin", "daemon");

    private final OptionSpec actors;
    private final OptionSpec since;
    private final OptionSpec until;
    private final OptionSpec format;
    private final OptionSpec log;
    private final PositionalParamSpec object;

    public AuditCommand(CommandContext root) {
        super(root, "audit", "Show who did what to an object, and when");
        synopsis("[OPTIONS] [container|image|volume|build NAME]");
        spec.usageMessage().footer("",
                "A container name matches every container that ever had it; an image name, every image it named.",
                "--since and --until take RFC 3339 times, Unix seconds, durations before now (24h) or seq:N.",
                "--log DIR reads a copy of a log directory (<root>/events) without a daemon.");
        actors = multi("USER", "Only what this user (name or uid) did (repeatable)", "--actor");
        since = option("TIME", "Only steps after this time or sequence number", "--since");
        until = option("TIME", "Only steps up to this time or sequence number", "--until");
        format = option("table|json", "Print readable lines (default) or the daemon's JSON entries", "--format");
        log = option("DIR", "Read a copied log directory instead of asking the daemon", "--log");
        object = arguments("OBJECT");
    }

    @Override
    public Integer call() throws Exception {
        if (string(log) != null) {
            // the launcher routes --log to the engine's JVM; reaching here means it was bypassed
            throw new CliException(ExitCodes.ENGINE, "berth audit --log is run by the launcher: use '"
                    + launcher() + " audit --log DIR …'");
        }
        List<String> args = requireArgs(object, 0, 2);
        boolean json = tableOrJson(format);
        String target = target(args, strings(actors), string(since), string(until), Instant.now());
        PrintStream out = root.out();
        try (HttpResponse r = root.api().stream(target)) {
            BodyLines lines = r.lines();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                out.println(json ? line : readable(line));
                if (out.checkError()) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private String launcher() {
        String l = root.env("BERTH_LAUNCHER");
        return l == null || l.isEmpty() ? "<install dir>/bin/berth" : l;
    }

    /**
     * The request target for these arguments.
     *
     * @throws CliException an unknown object type, a type without a name, or a malformed time (exit 125, one line)
     */
    static String target(List<String> args, List<String> actors, String since, String until, Instant now) {
        StringBuilder q = new StringBuilder("/berth/audit");
        char sep = '?';
        if (!args.isEmpty()) {
            String type = args.getFirst();
            if (!OBJECT_TYPES.contains(type)) {
                throw new CliException(ExitCodes.ENGINE, "invalid object type \"" + type
                        + "\": expected container, image, volume, build, plugin or daemon");
            }
            if (args.size() < 2) {
                throw new CliException(ExitCodes.ENGINE, "berth audit " + type + " needs the " + type + "'s name or id");
            }
            q.append(sep).append("object=").append(encode(type)).append("&name=").append(encode(args.get(1)));
            sep = '&';
        }
        for (String actor : actors) {
            q.append(sep).append("actor=").append(encode(actor));
            sep = '&';
        }
        try {
            if (since != null) {
                q.append(sep).append("since=").append(encode(TimeArg.toApi("--since", since, now)));
                sep = '&';
            }
            if (until != null) {
                q.append(sep).append("until=").append(encode(TimeArg.toApi("--until", until, now)));
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ENGINE, e.getMessage());
        }
        return q.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String readable(String line) {
        try {
            if (Json.parse(line) instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) m;
                return AuditLine.render(entry);
            }
        } catch (IOException | RuntimeException notAnEntry) {
            // printed as it came
        }
        return line;
    }
}
