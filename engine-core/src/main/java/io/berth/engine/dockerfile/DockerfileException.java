package io.berth.engine.dockerfile;

/**
 * A Dockerfile cannot be parsed or expanded. The message is one line that starts with the
 * location: {@code Dockerfile:3:1: unknown instruction: RUNN}.
 */
public final class DockerfileException extends Exception {
    private final transient Location location;
    private final String problem;

    public DockerfileException(Location location, String problem) {
        super(location + ": " + problem);
        this.location = location;
        this.problem = problem;
    }

    public Location location() {
        return location;
    }

    /** @return the message without the location */
    public String problem() {
        return problem;
    }
}
