package io.berth.cli.commands;

import io.berth.cli.api.BerthApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What a command needs from the run it is part of: the streams, the environment, the global options and
 * the API client. The root command ({@code io.berth.cli.BerthCommand}) provides it; commands see only
 * this, so the command package does not depend on the root that builds it.
 */
public interface CommandContext {
    /** Standard output. */
    PrintStream out();

    /** Standard error. */
    PrintStream err();

    /** Standard input. */
    InputStream in();

    /** Whether standard output is a terminal (progress bars, and {@code save} refuses to write there). */
    boolean stdoutIsTerminal();

    /** Whether standard input is a terminal (prompts; {@code load} refuses to read one). */
    boolean stdinIsTerminal();

    /** The terminal's width in columns (for progress bars). */
    int terminalWidth();

    /** Docker's client configuration directory: {@code $DOCKER_CONFIG}, else {@code ~/.docker}. */
    Path dockerConfigDir();

    /** The {@code X-Registry-Auth} value for a registry from Docker's config file, or {@code null} when it holds none. */
    String registryAuth(String registry);

    /** Docker's confirmation prompt: prints {@code message [y/N] }; only {@code y} or {@code Y} confirms. */
    boolean confirm(String message) throws IOException;

    /** An environment variable of this run, or {@code null}. */
    String env(String name);

    /** Whether {@code -D} was given. */
    boolean debug();

    /** The API client for the host in effect, starting a daemon if none answers (unless switched off). */
    BerthApi api();
}
