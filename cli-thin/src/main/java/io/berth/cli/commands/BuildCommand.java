package io.berth.cli.commands;

import io.berth.cli.build.BuildOutputs;
import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import io.berth.cli.build.DockerIgnore;
import io.berth.cli.build.ContextTar;
import io.berth.cli.format.JsonMessages;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code berth build [OPTIONS] PATH|-}: sends the context as a tar (filtered by {@code .dockerignore};
 * the Dockerfile and {@code .dockerignore} always go) to {@code POST /build} and prints the daemon's
 * progress, step by step, as Docker's legacy builder does. {@code -f FILE} outside the context (or
 * {@code -f -}) is added to the tar under a private name. {@code --explain-cache} prints each step's
 * cache decision and its reason from the build record afterwards.
 */
public final class BuildCommand extends BaseCommand {
    private final OptionSpec tags;
    private final OptionSpec file;
    private final OptionSpec quiet;
    private final OptionSpec iidFile;
    private final OptionSpec labels;
    private final OptionSpec buildArgs;
    private final OptionSpec noCache;
    private final OptionSpec target;
    private final OptionSpec explain;
    private final OptionSpec platform;
    private final OptionSpec network;
    private final OptionSpec secrets;
    private final OptionSpec ssh;
    private final OptionSpec outputs;
    private final OptionSpec cacheFrom;
    private final PositionalParamSpec context;

    public BuildCommand(CommandContext root, BaseCommand... members) {
        super(root, "build", "Build an image from a Dockerfile");
        synopsis("[OPTIONS] PATH | -");
        tags = multi("name:tag", "Name and optionally a tag in the 'name:tag' format", "-t", "--tag");
        file = option("string", "Name of the Dockerfile (default: 'PATH/Dockerfile'; '-' reads it from stdin)", "-f", "--file");
        quiet = flag("Suppress the build output and print image ID on success", "-q", "--quiet");
        iidFile = option("string", "Write the image ID to the file", "--iidfile");
        labels = multi("list", "Set metadata for an image", "--label");
        buildArgs = multi("list", "Set build-time variables", "--build-arg");
        noCache = flag("Do not use cache when building the image", "--no-cache");
        network = option("string", "Set the networking mode for the RUN instructions during build (default|host|none)", "--network");
        target = option("string", "Set the target build stage to build", "--target");
        explain = flag("After the build, print each step's cache decision and why", "--explain-cache");
        platform = option("string", "Set platform (only linux/amd64)", "--platform");
        secrets = multi("stringArray", "Secret to expose to the build (format: \"id=mysecret[,src=/local/secret]\" or \"id=mysecret,env=VAR\")",
                "--secret");
        outputs = multi("stringArray", "Output destination for the image's files (format: \"type=local,dest=DIR\", \"type=tar,dest=FILE\", DIR, or - for a tar on stdout)",
                "-o", "--output");
        cacheFrom = multi("strings", "Images to consider as cache sources", "--cache-from");
        ssh = multi("stringArray", "SSH agent socket to expose to the build (format: \"default|<id>[=<socket>]\")", "--ssh");
        flag("Always attempt to pull a newer version of the image (accepted; base images are pulled when missing)", "--pull");
        flag("Remove intermediate containers after a successful build (always)", "--rm");
        flag("Always remove intermediate containers (always)", "--force-rm");
        context = arguments("PATH | -");
        for (BaseCommand m : members) {
            spec.addSubcommand(m.spec().name(), new picocli.CommandLine(m.spec()));
        }
    }

    /** {@code Error response from daemon: …} exits 1, as Docker's CLI does for a build. */
    @Override
    public int daemonErrorExitCode() {
        return ExitCodes.FAILED;
    }

    @Override
    public Integer call() throws Exception {
        String path = requireArgs(context, 1, 1).getFirst();
        String platformValue = string(platform);
        if (platformValue != null && !platformValue.isBlank() && !List.of("linux/amd64", "linux", "linux/x86_64").contains(platformValue)) {
            // refused before the context is sent (the daemon refuses it too): one line, no upload
            throw new CliException(ExitCodes.FAILED, "platform " + platformValue + " is not supported: berth builds for linux/amd64 only");
        }
        List<BuildOutputs.Output> wanted = strings(outputs).stream().map(BuildOutputs::parse).toList();
        if (wanted.size() > 1) {
            throw new CliException(ExitCodes.FAILED, "only one --output is supported");
        }
        // with a tar on standard output, the progress goes to standard error (as BuildKit's does)
        java.io.PrintStream progress = !wanted.isEmpty() && wanted.getFirst().dest().equals("-") ? root.err() : root.out();
        String dockerfileOption = string(file);
        Path tar = Files.createTempFile("berth-build-context", ".tar");
        try {
            String dockerfileName = writeContext(path, dockerfileOption, tar);
            StringBuilder target0 = new StringBuilder("/build?dockerfile=").append(BerthApi.query(dockerfileName));
            for (String t : strings(tags)) {
                target0.append("&t=").append(BerthApi.query(t));
            }
            Map<String, Object> args = new LinkedHashMap<>();
            for (String a : strings(buildArgs)) {
                int eq = a.indexOf('=');
                if (eq < 0) {
                    String fromEnv = System.getenv(a);
                    args.put(a, fromEnv);
                } else {
                    args.put(a.substring(0, eq), a.substring(eq + 1));
                }
            }
            if (!args.isEmpty()) {
                target0.append("&buildargs=").append(BerthApi.query(Json.write(args)));
            }
            Map<String, Object> labelMap = new LinkedHashMap<>();
            for (String l : strings(labels)) {
                int eq = l.indexOf('=');
                labelMap.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
            }
            if (!labelMap.isEmpty()) {
                target0.append("&labels=").append(BerthApi.query(Json.write(labelMap)));
            }
            if (isSet(noCache)) {
                target0.append("&nocache=1");
            }
            List<String> cacheImages = new ArrayList<>();
            for (String c : strings(cacheFrom)) {
                // BuildKit's type=registry,ref=IMAGE names an image too; other cache backends do not exist here
                String ref = c.startsWith("type=registry,ref=") ? c.substring("type=registry,ref=".length()) : c;
                if (ref.startsWith("type=")) {
                    throw new CliException(ExitCodes.FAILED, "--cache-from " + c + ": only images are supported as cache sources");
                }
                cacheImages.add(ref);
            }
            if (!cacheImages.isEmpty()) {
                target0.append("&cachefrom=").append(BerthApi.query(Json.write(cacheImages)));
            }
            if (isSet(quiet)) {
                target0.append("&q=1");
            }
            if (string(target) != null) {
                target0.append("&target=").append(BerthApi.query(string(target)));
            }
            if (string(platform) != null) {
                target0.append("&platform=").append(BerthApi.query(string(platform)));
            }
            if (string(network) != null) {
                target0.append("&networkmode=").append(BerthApi.query(string(network)));
            }
            String[] imageId = {""};
            String[] buildId = {""};
            boolean tty = root.stdoutIsTerminal();
            Map<String, String> headers = new LinkedHashMap<>();
            if (!strings(secrets).isEmpty()) {
                headers.put("X-Berth-Build-Secrets", secretsHeader(strings(secrets)));
            }
            if (!strings(ssh).isEmpty()) {
                headers.put("X-Berth-Build-Ssh", sshHeader(strings(ssh)));
            }
            try (InputStream body = Files.newInputStream(tar);
                 HttpResponse r = root.api().sendStream("POST", target0.toString(), headers, "application/x-tar", body, Files.size(tar))) {
                JsonMessages messages = new JsonMessages(progress, tty, tty ? root.terminalWidth() : 0);
                try {
                    messages.render(r, m -> {
                        String id = Json.text(m, "aux", "ID");
                        if (!id.isEmpty()) {
                            imageId[0] = id;
                        }
                        String b = Json.text(m, "aux", "BuildID");
                        if (!b.isEmpty()) {
                            buildId[0] = b;
                        }
                    });
                } catch (JsonMessages.StreamError e) {
                    if (isSet(explain) && !buildId[0].isEmpty()) {
                        BuildRecordCommand.printCacheDecisions(root, buildId[0]);
                    }
                    throw e;
                }
            }
            if (isSet(quiet) && !imageId[0].isEmpty()) {
                // the daemon streamed the id already with q=1; nothing else to print
            }
            if (!wanted.isEmpty() && !imageId[0].isEmpty()) {
                root.out().flush();
                BuildOutputs.export(root.api(), imageId[0], wanted.getFirst(), root.out());
            }
            if (string(iidFile) != null && !imageId[0].isEmpty()) {
                Files.writeString(Path.of(string(iidFile)), imageId[0]);
            }
            if (isSet(explain) && !buildId[0].isEmpty()) {
                BuildRecordCommand.printCacheDecisions(root, buildId[0]);
            }
            root.out().flush();
            return ExitCodes.OK;
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    /**
     * {@code --secret id=ID[,src=FILE|,env=VAR][,type=file|env]}: each value read here and sent in a
     * request header (base64 of a JSON object, id to base64 of the value), never in the query or the
     * context. With neither {@code src} nor {@code env}, the environment variable named like the id is used.
     */
    static String secretsHeader(List<String> specs) throws IOException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String spec : specs) {
            String id = null;
            String src = null;
            String env = null;
            String type = null;
            for (String field : spec.split(",")) {
                int eq = field.indexOf('=');
                String key = eq < 0 ? field : field.substring(0, eq);
                String value = eq < 0 ? "" : field.substring(eq + 1);
                switch (key) {
                    case "id" -> id = value;
                    case "src", "source" -> src = value;
                    case "env" -> env = value;
                    case "type" -> type = value;
                    default -> throw new CliException(ExitCodes.FAILED, "invalid secret " + spec + ": unexpected key '" + key
                            + "' (id, src, env or type)");
                }
            }
            if (id == null || id.isEmpty()) {
                id = src != null ? Path.of(src).getFileName().toString() : env;
            }
            if (id == null || id.isEmpty()) {
                throw new CliException(ExitCodes.FAILED, "invalid secret " + spec + ": it needs an id (id=mysecret,src=FILE)");
            }
            if ("env".equals(type) && env == null) {
                env = src != null ? src : id;
                src = null;
            }
            if (src == null && env == null && !"file".equals(type)) {
                env = id;
            }
            byte[] value;
            if (env != null) {
                String v = System.getenv(env);
                if (v == null) {
                    throw new CliException(ExitCodes.FAILED, "secret " + id + ": environment variable " + env + " is not set");
                }
                value = v.getBytes(StandardCharsets.UTF_8);
            } else {
                Path file = Path.of(src == null ? id : src);
                try {
                    value = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new CliException(ExitCodes.FAILED, "secret " + id + ": cannot read " + file + ": "
                            + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
                }
            }
            values.put(id, java.util.Base64.getEncoder().encodeToString(value));
        }
        return java.util.Base64.getEncoder().encodeToString(Json.write(values).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code --ssh default} (the agent at {@code $SSH_AUTH_SOCK}) or {@code --ssh ID=SOCKET}: socket paths by id. */
    static String sshHeader(List<String> specs) {
        Map<String, Object> sockets = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String id = eq < 0 ? spec : spec.substring(0, eq);
            String socket = eq < 0 ? System.getenv("SSH_AUTH_SOCK") : spec.substring(eq + 1);
            if (id.isEmpty()) {
                throw new CliException(ExitCodes.FAILED, "invalid ssh " + spec + ": it needs an id (default or ID=SOCKET)");
            }
            if (socket == null || socket.isEmpty()) {
                throw new CliException(ExitCodes.FAILED, "--ssh " + spec + ": SSH_AUTH_SOCK is not set: start an agent or name its socket (--ssh "
                        + id + "=SOCKET)");
            }
            if (socket.contains(",")) {
                throw new CliException(ExitCodes.FAILED, "--ssh " + spec + ": berth takes one agent socket per id (no key files)");
            }
            Path agent = Path.of(socket).toAbsolutePath().normalize();
            try {
                int mode = (Integer) Files.getAttribute(agent, "unix:mode");
                if ((mode & 0170000) != 0140000) {
                    throw new CliException(ExitCodes.FAILED, "--ssh " + spec + ": " + agent + " is not a socket");
                }
            } catch (IOException | UnsupportedOperationException e) {
                // checked here so the daemon's refusal does not arrive while the context is still being sent
                throw new CliException(ExitCodes.FAILED, "--ssh " + spec + ": no such socket " + agent);
            }
            sockets.put(id, agent.toString());
        }
        return java.util.Base64.getEncoder().encodeToString(Json.write(sockets).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the context tar; returns the Dockerfile's name inside it. */
    private String writeContext(String path, String dockerfileOption, Path tar) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar), 65536)) {
            ContextTar writer = new ContextTar(out);
            if (path.equals("-")) {
                if ("-".equals(dockerfileOption)) {
                    throw new CliException(ExitCodes.ENGINE, "invalid argument: can't use stdin for both build context and dockerfile");
                }
                PushbackInputStream in = new PushbackInputStream(root.in(), 512);
                byte[] head = in.readNBytes(512);
                in.unread(head);
                boolean isTar = head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")
                        || head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
                if (isTar) {
                    in.transferTo(out); // a context tar on stdin is sent as it is
                    return dockerfileOption == null ? "Dockerfile" : dockerfileOption;
                }
                // a Dockerfile on stdin: the context is empty
                writer.addBytes("Dockerfile", in.readAllBytes(), 0644);
                writer.finish();
                return "Dockerfile";
            }
            Path dir = Path.of(path);
            if (!Files.isDirectory(dir)) {
                throw new CliException(ExitCodes.FAILED, "unable to prepare context: path \"" + path + "\" not found");
            }
            Path dockerignore = dir.resolve(".dockerignore");
            DockerIgnore ignore = DockerIgnore.parse(Files.exists(dockerignore) ? Files.readString(dockerignore) : "");
            List<String> always = new ArrayList<>(List.of(".dockerignore"));
            String dockerfileName;
            byte[] extraDockerfile = null;
            if (dockerfileOption == null) {
                dockerfileName = "Dockerfile";
                if (!Files.exists(dir.resolve("Dockerfile"))) {
                    throw new CliException(ExitCodes.FAILED, "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat "
                            + dir.toAbsolutePath().normalize().resolve("Dockerfile") + ": no such file or directory");
                }
            } else if (dockerfileOption.equals("-")) {
                extraDockerfile = root.in().readAllBytes();
                dockerfileName = ".dockerfile." + Long.toHexString(System.nanoTime());
            } else {
                Path f = Path.of(dockerfileOption);
                Path absolute = f.toAbsolutePath().normalize();
                Path base = dir.toAbsolutePath().normalize();
                if (!Files.isRegularFile(absolute)) {
                    throw new CliException(ExitCodes.FAILED, "unable to prepare context: the Dockerfile (" + dockerfileOption
                            + ") cannot be read: no such file");
                }
                if (absolute.startsWith(base)) {
                    dockerfileName = base.relativize(absolute).toString();
                } else {
                    try {
                        extraDockerfile = Files.readAllBytes(absolute);
                    } catch (NoSuchFileException e) {
                        throw new CliException(ExitCodes.FAILED, "unable to prepare context: " + dockerfileOption + ": no such file");
                    }
                    dockerfileName = ".dockerfile." + Long.toHexString(System.nanoTime());
                }
            }
            always.add(dockerfileName);
            writer.addDirectory(dir, ignore, always);
            if (extraDockerfile != null) {
                writer.addBytes(dockerfileName, extraDockerfile, 0644);
            }
            writer.finish();
            return dockerfileName;
        }
    }
}
