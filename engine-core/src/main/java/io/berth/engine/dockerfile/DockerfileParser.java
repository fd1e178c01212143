package io.berth.engine.dockerfile;

import io.berth.engine.dockerfile.Instruction.CommandLine;
import io.berth.engine.dockerfile.Instruction.Flag;
import io.berth.engine.dockerfile.Instruction.Heredoc;
import io.berth.text.time.GoDuration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Dockerfile text into the {@link Dockerfile} model, following the Dockerfile reference and
 * BuildKit's parser: parser directives at the top, comments (also between continuation lines), line
 * continuations with the escape character, exec (JSON) and shell forms, heredocs for
 * {@code RUN}/{@code COPY}/{@code ADD}, flags, and the checks Docker makes at parse time. Words are
 * kept unexpanded; see {@link WordExpander}.
 *
 * <p>Errors are {@link DockerfileException}s located at the instruction (or the line) at fault.
 */
public final class DockerfileParser {
    private static final Pattern WHITESPACE = DockerfileWords.WHITESPACE;
    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");

    static final List<String> KEYWORDS = List.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
            "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");

    private DockerfileParser() {
    }

    /**
     * Parses a whole Dockerfile.
     *
     * @param fileName the name errors and locations use ({@code Dockerfile}, {@code build/app.Dockerfile})
     * @param text     the file's text
     * @return the model, with at least one stage
     * @throws DockerfileException the first syntax error, located
     */
    public static Dockerfile parse(String fileName, String text) throws DockerfileException {
        DockerfileLines lines = new DockerfileLines(fileName, text, 1);
        Map<String, String> directives = new LinkedHashMap<>();
        char escape = lines.readDirectives(directives);
        List<Instruction> instructions = new ArrayList<>();
        for (Instruction i = next(lines, escape); i != null; i = next(lines, escape)) {
            instructions.add(i);
        }
        if (instructions.isEmpty()) {
            throw new DockerfileException(new Location(fileName, Math.max(1, lines.count()), 1), "file with no instructions");
        }
        List<Instruction.Arg> globalArgs = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Map<String, Location> stageNames = new HashMap<>();
        Instruction.From from = null;
        List<Instruction> body = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i instanceof Instruction.From f) {
                if (from != null) {
                    stages.add(new Stage(stages.size(), from, body));
                    body = new ArrayList<>();
                }
                if (f.alias().isPresent()) {
                    Location earlier = stageNames.putIfAbsent(f.alias().get(), f.location());
                    if (earlier != null) {
                        throw new DockerfileException(f.location(), "duplicate stage name " + DockerfileWords.quote(f.alias().get())
                                + " (first used at " + earlier + ")");
                    }
                }
                from = f;
            } else if (from == null) {
                if (i instanceof Instruction.Arg a) {
                    globalArgs.add(a);
                } else {
                    throw new DockerfileException(i.location(), i.keyword()
                            + " before the first FROM: a Dockerfile must start with FROM (only ARG may come before it)");
                }
            } else {
                body.add(i);
            }
        }
        if (from == null) {
            throw new DockerfileException(instructions.getLast().location(), "no FROM instruction: a Dockerfile needs at least one build stage");
        }
        stages.add(new Stage(stages.size(), from, body));
        return new Dockerfile(fileName, directives, escape, globalArgs, stages);
    }

    /**
     * Parses one instruction, e.g. an {@code ONBUILD} trigger stored in a base image's config. The text
     * may continue over several lines and carry heredoc bodies after its first line, as
     * {@link Instruction.Onbuild#triggerSource()} does. Any instruction is accepted here, {@code FROM}
     * included; the caller decides which are allowed where.
     *
     * @param line   the instruction's text
     * @param where  where the text starts, for locations and errors
     * @param escape the escape character in force
     * @throws DockerfileException a syntax error, or text that is not exactly one instruction
     */
    public static Instruction parseInstruction(String line, Location where, char escape) throws DockerfileException {
        DockerfileLines lines = new DockerfileLines(where.file(), line, where.line());
        lines.firstColumn = where.column();
        Instruction i = next(lines, escape);
        if (i == null) {
            throw new DockerfileException(where, "expected an instruction, found none");
        }
        if (lines.hasNext()) {
            Location extra = new Location(where.file(), lines.lineNumber(), 1);
            if (next(lines, escape) != null) {
                throw new DockerfileException(extra, "expected one instruction, found more");
            }
        }
        return i;
    }

    /**
     * The heredoc a word of an instruction's arguments opens ({@code <<EOF}, {@code <<-"EOF"},
     * {@code 2<<EOF}), by its delimiter name, or empty when the word is not a heredoc. {@code COPY} and
     * {@code ADD} keep such words among their sources; the name is {@link Heredoc#name()}.
     */
    public static Optional<String> heredocName(String word) {
        DockerfileHeredocs.HeredocHeader h = DockerfileHeredocs.heredocHeader(word);
        return h == null ? Optional.empty() : Optional.of(h.name());
    }

    // ---------------------------------------------------------------------------------------------
    // Lines, directives and logical lines

    /** Reads the next instruction with its heredoc bodies; {@code null} at the end of the text. */
    private static Instruction next(DockerfileLines lines, char escape) throws DockerfileException {
        DockerfileLines.LogicalLine line = lines.nextLogical(escape);
        return line == null ? null : instruction(line.text(), line.where(), escape, lines);
    }

    // ---------------------------------------------------------------------------------------------
    // Instructions

    /** One logical line (continuations joined) into an instruction; heredoc bodies are read from {@code lines}. */
    private static Instruction instruction(String line, DockerfileLines.Where lineWhere, char escape, DockerfileLines lines) throws DockerfileException {
        String source = line.strip();
        DockerfileLines.Where where = lineWhere.from(line.indexOf(source));
        Location at = where.at(0);
        String[] split = WHITESPACE.split(source, 2);
        String word = split[0];
        String keyword = word.toUpperCase(Locale.ROOT);
        String afterKeyword = split.length > 1 ? split[1] : "";
        if (!KEYWORDS.contains(keyword)) {
            String hint = suggestion(keyword).map(s -> " (did you mean " + s + "?)").orElse("");
            throw new DockerfileException(at, "unknown instruction: " + word + hint);
        }
        int afterKeywordAt = source.length() - afterKeyword.length();
        DockerfileWords.FlagsAndRest fr = DockerfileWords.extractFlags(afterKeyword);
        List<Flag> flags = DockerfileWords.flags(keyword, fr.flags(), where.from(afterKeywordAt));
        String rest = fr.rest().strip();
        DockerfileLines.Where restWhere = where.from(afterKeywordAt + afterKeyword.length() - fr.rest().length() + fr.rest().indexOf(rest));
        return switch (keyword) {
            case "FROM" -> from(source, rest, flags, at);
            case "RUN" -> {
                CommandLine cmd = DockerfileWords.maybeJson(rest, keyword, at);
                List<Heredoc> heredocs = cmd.execForm() ? List.of() : DockerfileHeredocs.heredocs(source, where, lines);
                yield new Instruction.Run(at, source, cmd, flags, heredocs);
            }
            case "CMD" -> new Instruction.Cmd(at, source, DockerfileWords.maybeJson(rest, keyword, at));
            case "ENTRYPOINT" -> new Instruction.Entrypoint(at, source, DockerfileWords.maybeJson(rest, keyword, at));
            case "SHELL" -> {
                if (rest.isEmpty()) {
                    throw new DockerfileException(at, "SHELL requires at least one argument");
                }
                DockerfileWords.JsonArray json = DockerfileWords.parseJson(rest, at);
                if (json.words() == null) {
                    throw new DockerfileException(at, "SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]"
                            + (json.problem() == null ? "" : " (" + json.problem() + ")"));
                }
                if (json.words().isEmpty()) {
                    throw new DockerfileException(at, "SHELL requires at least one argument");
                }
                yield new Instruction.Shell(at, source, json.words());
            }
            case "LABEL" -> new Instruction.Label(at, source, DockerfileWords.keyValues(rest, keyword, escape, at, restWhere));
            case "ENV" -> new Instruction.Env(at, source, DockerfileWords.keyValues(rest, keyword, escape, at, restWhere));
            case "MAINTAINER" -> new Instruction.Maintainer(at, source, exactlyOne(rest, keyword, at));
            case "USER" -> new Instruction.User(at, source, exactlyOne(rest, keyword, at));
            case "WORKDIR" -> new Instruction.Workdir(at, source, exactlyOne(rest, keyword, at));
            case "STOPSIGNAL" -> new Instruction.StopSignal(at, source, exactlyOne(rest, keyword, at));
            case "EXPOSE" -> {
                if (rest.isEmpty()) {
                    throw new DockerfileException(at, "EXPOSE requires at least one argument");
                }
                yield new Instruction.Expose(at, source, List.of(WHITESPACE.split(rest)));
            }
            case "VOLUME" -> {
                List<String> paths = DockerfileWords.jsonOrWords(rest, at).stream().map(String::strip).toList(); // Docker trims each path
                if (paths.isEmpty()) {
                    throw new DockerfileException(at, "VOLUME requires at least one argument");
                }
                for (String p : paths) {
                    if (p.isBlank()) {
                        throw new DockerfileException(at, "VOLUME specified can not be an empty string");
                    }
                }
                yield new Instruction.Volume(at, source, paths);
            }
            case "ADD", "COPY" -> {
                DockerfileWords.JsonArray json = DockerfileWords.parseJson(rest, at);
                List<String> args = json.words() != null ? json.words() : DockerfileWords.words(rest);
                if (args.size() < 2) {
                    throw new DockerfileException(at, keyword + " requires at least two arguments, but "
                            + (args.isEmpty() ? "none were" : "only one was") + " provided. Destination could not be determined");
                }
                List<String> sources = args.subList(0, args.size() - 1);
                String destination = args.getLast();
                List<Heredoc> heredocs = List.of();
                if (json.words() == null) {
                    if (DockerfileHeredocs.heredocHeader(destination) != null) {
                        throw new DockerfileException(at, keyword + " cannot accept a heredoc as a destination");
                    }
                    heredocs = DockerfileHeredocs.heredocs(source, where, lines);
                }
                yield keyword.equals("ADD")
                        ? new Instruction.Add(at, source, sources, destination, flags, heredocs)
                        : new Instruction.Copy(at, source, sources, destination, flags, heredocs);
            }
            case "ARG" -> new Instruction.Arg(at, source, DockerfileWords.args(rest, escape, at, restWhere));
            case "ONBUILD" -> onbuild(source, rest, at, restWhere, escape, lines);
            case "HEALTHCHECK" -> healthcheck(source, rest, flags, at);
            default -> throw new IllegalStateException(keyword);
        };
    }

    private static Instruction.From from(String source, String rest, List<Flag> flags, Location at) throws DockerfileException {
        List<String> args = rest.isEmpty() ? List.of() : List.of(WHITESPACE.split(rest));
        Optional<String> alias = Optional.empty();
        if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
            String name = args.get(2).toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(name).matches()) {
                throw new DockerfileException(at, "invalid name for build stage: " + DockerfileWords.quote(args.get(2))
                        + ", name can't start with a number or contain symbols");
            }
            alias = Optional.of(name);
        } else if (args.size() != 1) {
            throw new DockerfileException(at, "FROM requires either one or three arguments (FROM image [AS name])");
        }
        Optional<String> platform = flags.stream().filter(f -> f.name().equals("platform")).map(Flag::value).findFirst();
        return new Instruction.From(at, source, args.getFirst(), alias, platform);
    }

    private static Instruction.Onbuild onbuild(String source, String rest, Location at, DockerfileLines.Where restWhere, char escape, DockerfileLines lines) throws DockerfileException {
        if (rest.isEmpty()) {
            throw new DockerfileException(at, "ONBUILD requires at least one argument");
        }
        String triggerWord = WHITESPACE.split(rest, 2)[0].toUpperCase(Locale.ROOT);
        switch (triggerWord) {
            case "ONBUILD" -> throw new DockerfileException(at, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "FROM", "MAINTAINER" -> throw new DockerfileException(at, triggerWord + " isn't allowed as an ONBUILD trigger");
            default -> {
            }
        }
        Instruction trigger = instruction(rest, restWhere, escape, lines);
        StringBuilder triggerSource = new StringBuilder(trigger.source());
        for (Heredoc h : heredocsOf(trigger)) {
            triggerSource.append('\n').append(h.content()).append(h.name());
        }
        return new Instruction.Onbuild(at, source, trigger, triggerSource.toString());
    }

    static List<Heredoc> heredocsOf(Instruction i) {
        return switch (i) {
            case Instruction.Run r -> r.heredocs();
            case Instruction.Copy c -> c.heredocs();
            case Instruction.Add a -> a.heredocs();
            case Instruction.Onbuild o -> heredocsOf(o.trigger());
            default -> List.of();
        };
    }

    private static Instruction.Healthcheck healthcheck(String source, String rest, List<Flag> flags, Location at) throws DockerfileException {
        if (rest.isEmpty()) {
            throw new DockerfileException(at, "HEALTHCHECK requires at least one argument (CMD … or NONE)");
        }
        String[] split = WHITESPACE.split(rest, 2);
        String type = split[0].toUpperCase(Locale.ROOT);
        String command = split.length > 1 ? split[1].strip() : "";
        if (type.equals("NONE")) {
            if (!command.isEmpty()) {
                throw new DockerfileException(at, "HEALTHCHECK NONE takes no arguments");
            }
            return new Instruction.Healthcheck(at, source, Optional.empty(), flags);
        }
        if (!type.equals("CMD")) {
            throw new DockerfileException(at, "Unknown type " + DockerfileWords.quote(split[0]) + " in HEALTHCHECK (try CMD)");
        }
        CommandLine cmd = DockerfileWords.maybeJson(command, "HEALTHCHECK", at);
        if (cmd.words().isEmpty()) {
            throw new DockerfileException(at, "Missing command after HEALTHCHECK CMD");
        }
        for (Flag f : flags) {
            if (f.name().equals("retries")) {
                long retries;
                try {
                    retries = Long.parseLong(f.value());
                } catch (NumberFormatException e) {
                    throw new DockerfileException(at, "HEALTHCHECK --retries must be a number, not " + DockerfileWords.quote(f.value()));
                }
                if (retries < 1 || retries > Integer.MAX_VALUE) {
                    throw new DockerfileException(at, "--retries must be at least 1 (not " + f.value() + ")");
                }
            } else if (!f.value().isEmpty()) {
                try {
                    GoDuration.parseInterval(f.name(), f.value(), GoDuration.IntervalRule.DOCKERFILE);
                } catch (IllegalArgumentException e) {
                    throw new DockerfileException(at, e.getMessage()); // Docker's words: Go's, or "Interval "timeout" cannot…"
                }
            }
        }
        return new Instruction.Healthcheck(at, source, Optional.of(cmd), flags);
    }

    private static String exactlyOne(String rest, String keyword, Location at) throws DockerfileException {
        if (rest.isEmpty()) {
            throw new DockerfileException(at, keyword + " requires exactly one argument");
        }
        return rest;
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** The closest keyword to a misspelt one, when it is close enough to be a likely typo. */
    static Optional<String> suggestion(String word) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : KEYWORDS) {
            int d = distance(word, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        int allowed = Math.max(1, Math.min(2, word.length() / 3));
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** Damerau–Levenshtein distance (adjacent transpositions count once). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** Go's {@code unicode.IsSpace}. */
    static boolean isSpace(int c) {
        return DockerfileWords.isSpace(c);
    }

    /**
     * Splits on unquoted whitespace, keeping quotes and escapes in the words (Docker's {@code parseWords});
     * an unterminated quote is an error here rather than later at expansion.
     */
    static List<String> quotedWords(String rest, char escape, String keyword, Location at) throws DockerfileException {
        return DockerfileWords.quotedWords(rest, escape, keyword, at);
    }

    /** Whether a {@code # syntax=} value names the official frontend. */
    static boolean isOfficialFrontend(String value) {
        return DockerfileLines.isOfficialFrontend(value);
    }
}
