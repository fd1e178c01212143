package io.berth.cli;

import io.berth.cli.api.ApiException;
import io.berth.cli.api.DaemonStartException;
import io.berth.cli.commands.BaseCommand;
import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.format.JsonMessages;
import io.berth.cli.http.NoDaemonException;
import io.berth.cli.http.UnixHttpClient;
import io.berth.cli.http.SocketPathException;
import io.berth.cli.training.AotTraining;
import picocli.CommandLine;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code berth} command's entry point. The launcher ({@code bin/berth}) runs it for everything except
 * {@code berth daemon}; it sets {@code BERTH_LAUNCHER} so a daemon can be started the same way.
 *
 * <p>Exit codes follow Docker's CLI (see {@link ExitCodes}): usage errors and daemon errors are 125, a
 * failed operation result is 1.
 */
public final class Main {
    private Main() {
    }

    /** Runs the CLI and exits with its exit code. */
    public static void main(String[] args) throws IOException {
        // The launcher trains the AOT caches through this entry point: a cache serves only the class path and
        // the way it was started with (java -jar), and only -jar applies the manifest's Add-Opens.
        String training = System.getProperty("berth.aot.training");
        if (training != null) {
            AotTraining.train(System.getProperty("berth.aot.host", ""), training, Main::warmUpInBackground, Main::run);
            return;
        }
        if (QuickCommands.read(args) == null) {
            warmUpInBackground();
        } else {
            useAttachLibrary();
        }
        UnixHttpClient.closeChannelsAtExit();
        // Buffer stdout: commands print many short lines; streaming commands flush per event.
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 16 * 1024),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(args, System.getenv(), System.in, out, err, true);
        out.flush();
        err.flush();
        // halt, not exit: everything is flushed and there are no shutdown hooks, while System.exit would
        // first set up the JDK's logging (it logs Runtime.exit), a few milliseconds of every command.
        Runtime.getRuntime().halt(code);
    }

    /**
     * Starts, on a second thread, the JDK initialisation every daemon request needs, so that it overlaps with
     * building the command-line model instead of following it: opening the first Unix-domain channel
     * initialises the JDK's selector provider and {@code sun.nio.ch.UnixDomainSockets}, whose static
     * initialiser creates a {@code SecureRandom} (for naming auto-bound sockets, which the CLI never uses) and
     * with it the security providers: tens of milliseconds that no AOT cache holds, because they are class
     * initialisation, not class loading. Class initialisation is thread-safe, so the main thread simply waits
     * if it gets there first; failures are ignored (the real call reports them).
     */
    public static void warmUpInBackground() {
        Thread t = new Thread(new WarmUp(), "warm-up");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Sends this process's short requests through the JDK's attach library (see {@code AttachLibrarySocket}), for a
     * command line that {@link QuickCommands} reads: one request, and none of what {@link #warmUpInBackground}
     * prepares for NIO.
     */
    public static void useAttachLibrary() {
        UnixHttpClient.useAttachLibrary();
    }

    /** A class rather than a lambda: a lambda is linked at run time on first use. */
    private static final class WarmUp implements Runnable {
        @Override
        public void run() {
            try {
                // Not closed: closing initialises sun.nio.ch.Net and InetAddress (see UnixHttpClient).
                java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            } catch (IOException | RuntimeException ignored) {
                // the command's own request reports any real problem
            }
        }
    }

    /**
     * Runs one command line.
     *
     * @param env the environment ({@code BERTH_HOST}, {@code BERTH_ROOT}, {@code BERTH_LAUNCHER},
     *            {@code BERTH_NO_AUTOSTART})
     * @return the exit code
     */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, System.in, out, err, false);
    }

    /**
     * Runs one command line.
     *
     * @param in             standard input (prompts, {@code load}, {@code --password-stdin})
     * @param processStreams whether the streams are the process's own, so that terminals can be detected
     */
    public static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
                          boolean processStreams) {
        // The everyday commands are read without picocli when their command line is plain enough.
        Integer quick = QuickCommands.run(args, env, in, out, err, processStreams);
        if (quick != null) {
            return quick;
        }
        // picocli registers converters for java.time and java.sql types by loading and initialising those
        // classes reflectively (java.time's formatters alone are ~10 ms), and java.nio.file.Path's through
        // Paths.get found by reflection; berth's options are all strings, booleans and lists of strings, so every
        // one of them is excluded. ".*" rather than a narrower pattern: picocli compiles the pattern again for
        // each of its ~25 candidate types in every CommandLine it builds (String.matches), and in the interpreter
        // building the two CommandLines of `berth ps` went from 18 to 3 ms (docs/PERFORMANCE.md, "CLI JVM").
        // picocli's default factory looks for Groovy's Closure class; not finding it means searching the class
        // path, which opens the jar: milliseconds for nothing.
        System.setProperty("picocli.disable.closures", "true");
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", ".*");
        }
        String command = commandName(args);
        String member = command == null ? null : argumentAfter(args, command);
        String only = BerthCommand.buildsAlone(command) ? command : null;
        if (command == null && versionOnly(args)) {
            only = ""; // berth --version needs no command at all
        }
        BerthCommand root = new BerthCommand(env, in, out, err, only, member);
        root.processStreams(processStreams);
        CommandLine cl = new CommandLine(root.spec());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        applySynopses(cl);
        for (String launched : new String[] {"daemon", "fleet"}) { // their options belong to another JVM
            CommandLine launchedCommand = cl.getSubcommands().get(launched);
            if (launchedCommand != null) {
                launchedCommand.setUnmatchedOptionsArePositionalParams(true);
            }
        }
        cl.setParameterExceptionHandler(new UsageErrors(err));
        cl.setExecutionExceptionHandler(new Failures(root, err));
        try {
            return cl.execute(args);
        } finally {
            out.flush();
        }
    }

    /**
     * The command named on a command line: the first argument that is not a global option or its value,
     * or {@code null}. Only that command's model is built (building all of them was a third of start-up).
     */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-H") || a.equals("--host") || a.equals("--root")) {
                i++; // the option's value
            } else if (a.equals("--")) {
                return null;
            } else if (!a.startsWith("-")) {
                return a;
            }
            // -D, --debug, -Hunix://…, --host=…, --root=…, and options picocli will reject: skip
        }
        return null;
    }

    private static void applySynopses(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().userObject() instanceof BaseCommand b) {
                b.applySynopsis();
            }
            applySynopses(sub);
        }
    }

    /** Whether the command line asks only for the version ({@code -v}/{@code --version}, no help, no command). */
    static boolean versionOnly(String[] args) {
        boolean version = false;
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                return false;
            }
            version |= a.equals("-v") || a.equals("--version");
        }
        return version;
    }

    /** The argument right after the first occurrence of {@code command}, if it is not an option; else {@code null}. */
    static String argumentAfter(String[] args, String command) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(command)) {
                return args[i + 1].startsWith("-") ? null : args[i + 1];
            }
        }
        return null;
    }

    /** Usage errors (unknown option, bad value): picocli's message, the help hint, exit 125. */
    private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
        private final PrintStream err;

        UsageErrors(PrintStream err) {
            this.err = err;
        }

        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            err.println(ex.getMessage());
            err.println("See '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.ENGINE;
        }
    }

    /** A command's failure: one line (see {@link #report}), and the stack trace with {@code -D}. */
    private static final class Failures implements CommandLine.IExecutionExceptionHandler {
        private final BerthCommand root;
        private final PrintStream err;

        Failures(BerthCommand root, PrintStream err) {
            this.root = root;
            this.err = err;
        }

        @Override
        public int handleExecutionException(Exception ex, CommandLine c, CommandLine.ParseResult parseResult) {
            int daemonError = c.getCommandSpec().userObject() instanceof BaseCommand b
                    ? b.daemonErrorExitCode() : ExitCodes.ENGINE;
            int code = report(ex, root, err, daemonError);
            if (root.debug()) {
                ex.printStackTrace(err);
            }
            return code;
        }
    }

    /** Prints one line for a failure and returns its exit code. */
    static int report(Exception ex, BerthCommand root, PrintStream err, int daemonErrorExit) {
        root.out().flush(); // keep what was printed before the error in front of it
        // An if-chain, not a pattern switch: see Json.write.
        if (ex instanceof CliException e) {
            err.println(e.getMessage());
            return e.exitCode();
        }
        if (ex instanceof ApiException e) {
            err.println("Error response from daemon: " + e.getMessage());
            return daemonErrorExit;
        }
        if (ex instanceof JsonMessages.StreamError e) {
            err.println(e.getMessage()); // as Docker's CLI prints an error inside a pull or push stream
            return ExitCodes.FAILED;
        }
        if (ex instanceof DaemonStartException || ex instanceof SocketPathException) {
            err.println(ex.getMessage());
            return daemonErrorExit;
        }
        if (ex instanceof NoDaemonException e) {
            err.println("Cannot connect to the berth daemon at unix://" + e.socket() + ". Is the berth daemon running?");
            return daemonErrorExit;
        }
        if (ex instanceof IOException e) {
            err.println("error during connect to " + root.hostUri() + ": " + e.getMessage());
            return daemonErrorExit;
        }
        err.println("berth: internal error: " + ex + (root.debug() ? "" : " (run with -D for details)"));
        return ExitCodes.ENGINE;
    }
}
