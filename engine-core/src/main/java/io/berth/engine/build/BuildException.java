package io.berth.engine.build;

import io.berth.engine.domain.DomainException;
import java.util.List;

/**
 * A build failed or was refused. The message is one line, Docker-like, starting with the Dockerfile
 * location when there is one ({@code Dockerfile:4: COPY failed: …}). Most are {@link Kind#INVALID}:
 * the Dockerfile, the context or the request is at fault; a build named that does not exist (or whose
 * stored context is gone) is {@link Kind#NOT_FOUND}; a stored blob berth cannot read is {@link Kind#INTERNAL}.
 */
public final class BuildException extends DomainException {
    private final int exitCode;
    private final List<String> lastOutput;

    public BuildException(String message) {
        this(message, -1, List.of());
    }

    public BuildException(String message, int exitCode, List<String> lastOutput) {
        this(Kind.INVALID, message, exitCode, lastOutput);
    }

    private BuildException(Kind kind, String message, int exitCode, List<String> lastOutput) {
        super(kind, message, null);
        this.exitCode = exitCode;
        this.lastOutput = List.copyOf(lastOutput);
    }

    /** No build has the id (or prefix) asked for. */
    static BuildException notFound(String message) {
        return new BuildException(Kind.NOT_FOUND, message, -1, List.of());
    }

    /** berth could not read what it stored itself (not the request's fault). */
    static BuildException internal(String message) {
        return new BuildException(Kind.INTERNAL, message, -1, List.of());
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
