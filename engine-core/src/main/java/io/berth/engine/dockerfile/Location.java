package io.berth.engine.dockerfile;

/**
 * Where something is in a Dockerfile, for error messages: {@code Dockerfile:12:5}.
 *
 * @param file   the Dockerfile's name as the user gave it ({@code Dockerfile}, {@code build/app.Dockerfile})
 * @param line   1-based line of the instruction's first character
 * @param column 1-based column
 */
public record Location(String file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
