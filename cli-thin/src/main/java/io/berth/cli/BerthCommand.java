package io.berth.cli;

import io.berth.cli.api.BerthApi;
import io.berth.cli.api.DaemonStarter;
import io.berth.cli.auth.DockerConfig;
import io.berth.cli.commands.CommandContext;
import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.http.UnixHttpClient;
import io.berth.cli.version.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code berth}: the global options (Docker's {@code -H} and {@code -D}, plus {@code --root}) and the
 * commands, and what the commands share: the environment, the output streams and the API client.
 *
 * <p>Global options go before the command, as with Docker's CLI ({@code berth -H unix:///x.sock version}).
 */
public final class BerthCommand implements Callable<Integer>, CommandContext {
    /** Where the daemon listens unless {@code -H} or {@code BERTH_HOST} says otherwise. */
    public static final String DEFAULT_HOST = "unix:///run/berth/berth.sock";
    /** How long an auto-started daemon may take to answer {@code /_ping}. */
    static final long START_TIMEOUT_MILLIS = 20_000;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final CommandSpec spec;
    private final OptionSpec host;
    private final OptionSpec root;
    private final OptionSpec debug;
    private BerthApi api;

    /** The top-level commands, in the order {@code berth --help} lists them. */
    static final String[] COMMANDS = {"run", "create", "start", "stop", "kill", "restart", "rm", "ps", "logs", "exec",
            "wait", "rename", "port", "container", "volume", "network", "build", "pull", "push", "images", "image", "inspect", "history", "tag", "rmi",
            "save", "load", "login", "logout", "events", "info", "version", "plugin", "system", "top", "diff", "cp",
            "pause", "unpause", "stats", "update", "commit", "export", "import", "builder",
            "audit", "daemon", "fleet", "help"};

    private final InputStream in;
    /** The global options read without picocli ({@link #plain}); {@code null} when {@link #spec} holds them. */
    private final GlobalOptions plain;

    /**
     * The global options as {@link QuickCommands} read them.
     *
     * @param host  {@code -H}'s value, or {@code null}
     * @param root  {@code --root}'s value, or {@code null}
     * @param debug whether {@code -D} was given
     */
    private record GlobalOptions(String host, String root, boolean debug) {
    }

    /**
     * A root with its global options already read, and no picocli model at all: what
     * {@link QuickCommands} runs an everyday command with.
     *
     * @param host  {@code -H}'s value, or {@code null}
     * @param root  {@code --root}'s value, or {@code null}
     * @param debug whether {@code -D} was given
     */
    static BerthCommand plain(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, String host,
                              String root, boolean debug) {
        return new BerthCommand(env, in, out, err, new GlobalOptions(host, root, debug));
    }

    private BerthCommand(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, GlobalOptions plain) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.plain = plain;
        this.spec = null;
        this.host = null;
        this.root = null;
        this.debug = null;
    }

    /**
     * @param only the command about to run, to build only its model (start-up time); {@code null} builds
     *             every command, which help and errors need
     */
    BerthCommand(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, String only) {
        this(env, in, out, err, only, null);
    }

    /**
     * @param only   the command about to run, to build only its model (start-up time); {@code null} builds
     *               every command, which help and errors need
     * @param member for a group ({@code image}, {@code system}, {@code plugin}), the member about to run, built
     *               alone if it is one; else every member is built
     */
    BerthCommand(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, String only, String member) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.plain = null;
        spec = CommandSpec.wrapWithoutInspection(this).name("berth")
                .version("berth version " + BuildInfo.version() + ", API " + BerthApi.API_VERSION);
        spec.usageMessage().description("An event-sourced container engine.").sortOptions(false)
                .footer("", "Run 'berth COMMAND --help' for more information on a command.");
        host = OptionSpec.builder("-H", "--host").paramLabel("unix://PATH").type(String.class)
                .description("Daemon socket to connect to (default: $BERTH_HOST, else " + DEFAULT_HOST + ")").build();
        root = OptionSpec.builder("--root").paramLabel("DIR").type(String.class)
                .description("Root directory of a daemon this command starts (default: $BERTH_ROOT, else "
                        + DaemonStarter.DEFAULT_ROOT + ")").build();
        debug = OptionSpec.builder("-D", "--debug").type(boolean.class).arity("0")
                .description("Show stack traces of errors").build();
        spec.addOption(host);
        spec.addOption(root);
        spec.addOption(debug);
        spec.addOption(OptionSpec.builder("-v", "--version").versionHelp(true)
                .description("Print version information and quit").build());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Print usage").build());
        CommandTable table = new CommandTable(this, member);
        if (only != null) {
            if (!only.isEmpty()) {
                add(table.command(only));
            }
        } else {
            for (String name : COMMANDS) {
                add(table.command(name));
            }
        }
    }

    /** Whether {@code name} is a top-level command whose model can be built on its own. */
    static boolean buildsAlone(String name) {
        for (String c : COMMANDS) {
            if (c.equals(name)) {
                return !name.equals("help"); // help lists every command
            }
        }
        return false;
    }


    private void add(CommandSpec sub) {
        spec.addSubcommand(sub.name(), new CommandLine(sub));
    }

    /** The command-line model; {@link Main} parses and executes it. */
    CommandSpec spec() {
        return spec;
    }

    /** {@code berth} alone prints its usage, as {@code docker} does. */
    @Override
    public Integer call() {
        spec.commandLine().usage(out);
        return ExitCodes.OK;
    }

    /** Standard output. */
    @Override
    public PrintStream out() {
        return out;
    }

    /** Standard error. */
    @Override
    public PrintStream err() {
        return err;
    }

    /** Standard input. */
    @Override
    public InputStream in() {
        return in;
    }

    /** Whether standard output is a terminal (progress bars, and {@code save} refuses to write there). */
    @Override
    public boolean stdoutIsTerminal() {
        return processStreams && Terminal.isTerminal(1);
    }

    /** Whether standard input is a terminal (prompts; {@code load} refuses to read one). */
    @Override
    public boolean stdinIsTerminal() {
        return processStreams && Terminal.isTerminal(0);
    }

    private boolean processStreams;

    /** Marks the streams as the process's own (fd 0, 1, 2), as {@link Main#main} runs; tests pass their own. */
    void processStreams(boolean own) {
        this.processStreams = own;
    }

    /** The terminal's width in columns (for progress bars). */
    @Override
    public int terminalWidth() {
        return Terminal.width(env);
    }

    /** Docker's client configuration directory: {@code $DOCKER_CONFIG}, else {@code ~/.docker}. */
    @Override
    public Path dockerConfigDir() {
        return DockerConfig.directory(env);
    }

    /**
     * The {@code X-Registry-Auth} value for a registry from Docker's config file, or {@code null} when it
     * holds none. An unreadable file is a warning, as with Docker's CLI, and the request goes anonymous.
     */
    @Override
    public String registryAuth(String registry) {
        try {
            DockerConfig.Auth auth = DockerConfig.load(dockerConfigDir()).find(registry);
            return auth == null ? null : auth.header();
        } catch (java.io.IOException e) {
            err.println("WARNING: Error loading config file: " + e.getMessage());
            return null;
        }
    }

    /**
     * Docker's confirmation prompt: prints {@code message [y/N] } and reads one line from stdin; only
     * {@code y} or {@code Y} confirms.
     */
    @Override
    public boolean confirm(String message) throws java.io.IOException {
        out.print(message + " [y/N] ");
        out.flush();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        String answer = line.toString().strip();
        return answer.equals("y") || answer.equals("Y");
    }

    /** An environment variable of this run, or {@code null}. */
    @Override
    public String env(String name) {
        return env.get(name);
    }

    /** Whether {@code -D} was given. */
    @Override
    public boolean debug() {
        return plain != null ? plain.debug() : Boolean.TRUE.equals(debug.getValue());
    }

    /** The host URI in effect: {@code -H}, else {@code BERTH_HOST}, else the default. */
    public String hostUri() {
        String h = plain != null ? plain.host() : host.getValue();
        if (h == null) {
            h = env.get("BERTH_HOST");
        }
        return h == null || h.isBlank() ? DEFAULT_HOST : h.strip();
    }

    /** The root given with {@code --root}, else {@code BERTH_ROOT}, made absolute; {@code null} if neither. */
    public String rootDir() {
        String r = plain != null ? plain.root() : root.getValue();
        if (r == null) {
            r = env.get("BERTH_ROOT");
        }
        return r == null || r.isBlank() ? null : Path.of(r).toAbsolutePath().normalize().toString();
    }

    /**
     * The API client for the host in effect; it starts a daemon if none answers (unless
     * {@code BERTH_NO_AUTOSTART=1}).
     *
     * @throws CliException the host is not a {@code unix://} URI
     */
    @Override
    public BerthApi api() {
        if (api == null) {
            Path socket = socketPath(hostUri());
            boolean isDefault = socket.equals(socketPath(DEFAULT_HOST));
            DaemonStarter starter = "1".equals(env.get("BERTH_NO_AUTOSTART")) ? null
                    : new DaemonStarter(env.get("BERTH_LAUNCHER"), socket, rootDir(), isDefault, START_TIMEOUT_MILLIS);
            api = new BerthApi(new UnixHttpClient(socket, BuildInfo.userAgent()), starter);
        }
        return api;
    }

    /** The socket path of a {@code unix://PATH} URI, made absolute. */
    static Path socketPath(String uri) {
        if (!uri.startsWith("unix://")) {
            throw new CliException(ExitCodes.ENGINE, "invalid value for --host: \"" + uri
                    + "\": berth's daemon listens on a Unix socket; expected unix:///path/to/berth.sock");
        }
        String path = uri.substring("unix://".length());
        if (path.isEmpty()) {
            throw new CliException(ExitCodes.ENGINE, "invalid value for --host: \"" + uri + "\": no socket path");
        }
        return Path.of(path).toAbsolutePath().normalize();
    }
}
