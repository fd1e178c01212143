package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import io.berth.cli.args.Filters;
import io.berth.cli.args.TimeArg;
import io.berth.text.format.EventLine;
import io.berth.cli.http.BodyLines;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code berth events}: the event log through {@code GET /berth/events}, one line per event — berth's
 * envelope as is with {@code --format json}, else a readable line (see {@link EventLine}).
 */
public final class EventsCommand extends BaseCommand {
    private final OptionSpec since;
    private final OptionSpec until;
    private final OptionSpec filters;
    private final OptionSpec follow;
    private final OptionSpec format;

    public EventsCommand(CommandContext root) {
        super(root, "events", "Show events from the event log");
        spec.usageMessage().footer("",
                "--since and --until take RFC 3339 times, Unix seconds, durations before now (10m, 1h30m),",
                "or seq:N (a sequence number; exclusive for --since, inclusive for --until).",
                "Filter keys: Docker's type, event, container, image, volume, label (key or key=value), plugin, daemon;",
                "berth's actor (uid or user name), build, correlation and subject.");
        since = option("TIME", "Show events after this time or sequence number", "--since");
        until = option("TIME", "Show events up to this time or sequence number", "--until");
        filters = OptionSpec.builder("--filter").paramLabel("key=value").type(List.class).auxiliaryTypes(String.class)
                .description("Only matching events (repeatable)").build();
        spec.addOption(filters);
        follow = flag("Keep printing new events as they are recorded", "-f", "--follow");
        format = option("table|json", "Print readable lines (default) or each event's envelope as JSON", "--format");
    }

    @Override
    public Integer call() throws Exception {
        boolean json = tableOrJson(format);
        List<String> filterValues = filters.getValue();
        boolean following = isSet(follow);
        String target = target(string(since), string(until), filterValues == null ? List.of() : filterValues,
                following, Instant.now());
        PrintStream out = root.out();
        try (HttpResponse r = root.api().stream(target)) {
            BodyLines lines = r.lines();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue; // keep-alive newlines
                }
                out.println(json ? line : readable(line));
                if (following) {
                    out.flush();
                }
                if (out.checkError()) {
                    return 0; // the reader went away (e.g. `| head`): stop quietly, as Docker does
                }
            }
        }
        return 0;
    }

    /**
     * The request target for these options.
     *
     * @throws CliException a time or filter is malformed (exit 125, one line)
     */
    static String target(String since, String until, List<String> filters, boolean follow, Instant now) {
        StringBuilder q = new StringBuilder("/berth/events");
        char sep = '?';
        try {
            if (since != null) {
                q.append(sep).append("since=").append(encode(TimeArg.toApi("--since", since, now)));
                sep = '&';
            }
            if (until != null) {
                q.append(sep).append("until=").append(encode(TimeArg.toApi("--until", until, now)));
                sep = '&';
            }
            String f = Filters.toJson(Filters.parse(filters));
            if (f != null) {
                q.append(sep).append("filters=").append(encode(f));
                sep = '&';
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ENGINE, e.getMessage());
        }
        if (follow) {
            q.append(sep).append("follow=1");
        }
        return q.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A readable line; a line that is not an envelope is printed as it came rather than lost. */
    private static String readable(String line) {
        try {
            Object v = Json.parse(line);
            if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> envelope = (Map<String, Object>) m;
                return EventLine.render(envelope);
            }
        } catch (IOException | RuntimeException notAnEnvelope) {
            // fall through
        }
        return line;
    }
}
