package io.berth.cli;

import io.berth.cli.api.BerthApi;
import io.berth.cli.api.DaemonStarter;
import io.berth.cli.commands.DaemonCommand;
import io.berth.cli.commands.EventsCommand;
import io.berth.cli.commands.GroupCommand;
import io.berth.cli.commands.HelpCommand;
import io.berth.cli.commands.InfoCommand;
import io.berth.cli.commands.PluginLsCommand;
import io.berth.cli.commands.SystemReplayCommand;
import io.berth.cli.commands.VersionCommand;
import io.berth.cli.http.UnixHttpClient;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code berth}: the global options (Docker's {@code -H} and {@code -D}, plus {@code --root}) and the
 * commands, and what the commands share: the environment, the output streams and the API client.
 *
 * <p>Global options go before the command, as with Docker's CLI ({@code berth -H unix:///x.sock version}).
 */
public final class BerthCommand implements Callable<Integer> {
    /** Where the daemon listens unless {@code -H} or {@code BERTH_HOST} says otherwise. */
    public static final String DEFAULT_HOST = "unix:///run/berth/berth.sock";
    /** How long an auto-started daemon may take to answer {@code /_ping}. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final CommandSpec spec;
    private final OptionSpec host;
    private final OptionSpec root;
    private final OptionSpec debug;
    private BerthApi api;

    BerthCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
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
        add(new VersionCommand(this).spec());
        add(new InfoCommand(this).spec());
        add(new EventsCommand(this).spec());
        add(new GroupCommand(this, "plugin", "Manage plugins", new PluginLsCommand(this)).spec());
        add(new GroupCommand(this, "system", "Manage berth", new SystemReplayCommand(this)).spec());
        add(new DaemonCommand(this).spec());
        add(new HelpCommand(this).spec());
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
    public PrintStream out() {
        return out;
    }

    /** Standard error. */
    public PrintStream err() {
        return err;
    }

    /** An environment variable of this run, or {@code null}. */
    public String env(String name) {
        return env.get(name);
    }

    /** Whether {@code -D} was given. */
    public boolean debug() {
        return Boolean.TRUE.equals(debug.getValue());
    }

    /** The host URI in effect: {@code -H}, else {@code BERTH_HOST}, else the default. */
    public String hostUri() {
        String h = host.getValue();
        if (h == null) {
            h = env.get("BERTH_HOST");
        }
        return h == null || h.isBlank() ? DEFAULT_HOST : h.strip();
    }

    /** The root given with {@code --root}, else {@code BERTH_ROOT}, made absolute; {@code null} if neither. */
    public String rootDir() {
        String r = root.getValue();
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
    public BerthApi api() {
        if (api == null) {
            Path socket = socketPath(hostUri());
            boolean isDefault = socket.equals(socketPath(DEFAULT_HOST));
            DaemonStarter starter = "1".equals(env.get("BERTH_NO_AUTOSTART")) ? null
                    : new DaemonStarter(env.get("BERTH_LAUNCHER"), socket, rootDir(), isDefault, START_TIMEOUT);
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
