package io.berth.cli;

import io.berth.cli.exit.ExitCodes;
import io.berth.cli.commands.ImagesCommand;
import io.berth.cli.commands.PsCommand;
import io.berth.cli.commands.VersionCommand;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The dispatch table of the everyday commands: {@code ps} ({@code container ls}), {@code images}
 * ({@code image ls}) and {@code version}, read by a plain loop over the arguments and run without building
 * picocli's model. Interpreted, picocli's model and parse of one command were most of what the CLI's start spends
 * above a bare JVM (docs/PERFORMANCE.md, "CLI JVM").
 *
 * <p>Only a command line that picocli would accept and read the same way is taken: the global options
 * {@code -H}/{@code --host}, {@code --root} and {@code -D}/{@code --debug} before the command, then the command's
 * own flags as separate words, {@code --long=value}, or clustered on/off flags ({@code -aq}). Anything else —
 * help, an unknown or repeated option, a value that starts with {@code -}, {@code --}, an argument the command
 * does not take — returns {@code null} from {@link #read}, and picocli reads the line, with its messages and
 * exit codes. {@code QuickCommandsTest} checks that both readings agree.
 *
 * <p>An everyday path: no lambdas, streams or pattern switches here (they are linked at run time).
 */
public final class QuickCommands {
    private QuickCommands() {
    }

    /** A command read without picocli: the global options, the command, and its options. */
    record Line(String host, String root, boolean debug, String command, Object options) {
    }

    /**
     * Runs {@code args} if it is an everyday command line (see the class comment).
     *
     * @return the exit code, or {@code null} when picocli must read this command line
     */
    static Integer run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
                       boolean processStreams) {
        Line line = read(args);
        if (line == null) {
            return null;
        }
        BerthCommand root = BerthCommand.plain(env, in, out, err, line.host(), line.root(), line.debug());
        root.processStreams(processStreams);
        // Docker's CLI exits 1 for an error answer to the container and image commands, 125 for the others.
        int daemonError = line.command().equals("version") ? ExitCodes.ENGINE : ExitCodes.FAILED;
        try {
            if (line.command().equals("ps")) {
                return PsCommand.list(root, (PsCommand.Options) line.options());
            }
            if (line.command().equals("images")) {
                return ImagesCommand.list(root, (ImagesCommand.Options) line.options());
            }
            return VersionCommand.show(root, (String) line.options());
        } catch (Exception ex) {
            // as Main's picocli path reports a command's failure
            int code = Main.report(ex, root, err, daemonError);
            if (root.debug()) {
                ex.printStackTrace(err);
            }
            return code;
        } finally {
            out.flush();
        }
    }

    /** Reads an everyday command line, or returns {@code null} when picocli must read it. */
    static Line read(String[] args) {
        String host = null;
        String root = null;
        boolean debug = false;
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                break;
            }
            if (a.equals("-D") || a.equals("--debug")) {
                if (debug) {
                    return null;
                }
                debug = true;
            } else if (a.equals("-H") || a.equals("--host") || a.startsWith("--host=")) {
                if (host != null) {
                    return null;
                }
                host = value(args, i);
                if (host == null) {
                    return null;
                }
                i += a.indexOf('=') < 0 ? 1 : 0;
            } else if (a.equals("--root") || a.startsWith("--root=")) {
                if (root != null) {
                    return null;
                }
                root = value(args, i);
                if (root == null) {
                    return null;
                }
                i += a.indexOf('=') < 0 ? 1 : 0;
            } else {
                return null;
            }
        }
        if (i >= args.length) {
            return null;
        }
        String command = args[i++];
        if (command.equals("container") || command.equals("image")) {
            if (i >= args.length) {
                return null;
            }
            String member = args[i++];
            boolean list = member.equals("ls") || member.equals("list");
            if (command.equals("container") && (list || member.equals("ps"))) {
                command = "ps";
            } else if (command.equals("image") && list) {
                command = "images";
            } else {
                return null;
            }
        }
        Flags flags = switch (command) {
            case "ps" -> new Flags(new String[] {"-a", "--all", "-q", "--quiet", "--no-trunc"},
                    new String[] {"--format", "--at"}, new String[] {"-f", "--filter"});
            case "images" -> new Flags(new String[] {"-a", "--all", "-q", "--quiet", "--digests", "--no-trunc"},
                    new String[] {"--format", "--at"}, new String[0]);
            case "version" -> new Flags(new String[0], new String[] {"-f", "--format"}, new String[0]);
            default -> null;
        };
        if (flags == null || !flags.read(args, i)) {
            return null;
        }
        Object options;
        if (command.equals("ps")) {
            if (!flags.arguments.isEmpty()) {
                return null; // picocli's path gives Docker's "requires no arguments"
            }
            options = new PsCommand.Options(flags.on("--all"), flags.on("--quiet"), flags.on("--no-trunc"),
                    flags.value("--format"), flags.values("--filter"), flags.value("--at"));
        } else if (command.equals("images")) {
            if (flags.arguments.size() > 1) {
                return null;
            }
            options = new ImagesCommand.Options(flags.on("--all"), flags.on("--quiet"), flags.on("--digests"),
                    flags.on("--no-trunc"), flags.value("--format"), flags.value("--at"),
                    flags.arguments.isEmpty() ? null : flags.arguments.getFirst());
        } else {
            if (!flags.arguments.isEmpty()) {
                return null; // picocli refuses it
            }
            options = flags.value("--format");
        }
        return new Line(host, root, debug, command, options);
    }

    /**
     * The value of the option at {@code args[i]}: after its {@code =}, else the next word; {@code null} when it is
     * missing or starts with {@code -} (picocli may read that as another option: left to it).
     */
    private static String value(String[] args, int i) {
        String a = args[i];
        int eq = a.indexOf('=');
        if (eq >= 0) {
            return a.substring(eq + 1);
        }
        if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
            return null;
        }
        return args[i + 1];
    }

    /**
     * One command's flags: on/off flags, single-valued and repeatable options, each given by all its names
     * (the last one, the long name, is the key). What {@link #read} found is kept by long name.
     */
    private static final class Flags {
        private final String[] booleans;
        private final String[] singles;
        private final String[] multiples;
        private final List<String> set = new ArrayList<>();
        private final List<String> keys = new ArrayList<>();
        private final List<String> values = new ArrayList<>();
        final List<String> arguments = new ArrayList<>();

        Flags(String[] booleans, String[] singles, String[] multiples) {
            this.booleans = booleans;
            this.singles = singles;
            this.multiples = multiples;
        }

        /** Reads {@code args} from {@code start}; {@code false} for anything picocli must read. */
        boolean read(String[] args, int start) {
            for (int i = start; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("-")) {
                    arguments.add(a);
                    continue;
                }
                if (a.equals("-") || a.equals("--")) {
                    return false;
                }
                String name = a;
                int eq = a.startsWith("--") ? a.indexOf('=') : -1;
                if (eq > 0) {
                    name = a.substring(0, eq);
                }
                String key = longName(booleans, name);
                if (key != null) {
                    if (eq > 0 || set.contains(key)) {
                        return false;
                    }
                    set.add(key);
                    continue;
                }
                boolean single = longName(singles, name) != null;
                key = single ? longName(singles, name) : longName(multiples, name);
                if (key != null) {
                    String v = QuickCommands.value(args, i);
                    if (v == null || (single && keys.contains(key))) {
                        return false;
                    }
                    keys.add(key);
                    values.add(v);
                    i += eq > 0 ? 0 : 1;
                    continue;
                }
                if (a.startsWith("--") || !cluster(a)) {
                    return false;
                }
            }
            return true;
        }

        /** {@code -aq}: every letter an on/off flag, each given once. */
        private boolean cluster(String a) {
            if (a.length() < 3) {
                return false;
            }
            for (int c = 1; c < a.length(); c++) {
                String key = longName(booleans, "-" + a.charAt(c));
                if (key == null || set.contains(key)) {
                    return false;
                }
                set.add(key);
            }
            return true;
        }

        /**
         * The long name of the option called {@code name} in {@code table} (short names come right before their
         * long one), or {@code null}.
         */
        private static String longName(String[] table, String name) {
            for (int t = 0; t < table.length; t++) {
                if (table[t].equals(name)) {
                    for (int l = t; l < table.length; l++) {
                        if (table[l].startsWith("--")) {
                            return table[l];
                        }
                    }
                }
            }
            return null;
        }

        boolean on(String key) {
            return set.contains(key);
        }

        String value(String key) {
            int at = keys.indexOf(key);
            return at < 0 ? null : values.get(at);
        }

        List<String> values(String key) {
            List<String> all = new ArrayList<>();
            for (int k = 0; k < keys.size(); k++) {
                if (keys.get(k).equals(key)) {
                    all.add(values.get(k));
                }
            }
            return all;
        }
    }
}
