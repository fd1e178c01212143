package io.berth.cli;

import io.berth.cli.commands.AuditCommand;
import io.berth.cli.commands.BaseCommand;
import io.berth.cli.commands.BuildCommand;
import io.berth.cli.commands.BuildRecordCommand;
import io.berth.cli.commands.BuilderPruneCommand;
import io.berth.cli.commands.CommitCommand;
import io.berth.cli.commands.ContainerActionCommand;
import io.berth.cli.commands.ContainerPruneCommand;
import io.berth.cli.commands.CpCommand;
import io.berth.cli.commands.DaemonCommand;
import io.berth.cli.commands.DiffCommand;
import io.berth.cli.commands.EventsCommand;
import io.berth.cli.commands.ExecCommand;
import io.berth.cli.commands.ExportCommand;
import io.berth.cli.commands.FleetCommand;
import io.berth.cli.commands.GroupCommand;
import io.berth.cli.commands.HelpCommand;
import io.berth.cli.commands.HistoryCommand;
import io.berth.cli.commands.ImagePruneCommand;
import io.berth.cli.commands.ImagesCommand;
import io.berth.cli.commands.ImportCommand;
import io.berth.cli.commands.InfoCommand;
import io.berth.cli.commands.InspectCommand;
import io.berth.cli.commands.LoadCommand;
import io.berth.cli.commands.LoginCommand;
import io.berth.cli.commands.LogoutCommand;
import io.berth.cli.commands.LogsCommand;
import io.berth.cli.commands.NetworkCommand;
import io.berth.cli.commands.PauseCommand;
import io.berth.cli.commands.PluginLsCommand;
import io.berth.cli.commands.PortCommand;
import io.berth.cli.commands.PsCommand;
import io.berth.cli.commands.PullCommand;
import io.berth.cli.commands.PushCommand;
import io.berth.cli.commands.RenameCommand;
import io.berth.cli.commands.RmiCommand;
import io.berth.cli.commands.RunCommand;
import io.berth.cli.commands.SaveCommand;
import io.berth.cli.commands.StatsCommand;
import io.berth.cli.commands.SystemCompactCommand;
import io.berth.cli.commands.SystemDfCommand;
import io.berth.cli.commands.SystemNoteCommand;
import io.berth.cli.commands.SystemReplayCommand;
import io.berth.cli.commands.TagCommand;
import io.berth.cli.commands.TopCommand;
import io.berth.cli.commands.UpdateCommand;
import io.berth.cli.commands.VersionCommand;
import io.berth.cli.commands.VolumeCommand;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The table of {@code berth}'s commands: builds the picocli model of the one about to run (or of every one, for
 * help and errors). Kept out of {@link BerthCommand}, which the everyday commands of {@link QuickCommands} load
 * without picocli: the JVM's verifier loads every class a method here returns as a {@code BaseCommand}, and the
 * quick commands' AOT cache, loaded whole at every start, would hold them all.
 */
final class CommandTable {
    private final BerthCommand root;
    /** For a group named on the command line, the member about to run; {@code null} once used. */
    private String member;

    CommandTable(BerthCommand root, String member) {
        this.root = root;
        this.member = member;
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
        return new GroupCommand(root, name, description, built.toArray(new BaseCommand[0])).spec();
    }

    private static final String[] BUILD_MEMBERS = {"ls", "inspect", "logs", "replay"};

    /** {@code berth build PATH} with the build record's commands as its members ({@code berth build ls}). */
    private CommandSpec buildCommand() {
        String m = member;
        member = null;
        List<BaseCommand> members = new ArrayList<>();
        for (String candidate : BUILD_MEMBERS) {
            if (m == null || !java.util.Arrays.asList(BUILD_MEMBERS).contains(m) || candidate.equals(m)) {
                members.add(new BuildRecordCommand(root, candidate));
            }
        }
        return new BuildCommand(root, members.toArray(new BaseCommand[0])).spec();
    }

    private BaseCommand groupMember(String group, String name) {
        return switch (group + " " + name) {
            case "image ls" -> new ImagesCommand(root, "ls");
            case "image inspect" -> new InspectCommand(root, false);
            case "image history" -> new HistoryCommand(root);
            case "image tag" -> new TagCommand(root);
            case "image rm" -> new RmiCommand(root, "rm");
            case "image prune" -> new ImagePruneCommand(root);
            case "image pull" -> new PullCommand(root);
            case "image push" -> new PushCommand(root);
            case "image save" -> new SaveCommand(root);
            case "image load" -> new LoadCommand(root);
            case "image import" -> new ImportCommand(root);
            case "container ls" -> new PsCommand(root, "ls");
            case "container run" -> new RunCommand(root, true);
            case "container create" -> new RunCommand(root, false);
            case "container start", "container stop", "container kill", "container restart", "container rm",
                 "container wait" -> new ContainerActionCommand(root, name);
            case "container logs" -> new LogsCommand(root);
            case "container exec" -> new ExecCommand(root);
            case "container inspect" -> new InspectCommand(root, "container");
            case "container rename" -> new RenameCommand(root);
            case "container prune" -> new ContainerPruneCommand(root);
            case "container top" -> new TopCommand(root);
            case "container diff" -> new DiffCommand(root);
            case "container cp" -> new CpCommand(root);
            case "container pause", "container unpause" -> new PauseCommand(root, name);
            case "container stats" -> new StatsCommand(root);
            case "container update" -> new UpdateCommand(root);
            case "container commit" -> new CommitCommand(root);
            case "container export" -> new ExportCommand(root);
            case "volume create", "volume ls", "volume inspect", "volume rm", "volume prune" -> new VolumeCommand(root, name);
            case "network create", "network ls", "network inspect", "network rm", "network prune", "network connect",
                 "network disconnect" -> new NetworkCommand(root, name);
            case "plugin ls" -> new PluginLsCommand(root);
            case "system replay" -> new SystemReplayCommand(root);
            case "system note" -> new SystemNoteCommand(root);
            case "system compact" -> new SystemCompactCommand(root);
            case "system df" -> new SystemDfCommand(root);
            case "builder prune" -> new BuilderPruneCommand(root);
            default -> throw new IllegalArgumentException(group + " " + name);
        };
    }

    /** Builds one top-level command's model (a string switch: no run-time linkage). */
    CommandSpec command(String name) {
        return switch (name) {
            case "run" -> new RunCommand(root, true).spec();
            case "create" -> new RunCommand(root, false).spec();
            case "start", "stop", "kill", "restart", "rm", "wait" -> new ContainerActionCommand(root, name).spec();
            case "ps" -> new PsCommand(root, "ps").spec();
            case "logs" -> new LogsCommand(root).spec();
            case "exec" -> new ExecCommand(root).spec();
            case "rename" -> new RenameCommand(root).spec();
            case "container" -> group("container", "Manage containers", CONTAINER_MEMBERS);
            case "volume" -> group("volume", "Manage volumes", VOLUME_MEMBERS);
            case "network" -> group("network", "Manage networks", NETWORK_MEMBERS);
            case "port" -> new PortCommand(root).spec();
            case "build" -> buildCommand();
            case "top" -> new TopCommand(root).spec();
            case "diff" -> new DiffCommand(root).spec();
            case "cp" -> new CpCommand(root).spec();
            case "pause", "unpause" -> new PauseCommand(root, name).spec();
            case "stats" -> new StatsCommand(root).spec();
            case "update" -> new UpdateCommand(root).spec();
            case "commit" -> new CommitCommand(root).spec();
            case "export" -> new ExportCommand(root).spec();
            case "import" -> new ImportCommand(root).spec();
            case "pull" -> new PullCommand(root).spec();
            case "push" -> new PushCommand(root).spec();
            case "images" -> new ImagesCommand(root, "images").spec();
            case "image" -> group("image", "Manage images", IMAGE_MEMBERS);
            case "inspect" -> new InspectCommand(root, true).spec();
            case "history" -> new HistoryCommand(root).spec();
            case "tag" -> new TagCommand(root).spec();
            case "rmi" -> new RmiCommand(root, "rmi").spec();
            case "save" -> new SaveCommand(root).spec();
            case "load" -> new LoadCommand(root).spec();
            case "login" -> new LoginCommand(root).spec();
            case "logout" -> new LogoutCommand(root).spec();
            case "events" -> new EventsCommand(root).spec();
            case "info" -> new InfoCommand(root).spec();
            case "version" -> new VersionCommand(root).spec();
            case "plugin" -> group("plugin", "Manage plugins", PLUGIN_MEMBERS);
            case "system" -> group("system", "Manage berth", SYSTEM_MEMBERS);
            case "builder" -> group("builder", "Manage builds", BUILDER_MEMBERS);
            case "audit" -> new AuditCommand(root).spec();
            case "daemon" -> new DaemonCommand(root).spec();
            case "fleet" -> new FleetCommand(root).spec();
            case "help" -> new HelpCommand(root).spec();
            default -> throw new IllegalArgumentException(name);
        };
    }
}
