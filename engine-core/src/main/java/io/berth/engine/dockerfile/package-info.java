/**
 * The Dockerfile language: a parser from text to a typed model, the word expander that applies
 * variables the way Docker does, and a printer back to text.
 *
 * <p>The model keeps every word <em>unexpanded</em> (quotes and {@code $VAR} still in it), because
 * which variables apply depends on the build's state at that instruction ({@code ARG}s declared so
 * far, {@code ENV}s, {@code --build-arg}s). The builder expands the words of the instructions
 * Docker expands ({@code ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME WORKDIR ARG}, and the
 * flags of {@code ADD} and {@code COPY}) with {@link io.berth.engine.dockerfile.WordExpander}
 * just before it executes them; {@code RUN}, {@code CMD} and {@code ENTRYPOINT} are left to the shell.
 * The body of a {@code COPY}/{@code ADD} heredoc with an unquoted delimiter is expanded with
 * {@link io.berth.engine.dockerfile.WordExpander#expandRaw}, which leaves its quotes alone.
 *
 * <p>{@link io.berth.engine.dockerfile.DockerfileParser} reads text into the model,
 * {@link io.berth.engine.dockerfile.DockerWordExpander} is the expander, and
 * {@link io.berth.engine.dockerfile.DockerfilePrinter} writes a model back as text.
 */
package io.berth.engine.dockerfile;
