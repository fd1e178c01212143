package io.berth.cli.exit;

/** A failure the CLI reports as one line on stderr and an exit code (see {@link ExitCodes}). */
public final class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** The process exit code. */
    public int exitCode() {
        return exitCode;
    }
}
