package io.berth.engine.offline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.TimeBound;
import io.berth.engine.history.AuditEntry;
import io.berth.engine.history.AuditLog;
import io.berth.engine.history.AuditQuery;
import io.berth.eventlog.ChronicleEventLog;
import io.berth.eventlog.EventLogException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Work on a copy of a log directory without a daemon: {@code berth audit --log DIR …}. The launcher
 * runs this class on the engine's class path (the everyday CLI never loads the log's code). The log is
 * opened read-only ({@link ChronicleEventLog#openReadOnly}): nothing in DIR is written, locked or
 * repaired. DIR may be the log directory itself or a daemon root holding it as {@code events/}.
 *
 * <pre>
 * berth audit --log DIR [container|image|volume|build NAME] [--actor USER]… [--since T] [--until T] [--format table|json]
 * </pre>
 * Exit codes: 0, or 125 with one line on stderr for bad arguments and for a directory that is not a
 * berth log or was written by a newer berth.
 */
public final class OfflineMain {
    private OfflineMain() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        int code;
        try {
            code = run(List.of(args), out);
        } catch (UsageException | ApiException | EventLogException e) {
            out.flush();
            System.err.println("berth: " + e.getMessage());
            code = 125;
        } catch (IOException | RuntimeException e) {
            out.flush();
            System.err.println("berth: cannot read the log: " + e.getMessage());
            code = 125;
        }
        out.flush();
        System.exit(code);
    }

    /** A command line this class cannot run. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** {@code berth audit}'s options and arguments as the offline audit takes them, read by picocli as the CLI reads its own. */
    @Command(name = "berth audit", description = "The audit timeline of a copied log directory, read without a daemon.")
    static final class AuditArguments {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print usage")
        boolean help;

        @Option(names = "--log", paramLabel = "DIR", description = "The copied log directory, or a daemon root holding it as events/")
        String log;

        @Option(names = "--actor", paramLabel = "USER", description = "Only steps by this user name or uid (repeatable)")
        List<String> actors = new ArrayList<>();

        @Option(names = "--since", paramLabel = "TIME", description = "Only steps after this time or sequence number")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "Only steps up to this time or sequence number")
        String until;

        @Option(names = "--format", paramLabel = "table|json", description = "Print readable lines (default) or the daemon's JSON entries")
        String format = "table";

        @Parameters(paramLabel = "container|image|volume|build NAME", description = "The object whose timeline to show")
        List<String> positional = new ArrayList<>();
    }

    /** Runs one command line (global options such as {@code -H} are ignored); returns the exit code. */
    static int run(List<String> args, PrintStream out) throws IOException {
        int audit = args.indexOf("audit"); // the launcher passes the whole command line, global options first
        if (audit < 0) {
            throw new UsageException("only 'berth audit --log DIR …' works without a daemon");
        }
        AuditArguments arguments = new AuditArguments();
        CommandLine commandLine = new CommandLine(arguments);
        try {
            commandLine.parseArgs(args.subList(audit + 1, args.size()).toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage() + " (berth audit --log DIR [container|image|volume|build NAME]"
                    + " [--actor USER]… [--since T] [--until T] [--format table|json])");
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(out);
            return 0;
        }
        if (arguments.log == null) {
            throw new UsageException("audit without a daemon needs --log DIR");
        }
        String format = arguments.format;
        if (!format.equals("table") && !format.equals("json")) {
            throw new UsageException("invalid value for --format: \"" + format + "\": berth supports --format table and --format json");
        }
        List<String> positional = arguments.positional;
        if (positional.size() == 1 || positional.size() > 2) {
            throw new UsageException(positional.size() == 1
                    ? "berth audit " + positional.getFirst() + " needs the object's name or id"
                    : "berth audit takes at most an object type and a name");
        }
        AuditQuery query = new AuditQuery(positional.isEmpty() ? null : positional.get(0),
                positional.isEmpty() ? null : positional.get(1), arguments.actors,
                TimeBound.parse("--since", arguments.since), TimeBound.parse("--until", arguments.until));
        ObjectMapper mapper = new ObjectMapper();
        boolean json = format.equals("json");
        try (ChronicleEventLog events = ChronicleEventLog.openReadOnly(logDirectory(Path.of(arguments.log)))) {
            AuditLog.run(events, query, event -> {
                ObjectNode entry = AuditEntry.toJson(event, mapper);
                out.println(json ? mapper.writeValueAsString(entry) : AuditEntry.line(entry));
            });
            String damage = events.openReport().detail();
            if (events.openReport().droppedAnything()) {
                System.err.println("berth: warning: " + damage);
            }
        }
        return 0;
    }

    /** DIR itself when it holds a log, else DIR/events when DIR is a daemon's root. */
    static Path logDirectory(Path dir) {
        if (!Files.exists(dir.resolve("berth-log.json")) && Files.exists(dir.resolve("events").resolve("berth-log.json"))) {
            return dir.resolve("events");
        }
        return dir;
    }
}
