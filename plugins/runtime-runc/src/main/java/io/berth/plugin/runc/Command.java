package io.berth.plugin.runc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived program to completion and collects its output.
 *
 * @param exitCode the exit code
 * @param stdout   what it wrote to standard output
 * @param stderr   what it wrote to standard error
 */
record Command(int exitCode, String stdout, String stderr) {

    /**
     * Runs a command.
     *
     * @param command the program and its arguments
     * @param timeout how long it may take
     * @return its exit code and output
     * @throws IOException          if it cannot be started
     * @throws InterruptedException if interrupted while waiting
     * @throws TimeoutException     if it runs longer than {@code timeout} (it is killed)
     */
    static Command run(List<String> command, Duration timeout) throws IOException, InterruptedException, TimeoutException {
        return run(command, null, timeout);
    }

    /**
     * As {@link #run(List, Duration)}, in the working directory {@code directory} ({@code null}: the daemon's).
     * conmon writes its {@code oom} file relative to its working directory as well as in its persist directory,
     * so it is started in the container's own directory, never in wherever the daemon was started.
     */
    static Command run(List<String> command, java.nio.file.Path directory, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        Process process = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new TimeoutException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
        }
        return new Command(process.exitValue(), out, err.join());
    }

    /** @return the first non-blank line of standard error, else of standard output, else "" */
    String firstErrorLine() {
        for (String text : List.of(stderr, stdout)) {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    return line.strip();
                }
            }
        }
        return "";
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A command ran longer than allowed. */
    static final class TimeoutException extends Exception {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }
}
