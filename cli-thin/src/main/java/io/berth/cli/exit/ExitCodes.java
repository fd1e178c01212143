package io.berth.cli.exit;

/** Exit codes, as Docker's CLI uses them. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The operation ran and its result is a failure (e.g. a replay found differences). */
    public static final int FAILED = 1;
    /** The daemon or the CLI itself failed, or the command line is wrong. */
    public static final int ENGINE = 125;

    private ExitCodes() {
    }
}
