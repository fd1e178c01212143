package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import io.berth.cli.args.ContainerArgs;
import io.berth.cli.http.HttpResponse;
import io.berth.cli.stream.Frames;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code berth exec [-d] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]}: {@code POST
 * /containers/{id}/exec}, then {@code POST /exec/{id}/start} (its output until the process ends), then
 * {@code GET /exec/{id}/json} for the exit code, which is this command's. With {@code -i} the start is a
 * full-duplex {@code POST /exec/{id}/start?stream=1} whose request body is this command's stdin (see
 * {@link ContainerIo#execAttached}); with {@code -t} the process gets a terminal (its output raw), and with
 * {@code -it} on a terminal the local terminal is in raw mode meanwhile.
 */
public final class ExecCommand extends ContainerCommand {
    private final OptionSpec detach;
    private final OptionSpec env;
    private final OptionSpec envFile;
    private final OptionSpec interactive;
    private final OptionSpec tty;
    private final OptionSpec user;
    private final OptionSpec workdir;
    private final OptionSpec privileged;
    private final PositionalParamSpec args;

    public ExecCommand(CommandContext root) {
        super(root, "exec", "Execute a command in a running container");
        synopsis("[OPTIONS] CONTAINER COMMAND [ARG...]");
        spec.parser().stopAtPositional(true);
        detach = flag("Detached mode: run command in the background", "-d", "--detach");
        env = multi("KEY=VALUE", "Set environment variables", "-e", "--env");
        envFile = multi("FILE", "Read in a file of environment variables", "--env-file");
        interactive = flag("Keep STDIN open even if not attached", "-i", "--interactive");
        privileged = flag("Give extended privileges to the command", "--privileged");
        tty = flag("Allocate a pseudo-TTY", "-t", "--tty");
        user = option("string", "Username or UID (format: \"<name|uid>[:<group|gid>]\")", "-u", "--user");
        workdir = option("string", "Working directory inside the container", "-w", "--workdir");
        args = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        List<String> a = requireArgs(args, 2, -1);
        String w = string(workdir);
        if (w != null && !w.isEmpty() && !w.startsWith("/")) {
            throw new CliException(ExitCodes.ENGINE, "berth: the working directory '" + w
                    + "' is invalid, it needs to be an absolute path");
        }
        List<String> envList = new ArrayList<>();
        try {
            for (String file : strings(envFile)) {
                envList.addAll(ContainerArgs.envFile(java.nio.file.Path.of(file), System.getenv()));
            }
            for (String e : strings(env)) {
                String entry = ContainerArgs.envEntry(e, System.getenv());
                if (entry != null) {
                    envList.add(entry);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ENGINE, "berth: " + e.getMessage());
        }
        boolean d = isSet(detach);
        boolean t = isSet(tty);
        boolean withStdin = isSet(interactive) && !d;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("AttachStdin", withStdin);
        body.put("AttachStdout", !d);
        body.put("AttachStderr", !d);
        body.put("Tty", t);
        if (t && root.stdinIsTerminal()) {
            int[] size = ContainerIo.TerminalMode.size();
            if (size != null) {
                body.put("ConsoleSize", List.of(size[0], size[1]));
            }
        }
        if (!envList.isEmpty()) {
            body.put("Env", envList);
        }
        if (w != null && !w.isEmpty()) {
            body.put("WorkingDir", w);
        }
        if (string(user) != null) {
            body.put("User", string(user));
        }
        if (isSet(privileged)) {
            body.put("Privileged", true);
        }
        body.put("Cmd", new ArrayList<>(a.subList(1, a.size())));
        String execId = Json.text(root.api().post(container(a.getFirst()) + "/exec", body), "Id");
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("Detach", d);
        start.put("Tty", t);
        String path = "/exec/" + execId;
        if (d) {
            root.api().post(path + "/start", start);
            return 0;
        }
        if (withStdin) {
            new ContainerIo(root, a.getFirst(), new ContainerIo.Streams(t, true, true, true)).execAttached(execId);
        } else {
            try (HttpResponse r = root.api().open("POST", path + "/start", start)) {
                Frames.copy(r.body(), Frames.isRaw(r.header("Content-Type")), root.out(), root.err());
            }
        }
        // The stream ends when the process has; its exit code may be recorded a moment later.
        for (int i = 0; i < 200; i++) {
            Object inspect = root.api().getJson(path + "/json");
            if (Json.at(inspect, "ExitCode") instanceof Number n && !Boolean.TRUE.equals(Json.at(inspect, "Running"))) {
                return n.intValue();
            }
            Thread.sleep(10);
        }
        throw new CliException(ExitCodes.FAILED, "berth: the exec's exit code was not recorded");
    }
}
