package io.berth.cli.version;

/**
 * The version this CLI was built as, filled in by Maven (a Java constant rather than a resource file:
 * reading a resource opens the jar, milliseconds of every command's start-up).
 */
final class Version {
    /** The project version. */
    static final String VALUE = "${project.version}";

    private Version() {
    }
}
