package io.berth.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs {@link Main#run} in-process and captures its exit code and output. */
public record CliRun(int exitCode, String out, String err) {
    /** Runs with no daemon auto-start unless {@code env} asks for it. */
    public static CliRun run(Map<String, String> env, String... args) {
        return runWithInput(env, new byte[0], args);
    }

    /** Runs with {@code stdin} as standard input. */
    public static CliRun runWithInput(Map<String, String> env, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> e = new HashMap<>(env);
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream r = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, e, new java.io.ByteArrayInputStream(stdin), o, r, false);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs without any environment (so no auto-start: BERTH_LAUNCHER is unset). */
    public static CliRun run(String... args) {
        return run(Map.of(), args);
    }
}
