package io.berth.engine.build;

import java.util.List;

/**
 * A build failed. The message is one line, Docker-like, starting with the Dockerfile location
 * when there is one ({@code Dockerfile:4: COPY failed: …}).
 */
public final class BuildException extends RuntimeException {
    private final int exitCode;
    private final List<String> lastOutput;

    public BuildException(String message) {
        this(message, -1, List.of());
    }

    public BuildException(String message, int exitCode, List<String> lastOutput) {
        super(message);
        this.exitCode = exitCode;
        this.lastOutput = List.copyOf(lastOutput);
    }

    /** @return the failing RUN's exit code, -1 when no command ran */
    public int exitCode() {
        return exitCode;
    }

    /** @return the failing step's last output lines */
    public List<String> lastOutput() {
        return lastOutput;
    }
}
