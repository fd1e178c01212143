package io.berth.plugin.netavark;

import io.berth.text.json.Json;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.NetworkException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a program with text on its standard input and collects both outputs. */
final class Command {

    /**
     * How a program ended.
     *
     * @param exitCode its exit code
     * @param stdout   what it printed
     * @param stderr   what it printed on standard error
     */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** How long netavark and ip may take before they are killed. */
    static final long TIMEOUT_SECONDS = 60;

    private Command() {
    }

    static Result run(List<String> argv, String stdin, long timeoutSeconds) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv);
        Map<String, String> env = new HashMap<>(builder.environment());
        // netavark runs iptables and ip: make sure the system directories are on its PATH.
        String path = env.getOrDefault("PATH", "");
        env.put("PATH", path + (path.isEmpty() ? "" : ":") + "/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin");
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // The program exited without reading its input; its exit code says why.
        }
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(argv.getFirst() + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + argv.getFirst(), e);
        }
    }

    private static String drain(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a program that must succeed, such as {@code ip netns add}; its output is not needed. */
    static void check(String where, String... argv) throws IOException {
        Command.Result r = Command.run(List.of(argv), null, TIMEOUT_SECONDS);
        if (!r.ok()) {
            throw new NetworkException(Reason.FAILED, where + ": " + String.join(" ", argv) + " failed: " + oneLine(r.stderr() + r.stdout()));
        }
    }

    /** netavark prints {@code {"error": "..."}} on failure, on either stream, beside syslog noise. */
    static String netavarkError(Command.Result result) {
        for (String text : List.of(result.stdout(), result.stderr())) {
            for (String line : text.split("\\R")) {
                if (line.startsWith("{")) {
                    try {
                        String error = Json.text(Records.parseObject(line), "error");
                        if (!error.isEmpty()) {
                            return oneLine(error);
                        }
                    } catch (IOException ignored) {
                        // not netavark's error object
                    }
                }
            }
        }
        String all = (result.stderr() + "\n" + result.stdout()).replace("failed to connect to syslog: Initialization", "");
        return all.isBlank() ? "exit code " + result.exitCode() : oneLine(all);
    }

    /** netavark's multi-line errors ("…:\n - cause") as one line of at most 300 characters. */
    static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s*\\R\\s*-?\\s*", "; ");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
