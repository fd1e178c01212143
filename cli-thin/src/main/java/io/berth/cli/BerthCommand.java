package io.berth.cli;

import io.berth.cli.api.BerthApi;
import io.berth.cli.api.DaemonStarter;
import io.berth.cli.auth.DockerConfig;
import io.berth.cli.commands.BaseCommand;
import io.berth.cli.commands.BuildCommand;
import io.berth.cli.commands.BuildRecordCommand;
import io.berth.cli.commands.BuilderPruneCommand;
import io.berth.cli.commands.CommandContext;
import io.berth.cli.commands.CommitCommand;
import io.berth.cli.commands.ContainerActionCommand;
import io.berth.cli.commands.ContainerPruneCommand;
import io.berth.cli.commands.ExecCommand;
import io.berth.cli.commands.ExportCommand;
import io.berth.cli.commands.FleetCommand;
import io.berth.cli.commands.ImportCommand;
import io.berth.cli.commands.LogsCommand;
import io.berth.cli.commands.CpCommand;
import io.berth.cli.commands.DiffCommand;
import io.berth.cli.commands.NetworkCommand;
import io.berth.cli.commands.PauseCommand;
import io.berth.cli.commands.PortCommand;
import io.berth.cli.commands.StatsCommand;
import io.berth.cli.commands.SystemCompactCommand;
import io.berth.cli.commands.SystemDfCommand;
import io.berth.cli.commands.TopCommand;
import io.berth.cli.commands.PsCommand;
import io.berth.cli.commands.RenameCommand;
import io.berth.cli.commands.RunCommand;
import io.berth.cli.commands.UpdateCommand;
import io.berth.cli.commands.VolumeCommand;
import io.berth.cli.commands.AuditCommand;
import io.berth.cli.commands.DaemonCommand;
import io.berth.cli.commands.EventsCommand;
import io.berth.cli.commands.GroupCommand;
import io.berth.cli.commands.HelpCommand;
import io.berth.cli.commands.HistoryCommand;
import io.berth.cli.commands.ImagePruneCommand;
import io.berth.cli.commands.ImagesCommand;
import io.berth.cli.commands.InfoCommand;
import io.berth.cli.commands.InspectCommand;
import io.berth.cli.commands.LoadCommand;
import io.berth.cli.commands.LoginCommand;
import io.berth.cli.commands.LogoutCommand;
import io.berth.cli.commands.PluginLsCommand;
import io.berth.cli.commands.PullCommand;
import io.berth.cli.commands.PushCommand;
import io.berth.cli.commands.RmiCommand;
import io.berth.cli.commands.SaveCommand;
import io.berth.cli.commands.SystemNoteCommand;
import io.berth.cli.commands.SystemReplayCommand;
import io.berth.cli.commands.TagCommand;
import io.berth.cli.commands.VersionCommand;
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
import java.util.ArrayList;
import java.util.List;
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
    private String member;
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
        this.member = member;
        if (only != null) {
            if (!only.isEmpty()) {
                add(command(only));
            }
        } else {
            for (String name : COMMANDS) {
                add(command(name));
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

    private static final String[] IMAGE_MEMBERS = {"ls", "inspect", "history", "tag", "rm", "prune", "pull", "push", "save", "load",
            "import"};
    private static final String[] PLUGIN_MEMBERS = {"ls"};
    private static final String[] CONTAINER_MEMBERS = {"ls", "run", "create", "start", "stop", "kill", "restart", "rm",
            "logs", "exec", "wait", "inspect", "rename", "prune", "top", "diff", "cp", "pause", "unpause", "stats", "update",
            "commit", "export"};
    private static final String[] VOLUME_MEMBERS = {"create", "ls", "inspect", "rm", "prune"};
    private static final String[] NETWORK_MEMBERS = {"create", "ls", "inspect", "rm", "prune", "connect", "disconnect"};
    private static final String[] SYSTEM_MEMBERS = {"replay", "note", "compact", "df"};
    private static final String[] BUILDER_MEMBERS = {"prune"};

    /** A group with only the member about to run when it names one (aliases included), else with all. */
    private CommandSpec group(String name, String description, String[] members) {
        String m = member;
        member = null; // only for the top-level group named on the command line
        String alias = "list".equals(m) || "ps".equals(m) ? "ls" : "remove".equals(m) ? "rm" : m;
        List<BaseCommand> built = new ArrayList<>();
        for (String candidate : members) {
            if (alias == null || !java.util.Arrays.asList(members).contains(alias) || candidate.equals(alias)) {
                built.add(groupMember(name, candidate));
            }
        }
        return new GroupCommand(this, name, description, built.toArray(new BaseCommand[0])).spec();
    }

    private static final String[] BUILD_MEMBERS = {"ls", "inspect", "logs", "replay"};

    /** {@code berth build PATH} with the build record's commands as its members ({@code berth build ls}). */
    private CommandSpec buildCommand() {
        String m = member;
        member = null;
        List<BaseCommand> members = new ArrayList<>();
        for (String candidate : BUILD_MEMBERS) {
            if (m == null || !java.util.Arrays.asList(BUILD_MEMBERS).contains(m) || candidate.equals(m)) {
                members.add(new BuildRecordCommand(this, candidate));
            }
        }
        return new BuildCommand(this, members.toArray(new BaseCommand[0])).spec();
    }

    private BaseCommand groupMember(String group, String name) {
        return switch (group + " " + name) {
            case "image ls" -> new ImagesCommand(this, "ls");
            case "image inspect" -> new InspectCommand(this, false);
            case "image history" -> new HistoryCommand(this);
            case "image tag" -> new TagCommand(this);
            case "image rm" -> new RmiCommand(this, "rm");
            case "image prune" -> new ImagePruneCommand(this);
            case "image pull" -> new PullCommand(this);
            case "image push" -> new PushCommand(this);
            case "image save" -> new SaveCommand(this);
            case "image load" -> new LoadCommand(this);
            case "image import" -> new ImportCommand(this);
            case "container ls" -> new PsCommand(this, "ls");
            case "container run" -> new RunCommand(this, true);
            case "container create" -> new RunCommand(this, false);
            case "container start", "container stop", "container kill", "container restart", "container rm",
                 "container wait" -> new ContainerActionCommand(this, name);
            case "container logs" -> new LogsCommand(this);
            case "container exec" -> new ExecCommand(this);
            case "container inspect" -> new InspectCommand(this, "container");
            case "container rename" -> new RenameCommand(this);
            case "container prune" -> new ContainerPruneCommand(this);
            case "container top" -> new TopCommand(this);
            case "container diff" -> new DiffCommand(this);
            case "container cp" -> new CpCommand(this);
            case "container pause", "container unpause" -> new PauseCommand(this, name);
            case "container stats" -> new StatsCommand(this);
            case "container update" -> new UpdateCommand(this);
            case "container commit" -> new CommitCommand(this);
            case "container export" -> new ExportCommand(this);
            case "volume create", "volume ls", "volume inspect", "volume rm", "volume prune" -> new VolumeCommand(this, name);
            case "network create", "network ls", "network inspect", "network rm", "network prune", "network connect",
                 "network disconnect" -> new NetworkCommand(this, name);
            case "plugin ls" -> new PluginLsCommand(this);
            case "system replay" -> new SystemReplayCommand(this);
            case "system note" -> new SystemNoteCommand(this);
            case "system compact" -> new SystemCompactCommand(this);
            case "system df" -> new SystemDfCommand(this);
            case "builder prune" -> new BuilderPruneCommand(this);
            default -> throw new IllegalArgumentException(group + " " + name);
        };
    }

    /** Builds one top-level command's model (a string switch: no run-time linkage). */
    private CommandSpec command(String name) {
        return switch (name) {
            case "run" -> new RunCommand(this, true).spec();
            case "create" -> new RunCommand(this, false).spec();
            case "start", "stop", "kill", "restart", "rm", "wait" -> new ContainerActionCommand(this, name).spec();
            case "ps" -> new PsCommand(this, "ps").spec();
            case "logs" -> new LogsCommand(this).spec();
            case "exec" -> new ExecCommand(this).spec();
            case "rename" -> new RenameCommand(this).spec();
            case "container" -> group("container", "Manage containers", CONTAINER_MEMBERS);
            case "volume" -> group("volume", "Manage volumes", VOLUME_MEMBERS);
            case "network" -> group("network", "Manage networks", NETWORK_MEMBERS);
            case "port" -> new PortCommand(this).spec();
            case "build" -> buildCommand();
            case "top" -> new TopCommand(this).spec();
            case "diff" -> new DiffCommand(this).spec();
            case "cp" -> new CpCommand(this).spec();
            case "pause", "unpause" -> new PauseCommand(this, name).spec();
            case "stats" -> new StatsCommand(this).spec();
            case "update" -> new UpdateCommand(this).spec();
            case "commit" -> new CommitCommand(this).spec();
            case "export" -> new ExportCommand(this).spec();
            case "import" -> new ImportCommand(this).spec();
            case "pull" -> new PullCommand(this).spec();
            case "push" -> new PushCommand(this).spec();
            case "images" -> new ImagesCommand(this, "images").spec();
            case "image" -> group("image", "Manage images", IMAGE_MEMBERS);
            case "inspect" -> new InspectCommand(this, true).spec();
            case "history" -> new HistoryCommand(this).spec();
            case "tag" -> new TagCommand(this).spec();
            case "rmi" -> new RmiCommand(this, "rmi").spec();
            case "save" -> new SaveCommand(this).spec();
            case "load" -> new LoadCommand(this).spec();
            case "login" -> new LoginCommand(this).spec();
            case "logout" -> new LogoutCommand(this).spec();
            case "events" -> new EventsCommand(this).spec();
            case "info" -> new InfoCommand(this).spec();
            case "version" -> new VersionCommand(this).spec();
            case "plugin" -> group("plugin", "Manage plugins", PLUGIN_MEMBERS);
            case "system" -> group("system", "Manage berth", SYSTEM_MEMBERS);
            case "builder" -> group("builder", "Manage builds", BUILDER_MEMBERS);
            case "audit" -> new AuditCommand(this).spec();
            case "daemon" -> new DaemonCommand(this).spec();
            case "fleet" -> new FleetCommand(this).spec();
            case "help" -> new HelpCommand(this).spec();
            default -> throw new IllegalArgumentException(name);
        };
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
