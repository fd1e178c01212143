package io.berth.engine.dockerfile;

import java.util.List;
import java.util.function.Function;

/**
 * Expands a Dockerfile word the way Docker's builder does: quote removal ({@code '…'} literal,
 * {@code "…"} with variables), the escape character, and {@code $VAR}, {@code ${VAR}},
 * {@code ${VAR:-word}}, {@code ${VAR:+word}}, {@code ${VAR-word}}, {@code ${VAR+word}}. An unset
 * variable expands to the empty string.
 */
public interface WordExpander {
    /**
     * @param word     the word as written
     * @param lookup   a variable's value, or {@code null} when it is unset
     * @param escape   the Dockerfile's escape character
     * @param location where the word is, for the error
     * @return the expanded word
     * @throws DockerfileException a malformed substitution such as {@code ${A}
     */
    String expand(String word, Function<String, String> lookup, char escape, Location location) throws DockerfileException;

    /**
     * Expands a word and splits the result on unquoted whitespace, as Docker does for instructions
     * that take several words in shell form ({@code EXPOSE}, {@code VOLUME}, {@code ADD}/{@code COPY} sources).
     */
    List<String> expandWords(String text, Function<String, String> lookup, char escape, Location location) throws DockerfileException;

    /**
     * Expands variables in text whose quotes belong to someone else: the body of a {@code COPY}/{@code ADD}
     * heredoc whose delimiter is unquoted. Quotes are left as they are; {@code $} forms and backslash
     * escapes are processed (the escape character is always {@code \} here, whatever the Dockerfile's),
     * as BuildKit does.
     */
    String expandRaw(String text, Function<String, String> lookup, Location location) throws DockerfileException;
}
