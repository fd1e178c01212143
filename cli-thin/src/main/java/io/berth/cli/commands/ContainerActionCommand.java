package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.util.List;

/**
 * The commands that do one thing to each container named: {@code start}, {@code stop}, {@code kill},
 * {@code restart}, {@code rm} and {@code wait}. Each prints the name as given (or, for {@code wait}, the exit
 * code) per success, then the failures, exit 1 if any (see {@link ContainerCommand}).
 * {@code start -a} attaches to one container and exits with its exit code.
 */
public final class ContainerActionCommand extends ContainerCommand {
    private final String action;
    private final PositionalParamSpec names;
    private OptionSpec time;
    private OptionSpec signal;
    private OptionSpec force;
    private OptionSpec volumes;
    private OptionSpec attach;
    private OptionSpec interactive;

    /** @param action {@code start}, {@code stop}, {@code kill}, {@code restart}, {@code rm} or {@code wait} */
    public ContainerActionCommand(CommandContext root, String action) {
        super(root, action, switch (action) {
            case "start" -> "Start one or more stopped containers";
            case "stop" -> "Stop one or more running containers";
            case "kill" -> "Kill one or more running containers";
            case "restart" -> "Restart one or more containers";
            case "rm" -> "Remove one or more containers";
            default -> "Block until one or more containers stop, then print their exit codes";
        });
        this.action = action;
        synopsis("[OPTIONS] CONTAINER [CONTAINER...]");
        switch (action) {
            case "start" -> {
                attach = flag("Attach STDOUT/STDERR and forward signals", "-a", "--attach");
                interactive = flag("Attach container's STDIN", "-i", "--interactive");
            }
            case "stop", "restart" -> {
                signal = option("string", "Signal to send to the container", "-s", "--signal");
                time = option("int", "Seconds to wait before killing the container", "-t", "--time");
            }
            case "kill" -> signal = option("string", "Signal to send to the container (default \"KILL\")", "-s", "--signal");
            case "rm" -> {
                spec.aliases("remove");
                force = flag("Force the removal of a running container (uses SIGKILL)", "-f", "--force");
                volumes = flag("Remove anonymous volumes associated with the container", "-v", "--volumes");
            }
            default -> {
            }
        }
        names = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        List<String> containers = requireArgs(names, 1, -1);
        if (action.equals("start") && (isSet(attach) || isSet(interactive))) {
            if (containers.size() > 1) {
                throw new CliException(ExitCodes.FAILED, "berth: you cannot start and attach multiple containers at once");
            }
            return startAttached(containers.getFirst());
        }
        String query = query();
        return forEach(containers, new Do(query));
    }

    private String query() {
        StringBuilder q = new StringBuilder();
        if (time != null && string(time) != null) {
            try {
                q.append("&t=").append(Integer.parseInt(string(time).strip()));
            } catch (NumberFormatException e) {
                throw new CliException(ExitCodes.ENGINE, "invalid argument \"" + string(time)
                        + "\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"" + string(time) + "\": invalid syntax\n"
                        + "See '" + spec.qualifiedName() + " --help'.");
            }
        }
        if (signal != null && string(signal) != null && !action.equals("restart")) {
            q.append("&signal=").append(q(string(signal)));
        }
        if (force != null && isSet(force)) {
            q.append("&force=1");
        }
        if (volumes != null && isSet(volumes)) {
            q.append("&v=1");
        }
        return q.isEmpty() ? "" : "?" + q.substring(1);
    }

    private final class Do implements Action {
        private final String query;

        Do(String query) {
            this.query = query;
        }

        @Override
        public String apply(String name) throws IOException {
            String path = container(name);
            switch (action) {
                case "rm" -> {
                    root.api().delete(path + query);
                    return name;
                }
                case "wait" -> {
                    return Json.text(root.api().post(path + "/wait", null), "StatusCode");
                }
                default -> {
                    root.api().postStatus(path + "/" + action + query);
                    return name;
                }
            }
        }
    }

    private int startAttached(String name) throws IOException, InterruptedException {
        Object inspect = root.api().getJson(container(name) + "/json");
        String id = Json.text(inspect, "Id");
        if (Boolean.TRUE.equals(Json.at(inspect, "State", "Running"))) {
            throw new CliException(ExitCodes.FAILED, "berth: container " + name
                    + " is already running: attaching to a running container is not supported yet");
        }
        boolean tty = Boolean.TRUE.equals(Json.at(inspect, "Config", "Tty"));
        boolean stdin = isSet(interactive) && Boolean.TRUE.equals(Json.at(inspect, "Config", "OpenStdin"));
        long now = System.currentTimeMillis() * 1_000_000L;
        return new ContainerIo(root, id, new ContainerIo.Streams(tty, stdin, true, true)).startAttached(now);
    }
}
