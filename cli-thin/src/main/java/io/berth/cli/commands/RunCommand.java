package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.ApiException;
import io.berth.text.json.Json;
import io.berth.cli.args.ContainerArgs;
import io.berth.cli.args.MountArgs;
import io.berth.cli.args.PortArgs;
import io.berth.cli.commands.RunOptionParsers.AddHost;
import io.berth.cli.commands.RunOptionParsers.EnvEntry;
import io.berth.cli.commands.RunOptionParsers.Expose;
import io.berth.cli.commands.RunOptionParsers.P;
import io.berth.cli.commands.RunOptionParsers.Parser;
import io.berth.cli.commands.RunOptionParsers.Publish;
import io.berth.text.reference.ImageName;
import io.berth.cli.format.JsonMessages;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code berth run} and {@code berth create}: Docker's options turned into Docker's create body
 * ({@code POST /containers/create}); an image that is not there is pulled first, as Docker does
 * ({@code Unable to find image 'X' locally}). {@code run} then starts the container and, unless {@code -d},
 * stays attached to it (see {@link ContainerIo}) and exits with its exit code.
 *
 * <p>Errors follow {@code docker run}: a bad option value or a daemon error is
 * {@code berth: MESSAGE.} and {@code See 'berth run --help'.}, exit 125; a command that cannot be run exits
 * 127 (not found) or 126 (not executable), as the daemon records it in the container's {@code State.ExitCode}.
 */
public final class RunCommand extends ContainerCommand {
    private final boolean run;
    private final OptionSpec detach;
    private final OptionSpec remove;
    private final OptionSpec name;
    private final OptionSpec env;
    private final OptionSpec envFile;
    private final OptionSpec volume;
    private final OptionSpec mount;
    private final OptionSpec tmpfs;
    private final OptionSpec workdir;
    private final OptionSpec user;
    private final OptionSpec entrypoint;
    private final OptionSpec hostname;
    private final OptionSpec interactive;
    private final OptionSpec tty;
    private final OptionSpec attach;
    private final OptionSpec network;
    private final OptionSpec networkAlias;
    private final OptionSpec ip;
    private final OptionSpec publish;
    private final OptionSpec publishAll;
    private final OptionSpec expose;
    private final OptionSpec dns;
    private final OptionSpec addHost;
    private final OptionSpec privileged;
    private final OptionSpec readOnly;
    private final OptionSpec init;
    private final OptionSpec capAdd;
    private final OptionSpec capDrop;
    private final OptionSpec memory;
    private final OptionSpec cpus;
    private final OptionSpec pidsLimit;
    private final OptionSpec restart;
    private final OptionSpec stopSignal;
    private final OptionSpec healthCmd;
    private final OptionSpec healthInterval;
    private final OptionSpec healthTimeout;
    private final OptionSpec healthStartPeriod;
    private final OptionSpec healthStartInterval;
    private final OptionSpec healthRetries;
    private final OptionSpec noHealthcheck;
    private final OptionSpec stopTimeout;
    private final OptionSpec label;
    private final OptionSpec groupAdd;
    private final OptionSpec sysctl;
    private final OptionSpec securityOpt;
    private final OptionSpec cgroupns;
    private final PositionalParamSpec image;

    /** @param run {@code true} for {@code run}, {@code false} for {@code create} */
    public RunCommand(CommandContext root, boolean run) {
        super(root, run ? "run" : "create", run ? "Create and run a new container from an image"
                : "Create a new container", false);
        this.run = run;
        synopsis("[OPTIONS] IMAGE [COMMAND] [ARG...]");
        spec.parser().stopAtPositional(true); // what follows the image is the container's command line
        attach = multi("STREAM", "Attach to STDIN, STDOUT or STDERR", "-a", "--attach");
        capAdd = multi("CAP", "Add Linux capabilities", "--cap-add");
        capDrop = multi("CAP", "Drop Linux capabilities", "--cap-drop");
        cgroupns = option("string", "Cgroup namespace to use (host|private); default: private where the host has cgroup v2 only,"
                + " host otherwise", "--cgroupns");
        cpus = option("decimal", "Number of CPUs", "--cpus");
        detach = run ? flag("Run container in background and print container ID", "-d", "--detach") : null;
        entrypoint = option("string", "Overwrite the default ENTRYPOINT of the image", "--entrypoint");
        env = multi("KEY=VALUE", "Set environment variables", "-e", "--env");
        envFile = multi("FILE", "Read in a file of environment variables", "--env-file");
        groupAdd = multi("GROUP", "Add additional groups to join", "--group-add");
        hostname = option("string", "Container host name", "-h", "--hostname");
        interactive = flag("Keep STDIN open even if not attached", "-i", "--interactive");
        label = multi("KEY=VALUE", "Set meta data on a container", "-l", "--label");
        memory = option("bytes", "Memory limit", "-m", "--memory");
        mount = multi("mount", "Attach a filesystem mount to the container", "--mount");
        name = option("string", "Assign a name to the container", "--name");
        network = option("network", "Connect a container to a network (default: bridge; also host, none or a network's name)",
                "--network", "--net");
        networkAlias = multi("list", "Add network-scoped alias for the container", "--network-alias", "--net-alias");
        ip = option("string", "IPv4 address (e.g., 172.30.100.104)", "--ip");
        publish = multi("list", "Publish a container's port(s) to the host: [ip:][hostPort:]containerPort[/proto], ranges allowed",
                "-p", "--publish");
        publishAll = flag("Publish all exposed ports to random ports", "-P", "--publish-all");
        expose = multi("list", "Expose a port or a range of ports", "--expose");
        dns = multi("list", "Set custom DNS servers", "--dns");
        addHost = multi("list", "Add a custom host-to-IP mapping (host:ip)", "--add-host");
        pidsLimit = option("int", "Tune container pids limit (set -1 for unlimited)", "--pids-limit");
        privileged = flag("Give extended privileges to this container", "--privileged");
        readOnly = flag("Mount the container's root filesystem as read only", "--read-only");
        init = flag("Run an init inside the container that forwards signals and reaps processes", "--init");
        restart = option("string", "Restart policy to apply when a container exits (default \"no\")", "--restart");
        remove = flag("Automatically remove the container when it exits", "--rm");
        stopSignal = option("string", "Signal to stop the container", "--stop-signal");
        healthCmd = option("string", "Command to run to check health", "--health-cmd");
        healthInterval = option("duration", "Time between running the check (ms|s|m|h) (default 0s)", "--health-interval");
        healthTimeout = option("duration", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)", "--health-timeout");
        healthStartPeriod = option("duration", "Start period for the container to initialize before starting health-retries countdown "
                + "(ms|s|m|h) (default 0s)", "--health-start-period");
        healthStartInterval = option("duration", "Time between running the check during the start period (ms|s|m|h) (default 0s)",
                "--health-start-interval");
        healthRetries = option("int", "Consecutive failures needed to report unhealthy", "--health-retries");
        noHealthcheck = flag("Disable any container-specified HEALTHCHECK", "--no-healthcheck");
        stopTimeout = option("int", "Timeout (in seconds) to stop a container", "--stop-timeout");
        securityOpt = multi("list", "Security Options (seccomp=unconfined|FILE, no-new-privileges)", "--security-opt");
        sysctl = multi("KEY=VALUE", "Sysctl options", "--sysctl");
        tmpfs = multi("PATH[:OPTIONS]", "Mount a tmpfs directory", "--tmpfs");
        tty = flag("Allocate a pseudo-TTY", "-t", "--tty");
        user = option("name|uid[:group|gid]", "Username or UID (format: <name|uid>[:<group|gid>])", "-u", "--user");
        volume = multi("list", "Bind mount a volume", "-v", "--volume");
        workdir = option("string", "Working directory inside the container", "-w", "--workdir");
        image = arguments("IMAGE");
    }

    /** Everything {@code run} decided from its options beyond the create body. */
    record Plan(Map<String, Object> body, String name, boolean detach, boolean remove, boolean stdin, boolean stdout,
                boolean stderr, boolean tty) {
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = requireArgs(image, 1, -1);
        Plan plan = plan(args);
        String id;
        try {
            id = create(plan, args.getFirst());
        } catch (ApiException | JsonMessages.StreamError e) {
            throw failure(e.getMessage());
        }
        if (!run) {
            root.out().println(id);
            return 0;
        }
        if (plan.detach()) {
            try {
                root.api().postStatus(container(id) + "/start");
            } catch (ApiException e) {
                throw startFailure(id, e);
            }
            root.out().println(id);
            return 0;
        }
        ContainerIo io = new ContainerIo(root, id, new ContainerIo.Streams(plan.tty(), plan.stdin(), plan.stdout(), plan.stderr()));
        int code;
        try {
            code = io.startAttached(0);
        } catch (ApiException e) {
            CliException failure = startFailure(id, e); // reads the recorded exit code, so before --rm removes it
            if (plan.remove()) {
                removeQuietly(id);
            }
            throw failure;
        }
        if (plan.remove()) {
            removeQuietly(id);
        }
        return code;
    }

    private void removeQuietly(String id) {
        try {
            root.api().delete(container(id) + "?force=1&v=1");
        } catch (IOException e) {
            root.err().println("berth: could not remove container " + id + ": " + e.getMessage());
        }
    }

    /** Docker's {@code run} errors: {@code berth: MESSAGE.}, the help hint, exit 125. */
    private CliException failure(String message) {
        return failure(ExitCodes.ENGINE, "Error response from daemon: " + message);
    }

    private CliException failure(int code, String message) {
        String m = message.endsWith(".") ? message : message + ".";
        return new CliException(code, "berth: " + m + "\nSee '" + spec.qualifiedName() + " --help'.");
    }

    /**
     * A failed start: the exit code the daemon recorded for it ({@code State.ExitCode}: 127 when the command was not
     * found, 126 when it could not be executed — the daemon knows which from the runtime's failure), as
     * {@code docker run} exits; else 125. Nothing is guessed from the error's wording.
     */
    private CliException startFailure(String id, ApiException e) {
        int code = ExitCodes.ENGINE;
        try {
            Object state = Json.at(root.api().getJson(container(id) + "/json"), "State", "ExitCode");
            if (state instanceof Number n && (n.intValue() == 126 || n.intValue() == 127)) {
                code = n.intValue();
            }
        } catch (IOException notThere) {
            // removed meanwhile by someone else: nothing recorded to go by, so the engine's 125
        }
        return new CliException(code, "berth: Error response from daemon: " + (e.getMessage().endsWith(".")
                ? e.getMessage() : e.getMessage() + "."));
    }

    /** Creates the container, pulling its image first when the daemon has none by that name. */
    private String create(Plan plan, String imageName) throws IOException {
        String target = "/containers/create" + (plan.name() == null ? "" : "?name=" + q(plan.name()));
        try {
            return Json.text(root.api().post(target, plan.body()), "Id");
        } catch (ApiException e) {
            if (e.status() != 404 || !String.valueOf(e.getMessage()).startsWith("No such image")) {
                throw e;
            }
        }
        ImageName ref = ImageName.split(imageName);
        String tag = ref.digest() != null ? ref.digest() : ref.tag() == null ? "latest" : ref.tag();
        root.err().println("Unable to find image '" + (ref.digest() != null || ref.tag() != null ? imageName
                : imageName + ":latest") + "' locally");
        try (HttpResponse r = root.api().pull(ref.name(), tag, null, root.registryAuth(ref.registry()))) {
            new JsonMessages(root.err(), false, 0).render(r, null);
        }
        return Json.text(root.api().post(target, plan.body()), "Id");
    }

    /** The create body and the attach plan for these options (Docker's {@code parse} in {@code opts.go}). */
    Plan plan(List<String> args) {
        Map<String, String> environment = new EnvView(root);
        boolean d = detach != null && isSet(detach);
        boolean i = isSet(interactive);
        boolean t = isSet(tty);
        List<String> streams = new ArrayList<>();
        for (String a : strings(attach)) {
            streams.add(value(attach, a, new P(P.ATTACH)));
        }
        if (d && !streams.isEmpty()) {
            throw usage("Conflicting options: -a and -d");
        }
        boolean stdin = streams.isEmpty() ? i && !d : streams.contains("stdin");
        boolean stdout = streams.isEmpty() ? !d : streams.contains("stdout");
        boolean stderr = streams.isEmpty() ? !d : streams.contains("stderr");

        Map<String, Object> body = new LinkedHashMap<>();
        String h = string(hostname);
        if (h != null) {
            body.put("Hostname", h);
        }
        if (string(user) != null) {
            body.put("User", string(user));
        }
        body.put("AttachStdin", stdin);
        body.put("AttachStdout", stdout);
        body.put("AttachStderr", stderr);
        body.put("Tty", t);
        body.put("OpenStdin", i);
        body.put("StdinOnce", i && stdin);
        List<String> envList = new ArrayList<>();
        for (String file : strings(envFile)) {
            try {
                envList.addAll(ContainerArgs.envFile(Path.of(file), environment));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        for (String e : strings(env)) {
            String entry = value(env, e, new EnvEntry(environment));
            if (entry != null) {
                envList.add(entry);
            }
        }
        if (!envList.isEmpty()) {
            body.put("Env", envList);
        }
        if (args.size() > 1) {
            body.put("Cmd", new ArrayList<>(args.subList(1, args.size())));
        }
        body.put("Image", args.getFirst());
        List<String> binds = new ArrayList<>();
        Map<String, Object> anonymous = new LinkedHashMap<>();
        for (String v : strings(volume)) {
            MountArgs.VolumeSpec s = value(volume, v, new P(P.VOLUME));
            if (s.bind() != null) {
                binds.add(s.bind());
            } else {
                anonymous.put(s.anonymousPath(), new LinkedHashMap<>());
            }
        }
        if (!anonymous.isEmpty()) {
            body.put("Volumes", anonymous);
        }
        if (string(workdir) != null) {
            String w = string(workdir);
            if (!w.startsWith("/")) {
                throw usage("the working directory '" + w + "' is invalid, it needs to be an absolute path");
            }
            body.put("WorkingDir", w);
        }
        if (string(entrypoint) != null) {
            body.put("Entrypoint", List.of(string(entrypoint))); // "" resets the image's, as Docker sends it
        }
        Map<String, Object> labels = new LinkedHashMap<>();
        for (String l : strings(label)) {
            String[] kv = value(label, l, new P(P.KEY_VALUE));
            labels.put(kv[0], kv[1]);
        }
        if (!labels.isEmpty()) {
            body.put("Labels", labels);
        }
        if (string(stopSignal) != null) {
            body.put("StopSignal", string(stopSignal));
        }
        if (string(stopTimeout) != null) {
            body.put("StopTimeout", value(stopTimeout, string(stopTimeout), new P(P.INT)));
        }
        Map<String, Object> healthcheck = healthcheck();
        if (healthcheck != null) {
            body.put("Healthcheck", healthcheck);
        }

        Map<String, Object> host = new LinkedHashMap<>();
        if (!binds.isEmpty()) {
            host.put("Binds", binds);
        }
        List<Object> mounts = new ArrayList<>();
        for (String m : strings(mount)) {
            mounts.add(value(mount, m, new P(P.MOUNT)));
        }
        if (!mounts.isEmpty()) {
            host.put("Mounts", mounts);
        }
        Map<String, Object> tmpfsMap = new LinkedHashMap<>();
        for (String s : strings(tmpfs)) {
            String[] pathAndOptions = value(tmpfs, s, new P(P.TMPFS));
            tmpfsMap.put(pathAndOptions[0], pathAndOptions[1]);
        }
        if (!tmpfsMap.isEmpty()) {
            host.put("Tmpfs", tmpfsMap);
        }
        String networkMode = string(network) == null ? "default" : value(network, string(network), new P(P.NETWORK));
        host.put("NetworkMode", networkMode);
        Map<String, Object> exposed = new LinkedHashMap<>();
        Map<String, Object> bindings = new LinkedHashMap<>();
        for (String e : strings(expose)) {
            for (String port : this.<List<String>>value(expose, e, new Expose())) {
                exposed.put(port, new LinkedHashMap<>());
            }
        }
        for (String p : strings(publish)) {
            PortArgs.Published published = value(publish, p, new Publish());
            exposed.putAll(published.exposed());
            for (Map.Entry<String, List<Map<String, Object>>> entry : published.bindings().entrySet()) {
                @SuppressWarnings("unchecked")
                List<Object> list = (List<Object>) bindings.computeIfAbsent(entry.getKey(), k -> new ArrayList<>());
                list.addAll(entry.getValue());
            }
        }
        if (!exposed.isEmpty()) {
            body.put("ExposedPorts", exposed);
        }
        if (!bindings.isEmpty()) {
            host.put("PortBindings", bindings);
        }
        if (isSet(publishAll)) {
            host.put("PublishAllPorts", true);
        }
        if (!strings(dns).isEmpty()) {
            host.put("Dns", new ArrayList<>(strings(dns)));
        }
        if (!strings(addHost).isEmpty()) {
            List<String> extra = new ArrayList<>();
            for (String h2 : strings(addHost)) {
                extra.add(value(addHost, h2, new AddHost()));
            }
            host.put("ExtraHosts", extra);
        }
        if (!strings(networkAlias).isEmpty() || string(ip) != null) {
            if (networkMode.equals("default") || networkMode.equals("bridge") || networkMode.equals("host") || networkMode.equals("none")) {
                throw usage("network-scoped aliases and --ip are only supported for user-defined networks");
            }
            Map<String, Object> endpoint = new LinkedHashMap<>();
            if (!strings(networkAlias).isEmpty()) {
                endpoint.put("Aliases", new ArrayList<>(strings(networkAlias)));
            }
            if (string(ip) != null) {
                endpoint.put("IPAMConfig", Map.of("IPv4Address", string(ip)));
            }
            body.put("NetworkingConfig", Map.of("EndpointsConfig", Map.of(networkMode, endpoint)));
        }
        if (isSet(privileged)) {
            host.put("Privileged", true);
        }
        if (isSet(readOnly)) {
            host.put("ReadonlyRootfs", true);
        }
        if (isSet(init)) {
            host.put("Init", true);
        }
        if (!strings(capAdd).isEmpty()) {
            host.put("CapAdd", new ArrayList<>(strings(capAdd)));
        }
        if (!strings(capDrop).isEmpty()) {
            host.put("CapDrop", new ArrayList<>(strings(capDrop)));
        }
        if (string(memory) != null) {
            host.put("Memory", value(memory, string(memory), new P(P.MEMORY)));
        }
        if (string(cpus) != null) {
            host.put("NanoCpus", value(cpus, string(cpus), new P(P.CPUS)));
        }
        if (string(pidsLimit) != null) {
            host.put("PidsLimit", value(pidsLimit, string(pidsLimit), new P(P.LONG)));
        }
        boolean rm = isSet(remove);
        if (string(restart) != null) {
            ContainerArgs.RestartPolicy p = value(restart, string(restart), new P(P.RESTART));
            if (rm && !p.name().equals("no")) {
                throw usage("Conflicting options: --restart and --rm");
            }
            host.put("RestartPolicy", p.toJson());
        }
        // Attached, the CLI removes the container itself after reading its exit code, so nothing of its
        // output is lost; detached (and for create), the daemon does when it exits.
        if (rm && (!run || d)) {
            host.put("AutoRemove", true);
        }
        if (!strings(groupAdd).isEmpty()) {
            host.put("GroupAdd", new ArrayList<>(strings(groupAdd)));
        }
        Map<String, Object> sysctls = new LinkedHashMap<>();
        for (String s : strings(sysctl)) {
            String[] kv = value(sysctl, s, new P(P.SYSCTL));
            sysctls.put(kv[0], kv[1]);
        }
        if (!sysctls.isEmpty()) {
            host.put("Sysctls", sysctls);
        }
        List<Object> securityOpts = new ArrayList<>();
        for (String s : strings(securityOpt)) {
            securityOpts.add(value(securityOpt, s, new P(P.SECURITY_OPT)));
        }
        if (!securityOpts.isEmpty()) {
            host.put("SecurityOpt", securityOpts);
        }
        if (string(cgroupns) != null) {
            host.put("CgroupnsMode", value(cgroupns, string(cgroupns), new P(P.CGROUPNS)));
        }
        if (t && stdin && root.stdinIsTerminal()) {
            int[] size = ContainerIo.TerminalMode.size();
            if (size != null) {
                host.put("ConsoleSize", List.of(size[0], size[1]));
            }
        }
        body.put("HostConfig", host);
        String n = string(name);
        if (n != null && n.isEmpty()) {
            n = null;
        }
        return new Plan(body, n, d, rm, stdin, stdout, stderr, t);
    }

    /** Parses one option value, turning a bad one into Docker's flag error (exit 125). */
    @SuppressWarnings("unchecked")
    private <T> T value(OptionSpec option, String v, Parser<?> parser) {
        try {
            return (T) parser.parse(v);
        } catch (IllegalArgumentException e) {
            throw usage("invalid argument \"" + v + "\" for \"" + flagNames(option) + "\" flag: " + e.getMessage());
        }
    }

    /** Docker's flag name in errors: {@code -m, --memory}, or {@code --cpus}. */
    private static String flagNames(OptionSpec o) {
        String[] names = o.names();
        String shortName = null;
        String longName = null;
        for (String n : names) {
            if (n.startsWith("--")) {
                if (longName == null) {
                    longName = n;
                }
            } else {
                shortName = n;
            }
        }
        return shortName == null ? longName : shortName + ", " + longName;
    }

    /** Docker's {@code Healthcheck} from the {@code --health-*} options, null when none is given. */
    private Map<String, Object> healthcheck() {
        boolean tuned = string(healthInterval) != null || string(healthTimeout) != null || string(healthStartPeriod) != null
                || string(healthStartInterval) != null || string(healthRetries) != null;
        if (isSet(noHealthcheck)) {
            if (string(healthCmd) != null || tuned) {
                throw usage("--no-healthcheck conflicts with --health-* options");
            }
            return Map.of("Test", List.of("NONE"));
        }
        if (string(healthCmd) == null && !tuned) {
            return null;
        }
        Map<String, Object> check = new LinkedHashMap<>();
        if (string(healthCmd) != null) {
            check.put("Test", List.of("CMD-SHELL", string(healthCmd)));
        }
        Map<String, OptionSpec> durations = new LinkedHashMap<>();
        durations.put("Interval", healthInterval);
        durations.put("Timeout", healthTimeout);
        durations.put("StartPeriod", healthStartPeriod);
        durations.put("StartInterval", healthStartInterval);
        for (Map.Entry<String, OptionSpec> d : durations.entrySet()) {
            if (string(d.getValue()) != null) {
                long nanos = (Long) value(d.getValue(), string(d.getValue()), new P(P.DURATION));
                if (nanos < 0) {
                    throw usage(flagNames(d.getValue()) + " cannot be negative");
                }
                check.put(d.getKey(), nanos);
            }
        }
        if (string(healthRetries) != null) {
            int retries = (Integer) value(healthRetries, string(healthRetries), new P(P.INT));
            if (retries < 0) {
                throw usage("--health-retries cannot be negative");
            }
            check.put("Retries", retries);
        }
        return check;
    }

    private CliException usage(String message) {
        return new CliException(ExitCodes.ENGINE, message + "\nSee '" + spec.qualifiedName() + " --help'.");
    }

    /** The CLI's environment as a map (for {@code -e KEY} and env files). */
    private static final class EnvView extends java.util.AbstractMap<String, String> {
        private final CommandContext root;

        EnvView(CommandContext root) {
            this.root = root;
        }

        @Override
        public String get(Object key) {
            return root.env(String.valueOf(key));
        }

        @Override
        public java.util.Set<Entry<String, String>> entrySet() {
            throw new UnsupportedOperationException();
        }
    }
}
