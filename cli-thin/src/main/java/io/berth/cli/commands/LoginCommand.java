package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import io.berth.cli.auth.DockerConfig;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code berth login [-u USER] [-p PASS | --password-stdin] [SERVER]}: checks the credentials with the
 * registry through the daemon ({@code POST /auth}) and, if they work, stores them in Docker's config file
 * exactly as Docker's CLI does ({@link DockerConfig}), so both tools share the login. The server defaults
 * to Docker Hub. On a terminal, missing user name and password are prompted for (the password unechoed).
 */
public final class LoginCommand extends ImageCommand {
    private final OptionSpec username;
    private final OptionSpec password;
    private final OptionSpec passwordStdin;
    private final PositionalParamSpec server;

    public LoginCommand(CommandContext root) {
        super(root, "login", "Authenticate to a registry (Docker Hub if no server is given)");
        synopsis("[OPTIONS] [SERVER]");
        password = option("PASSWORD", "Password", "-p", "--password");
        passwordStdin = flag("Take the password from stdin", "--password-stdin");
        username = option("USERNAME", "Username", "-u", "--username");
        server = arguments("SERVER");
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = requireArgs(server, 0, 1);
        String user = string(username);
        String pass = string(password);
        if (pass != null && isSet(passwordStdin)) {
            throw new CliException(ExitCodes.FAILED, "conflicting options: cannot specify both --password and --password-stdin");
        }
        if (isSet(passwordStdin)) {
            if (user == null || user.isEmpty()) {
                throw new CliException(ExitCodes.FAILED, "Must provide --username with --password-stdin");
            }
            String s = new String(root.in().readAllBytes(), StandardCharsets.UTF_8);
            s = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
            pass = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        } else if (pass != null) {
            root.err().println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        }
        String key = DockerConfig.key(args.isEmpty() ? null : args.getFirst());
        if (user == null || user.isEmpty() || pass == null) {
            if (!root.stdinIsTerminal() || System.console() == null) {
                throw new CliException(ExitCodes.FAILED, "Error: Cannot perform an interactive login from a non TTY device");
            }
            if (user == null || user.isEmpty()) {
                user = prompt("Username: ", false);
                if (user.isEmpty()) {
                    throw new CliException(ExitCodes.FAILED, "Error: Non-null Username Required");
                }
            }
            if (pass == null) {
                pass = prompt("Password: ", true);
                if (pass.isEmpty()) {
                    throw new CliException(ExitCodes.FAILED, "Error: Password Required");
                }
            }
        }
        Map<String, Object> answer = root.api().auth(user, pass, key);
        DockerConfig config;
        try {
            config = DockerConfig.load(root.dockerConfigDir());
            config.put(key, user, pass, Json.text(answer, "IdentityToken"));
            config.save();
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "Error saving credentials: " + e.getMessage());
        }
        root.err().println("WARNING! Your credentials are stored unencrypted in '" + config.file() + "'.");
        String status = Json.text(answer, "Status");
        root.out().println(status.isEmpty() ? "Login Succeeded" : status);
        return 0;
    }

    private String prompt(String label, boolean secret) throws IOException {
        java.io.Console console = System.console();
        root.out().flush();
        if (secret) {
            char[] p = console.readPassword("%s", label);
            return p == null ? "" : new String(p);
        }
        String line = console.readLine("%s", label);
        return line == null ? "" : line.strip();
    }
}
