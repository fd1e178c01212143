package io.berth.engine.dockerfile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.berth.engine.dockerfile.Instruction.ArgDeclaration;
import io.berth.engine.dockerfile.Instruction.CommandLine;
import io.berth.engine.dockerfile.Instruction.Flag;
import io.berth.engine.dockerfile.Instruction.Heredoc;
import io.berth.engine.dockerfile.Instruction.KeyValue;
import io.berth.text.time.GoDuration;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Set<String> KNOWN_DIRECTIVES = Set.of("escape", "syntax", "check");
    /** Docker splits the keyword, FROM, EXPOSE and shell-form COPY/ADD/VOLUME on these (not on newlines or Unicode spaces). */
    private static final Pattern WHITESPACE = Pattern.compile("[\\t\\u000B\\f\\r ]+");
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");
    private static final Pattern LEADING_TABS = Pattern.compile("(?m)^\\t+");
    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
    private static final JsonFactory JSON = new JsonFactory();

    static final List<String> KEYWORDS = List.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
            "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");

    /** The flags each instruction accepts: name to kind. */
    private static final Map<String, Map<String, FlagKind>> FLAGS = Map.of(
            "FROM", Map.of("platform", FlagKind.STRING),
            "RUN", Map.of("mount", FlagKind.REPEATED, "network", FlagKind.STRING, "security", FlagKind.STRING),
            "ADD", Map.of("chown", FlagKind.STRING, "chmod", FlagKind.STRING, "checksum", FlagKind.STRING,
                    "keep-git-dir", FlagKind.BOOLEAN, "link", FlagKind.BOOLEAN, "exclude", FlagKind.REPEATED),
            "COPY", Map.of("from", FlagKind.STRING, "chown", FlagKind.STRING, "chmod", FlagKind.STRING,
                    "link", FlagKind.BOOLEAN, "parents", FlagKind.BOOLEAN, "exclude", FlagKind.REPEATED),
            "HEALTHCHECK", Map.of("interval", FlagKind.STRING, "timeout", FlagKind.STRING, "start-period", FlagKind.STRING,
                    "start-interval", FlagKind.STRING, "retries", FlagKind.STRING));

    private enum FlagKind { STRING, REPEATED, BOOLEAN }

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
        Lines lines = new Lines(fileName, text, 1);
        Map<String, String> directives = new LinkedHashMap<>();
        char escape = readDirectives(lines, directives);
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
                        throw new DockerfileException(f.location(), "duplicate stage name " + quote(f.alias().get())
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
        Lines lines = new Lines(where.file(), line, where.line());
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
        HeredocHeader h = heredocHeader(word);
        return h == null ? Optional.empty() : Optional.of(h.name);
    }

    // ---------------------------------------------------------------------------------------------
    // Lines, directives and logical lines

    /** The file's lines (BOM, {@code \r} and the final newline removed), read one after another. */
    private static final class Lines {
        final String file;
        final String[] lines;
        final int firstLine;
        /** The column the text's first line starts at (1 for a file). */
        int firstColumn = 1;
        int index;

        Lines(String file, String text, int firstLine) {
            this.file = file;
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            String[] split = text.split("\n", -1);
            int n = split.length;
            if (n > 0 && split[n - 1].isEmpty()) {
                n--; // the text's final newline ends the last line; it does not start another
            }
            this.lines = new String[n];
            for (int i = 0; i < n; i++) {
                String l = split[i];
                lines[i] = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
            }
            this.firstLine = firstLine;
        }

        boolean hasNext() {
            return index < lines.length;
        }

        String peek() {
            return lines[index];
        }

        /** @return the line number of the line {@link #next()} returns */
        int lineNumber() {
            return firstLine + index;
        }

        String next() {
            return lines[index++];
        }

        int count() {
            return lines.length;
        }
    }

    /**
     * The official Dockerfile frontend, which berth's own parser stands in for: {@code docker/dockerfile}
     * or {@code docker/dockerfile-upstream}, optionally under {@code docker.io/}, untagged or tagged
     * {@code 1}, {@code 1.7}, {@code 1.7.1}, each optionally {@code -labs}, or {@code labs},
     * {@code latest}, {@code master}, {@code 1.0-experimental}, optionally pinned by digest.
     */
    private static final Pattern OFFICIAL_FRONTEND = Pattern.compile(
            "^(docker\\.io/)?docker/dockerfile(-upstream)?"
                    + "(:(1(\\.[0-9]+){0,2}(-labs|-experimental)?|labs|latest|master|experimental))?"
                    + "(@sha256:[0-9a-f]{64})?$");

    /** Whether a {@code # syntax=} value names the official frontend (see {@link #OFFICIAL_FRONTEND}). */
    static boolean isOfficialFrontend(String value) {
        return OFFICIAL_FRONTEND.matcher(value.strip()).matches();
    }

    private static char readDirectives(Lines lines, Map<String, String> directives) throws DockerfileException {
        char escape = '\\';
        while (lines.hasNext()) {
            String line = trimLeft(lines.peek());
            Matcher m = DIRECTIVE.matcher(line);
            if (!m.matches()) {
                break;
            }
            String key = m.group(1).toLowerCase(Locale.ROOT);
            if (!KNOWN_DIRECTIVES.contains(key)) {
                break; // an unknown directive is a comment, and ends the directives
            }
            int number = lines.lineNumber();
            Location at = new Location(lines.file, number, lines.peek().length() - line.length() + 1);
            if (directives.containsKey(key)) {
                throw new DockerfileException(at, "only one " + key + " parser directive can be used");
            }
            String value = m.group(2);
            if (key.equals("escape")) {
                if (!value.equals("\\") && !value.equals("`")) {
                    throw new DockerfileException(at, "invalid escape token '" + value + "' does not match ` or \\");
                }
                escape = value.charAt(0);
            }
            if (key.equals("syntax") && !isOfficialFrontend(value)) {
                throw new DockerfileException(at, "unsupported frontend " + quote(value) + " in the syntax directive: berth parses "
                        + "Dockerfiles itself and accepts only docker/dockerfile (e.g. docker/dockerfile:1); remove the line or name that frontend");
            }
            directives.put(key, value);
            lines.next();
        }
        return escape;
    }

    /** Reads the next instruction with its heredoc bodies; {@code null} at the end of the text. */
    private static Instruction next(Lines lines, char escape) throws DockerfileException {
        while (lines.hasNext()) {
            int number = lines.lineNumber();
            String raw = lines.next();
            String first = trimLeft(raw);
            if (first.startsWith("#")) {
                continue;
            }
            Continued c = trimContinuation(first, escape);
            if (!c.continues && c.text.isEmpty()) {
                continue;
            }
            int startColumn = number == lines.firstLine ? lines.firstColumn : 1;
            StringBuilder line = new StringBuilder(c.text);
            List<int[]> pieces = new ArrayList<>(); // {offset in the logical line, line number, column}
            pieces.add(new int[] {0, number, startColumn + raw.length() - first.length()});
            boolean continues = c.continues;
            while (continues && lines.hasNext()) {
                int moreNumber = lines.lineNumber();
                String more = lines.next();
                String trimmed = trimLeft(more);
                if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                    continue; // comments and empty lines inside a continuation are skipped, as Docker does
                }
                c = trimContinuation(more, escape);
                pieces.add(new int[] {line.length(), moreNumber, 1});
                line.append(c.text);
                continues = c.continues;
            }
            if (line.toString().isBlank()) {
                continue;
            }
            String file = lines.file;
            Where where = offset -> {
                int[] piece = pieces.getFirst();
                for (int[] p : pieces) {
                    if (p[0] <= offset) {
                        piece = p;
                    }
                }
                return new Location(file, piece[1], piece[2] + offset - piece[0]);
            };
            return instruction(line.toString(), where, escape, lines);
        }
        return null;
    }

    private record Continued(String text, boolean continues) {
    }

    /** Where a character of the text being parsed came from in the file, by its offset in that text. */
    @FunctionalInterface
    interface Where {
        Location at(int offset);

        default Where from(int offset) {
            return o -> at(offset + o);
        }
    }

    /** A word and its offset in the text it was split from. */
    record Word(String text, int offset) {
    }

    /**
     * A line ends in the escape character (optionally followed by blanks) when it continues on the next
     * line, unless that escape character is itself escaped.
     */
    private static Continued trimContinuation(String line, char escape) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end == 0 || line.charAt(end - 1) != escape) {
            return new Continued(line, false);
        }
        if (end >= 2 && line.charAt(end - 2) == escape) {
            return new Continued(line, false);
        }
        return new Continued(line.substring(0, end - 1), true);
    }

    // ---------------------------------------------------------------------------------------------
    // Instructions

    /** One logical line (continuations joined) into an instruction; heredoc bodies are read from {@code lines}. */
    private static Instruction instruction(String line, Where lineWhere, char escape, Lines lines) throws DockerfileException {
        String source = line.strip();
        Where where = lineWhere.from(line.indexOf(source));
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
        FlagsAndRest fr = extractFlags(afterKeyword);
        List<Flag> flags = flags(keyword, fr.flags, where.from(afterKeywordAt));
        String rest = fr.rest.strip();
        Where restWhere = where.from(afterKeywordAt + afterKeyword.length() - fr.rest.length() + fr.rest.indexOf(rest));
        return switch (keyword) {
            case "FROM" -> from(source, rest, flags, at);
            case "RUN" -> {
                CommandLine cmd = maybeJson(rest, keyword, at);
                List<Heredoc> heredocs = cmd.execForm() ? List.of() : heredocs(source, where, lines);
                yield new Instruction.Run(at, source, cmd, flags, heredocs);
            }
            case "CMD" -> new Instruction.Cmd(at, source, maybeJson(rest, keyword, at));
            case "ENTRYPOINT" -> new Instruction.Entrypoint(at, source, maybeJson(rest, keyword, at));
            case "SHELL" -> {
                if (rest.isEmpty()) {
                    throw new DockerfileException(at, "SHELL requires at least one argument");
                }
                JsonArray json = parseJson(rest, at);
                if (json.words == null) {
                    throw new DockerfileException(at, "SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]"
                            + (json.problem == null ? "" : " (" + json.problem + ")"));
                }
                if (json.words.isEmpty()) {
                    throw new DockerfileException(at, "SHELL requires at least one argument");
                }
                yield new Instruction.Shell(at, source, json.words);
            }
            case "LABEL" -> new Instruction.Label(at, source, keyValues(rest, keyword, escape, at, restWhere));
            case "ENV" -> new Instruction.Env(at, source, keyValues(rest, keyword, escape, at, restWhere));
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
                List<String> paths = jsonOrWords(rest, at).stream().map(String::strip).toList(); // Docker trims each path
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
                JsonArray json = parseJson(rest, at);
                List<String> args = json.words != null ? json.words : words(rest);
                if (args.size() < 2) {
                    throw new DockerfileException(at, keyword + " requires at least two arguments, but "
                            + (args.isEmpty() ? "none were" : "only one was") + " provided. Destination could not be determined");
                }
                List<String> sources = args.subList(0, args.size() - 1);
                String destination = args.getLast();
                List<Heredoc> heredocs = List.of();
                if (json.words == null) {
                    if (heredocHeader(destination) != null) {
                        throw new DockerfileException(at, keyword + " cannot accept a heredoc as a destination");
                    }
                    heredocs = heredocs(source, where, lines);
                }
                yield keyword.equals("ADD")
                        ? new Instruction.Add(at, source, sources, destination, flags, heredocs)
                        : new Instruction.Copy(at, source, sources, destination, flags, heredocs);
            }
            case "ARG" -> new Instruction.Arg(at, source, args(rest, escape, at, restWhere));
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
                throw new DockerfileException(at, "invalid name for build stage: " + quote(args.get(2))
                        + ", name can't start with a number or contain symbols");
            }
            alias = Optional.of(name);
        } else if (args.size() != 1) {
            throw new DockerfileException(at, "FROM requires either one or three arguments (FROM image [AS name])");
        }
        Optional<String> platform = flags.stream().filter(f -> f.name().equals("platform")).map(Flag::value).findFirst();
        return new Instruction.From(at, source, args.getFirst(), alias, platform);
    }

    private static Instruction.Onbuild onbuild(String source, String rest, Location at, Where restWhere, char escape, Lines lines) throws DockerfileException {
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
            throw new DockerfileException(at, "Unknown type " + quote(split[0]) + " in HEALTHCHECK (try CMD)");
        }
        CommandLine cmd = maybeJson(command, "HEALTHCHECK", at);
        if (cmd.words().isEmpty()) {
            throw new DockerfileException(at, "Missing command after HEALTHCHECK CMD");
        }
        for (Flag f : flags) {
            if (f.name().equals("retries")) {
                long retries;
                try {
                    retries = Long.parseLong(f.value());
                } catch (NumberFormatException e) {
                    throw new DockerfileException(at, "HEALTHCHECK --retries must be a number, not " + quote(f.value()));
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

    /** RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD: a JSON array of strings is the exec form; anything else is the shell form. */
    private static CommandLine maybeJson(String rest, String keyword, Location at) throws DockerfileException {
        if (rest.isEmpty()) {
            return new CommandLine(false, List.of()); // Docker accepts a bare CMD/RUN/ENTRYPOINT: no words
        }
        JsonArray json = parseJson(rest, at);
        return json.words != null ? new CommandLine(true, json.words) : new CommandLine(false, List.of(rest));
    }

    private static List<String> jsonOrWords(String rest, Location at) throws DockerfileException {
        JsonArray json = parseJson(rest, at);
        return json.words != null ? json.words : words(rest);
    }

    private static List<String> words(String rest) {
        return rest.isEmpty() ? List.of() : List.of(WHITESPACE.split(rest));
    }

    /** A JSON array of strings ({@code words}), or why the text is not one ({@code problem}, words null). */
    private record JsonArray(List<String> words, String problem) {
    }

    /**
     * Docker's JSON form: text starting with {@code [} that decodes as a JSON array (what follows the
     * array is ignored, as Go's decoder does). An array holding anything but strings is an error.
     */
    private static JsonArray parseJson(String rest, Location at) throws DockerfileException {
        String text = trimLeft(rest);
        if (!text.startsWith("[")) {
            return new JsonArray(null, null);
        }
        List<String> words = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            p.nextToken();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    return new JsonArray(null, "unterminated JSON array");
                }
                if (t != JsonToken.VALUE_STRING) {
                    if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                        p.skipChildren();
                    }
                    throw new DockerfileException(at, "when using JSON array syntax, arrays must be comprised of strings only");
                }
                words.add(p.getText());
            }
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            return new JsonArray(null, "unterminated JSON array");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new JsonArray(null, "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new JsonArray(null, "invalid JSON: " + e.getMessage());
        }
        return new JsonArray(words, null);
    }

    // ---------------------------------------------------------------------------------------------
    // Words: ENV, LABEL, ARG

    /**
     * Splits on unquoted whitespace, keeping quotes and escapes in the words (Docker's {@code parseWords});
     * an unterminated quote is an error here rather than later at expansion.
     */
    static List<String> quotedWords(String rest, char escape, String keyword, Location at) throws DockerfileException {
        return quotedWords(rest, escape, keyword, o -> at).stream().map(Word::text).toList();
    }

    private static List<Word> quotedWords(String rest, char escape, String keyword, Where where) throws DockerfileException {
        List<Word> words = new ArrayList<>();
        int start = 0;
        int quoteAt = 0;
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        int quote = 0;
        int n = rest.length();
        for (int pos = 0; pos < n; ) {
            int ch = rest.codePointAt(pos);
            int width = Character.charCount(ch);
            if (quote == 0) {
                if (isSpace(ch)) {
                    if (inWord && (blankOk || !word.isEmpty())) {
                        words.add(new Word(word.toString(), start));
                    }
                    inWord = false;
                    word.setLength(0);
                    blankOk = false;
                    pos += width;
                    continue;
                }
                if (!inWord) {
                    start = pos;
                }
                inWord = true;
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    quoteAt = pos;
                    blankOk = true;
                }
                if (ch == escape) {
                    if (pos + width == n) {
                        pos += width;
                        continue; // an escape at the very end is dropped
                    }
                    word.appendCodePoint(ch);
                    pos += width;
                    ch = rest.codePointAt(pos);
                    width = Character.charCount(ch);
                }
                word.appendCodePoint(ch);
                pos += width;
            } else {
                if (ch == quote) {
                    quote = 0;
                } else if (ch == escape && quote != '\'') {
                    if (pos + width == n) {
                        quote = 0;
                        pos += width;
                        continue;
                    }
                    word.appendCodePoint(ch);
                    pos += width;
                    ch = rest.codePointAt(pos);
                    width = Character.charCount(ch);
                }
                word.appendCodePoint(ch);
                pos += width;
            }
        }
        if (quote != 0) {
            throw new DockerfileException(where.at(quoteAt), keyword + ": unterminated " + (quote == '"' ? "double" : "single")
                    + " quote in " + word);
        }
        if (inWord && (blankOk || !word.isEmpty())) {
            words.add(new Word(word.toString(), start));
        }
        return words;
    }

    /** ENV and LABEL: {@code k=v …}, or the legacy {@code k v with spaces} when the first word has no {@code =}. */
    private static List<KeyValue> keyValues(String rest, String keyword, char escape, Location at, Where where) throws DockerfileException {
        List<Word> words = quotedWords(rest, escape, keyword, where);
        if (words.isEmpty()) {
            throw new DockerfileException(at, keyword + " requires at least one argument");
        }
        List<KeyValue> pairs = new ArrayList<>();
        if (!words.getFirst().text().contains("=")) {
            String[] parts = WHITESPACE.split(rest, 2);
            if (parts.length < 2 || parts[1].isEmpty()) {
                throw new DockerfileException(at, keyword + " must have two arguments (" + keyword + " key=value, or the legacy "
                        + keyword + " key value)");
            }
            pairs.add(new KeyValue(parts[0], parts[1]));
            return pairs;
        }
        for (Word word : words) {
            String w = word.text();
            int eq = w.indexOf('=');
            if (eq < 0) {
                throw new DockerfileException(where.at(word.offset()), "Syntax error - can't find = in " + quote(w) + ". Must be of the form: name=value");
            }
            if (eq == 0) {
                throw new DockerfileException(where.at(word.offset()), keyword + " names can not be blank");
            }
            pairs.add(new KeyValue(w.substring(0, eq), w.substring(eq + 1)));
        }
        return pairs;
    }

    private static List<ArgDeclaration> args(String rest, char escape, Location at, Where where) throws DockerfileException {
        List<Word> words = quotedWords(rest, escape, "ARG", where);
        if (words.isEmpty()) {
            throw new DockerfileException(at, "ARG requires at least one argument");
        }
        List<ArgDeclaration> args = new ArrayList<>();
        for (Word word : words) {
            String w = word.text();
            int eq = w.indexOf('=');
            if (eq == 0) {
                throw new DockerfileException(where.at(word.offset()), "ARG names can not be blank");
            }
            args.add(eq < 0 ? new ArgDeclaration(w, Optional.empty())
                    : new ArgDeclaration(w.substring(0, eq), Optional.of(w.substring(eq + 1))));
        }
        return args;
    }

    // ---------------------------------------------------------------------------------------------
    // Flags

    private record FlagsAndRest(List<Word> flags, String rest) {
    }

    /**
     * The leading {@code --name[=value]} words (Docker's {@code extractBuilderFlags}): quotes and
     * backslash escapes in them are processed; {@code --} ends them.
     */
    static FlagsAndRest extractFlags(String line) {
        List<Word> words = new ArrayList<>();
        int start = 0;
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        int quote = 0;
        int n = line.length();
        for (int pos = 0; pos <= n; pos++) {
            char ch = pos < n ? line.charAt(pos) : 0;
            if (!inWord) {
                if (pos == n) {
                    break;
                }
                if (isSpace(ch)) {
                    continue;
                }
                if (ch != '-' || pos + 1 == n || line.charAt(pos + 1) != '-') {
                    return new FlagsAndRest(words, line.substring(pos));
                }
                inWord = true;
                start = pos;
            }
            if (pos == n) {
                if (!word.toString().equals("--") && (blankOk || !word.isEmpty())) {
                    words.add(new Word(word.toString(), start));
                }
                break;
            }
            if (quote == 0) {
                if (isSpace(ch)) {
                    inWord = false;
                    if (word.toString().equals("--")) {
                        return new FlagsAndRest(words, line.substring(pos));
                    }
                    if (blankOk || !word.isEmpty()) {
                        words.add(new Word(word.toString(), start));
                    }
                    word.setLength(0);
                    blankOk = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    continue;
                }
                if (ch == '\\') {
                    if (pos + 1 == n) {
                        continue;
                    }
                    ch = line.charAt(++pos);
                }
                word.append(ch);
            } else {
                if (ch == quote) {
                    quote = 0;
                    continue;
                }
                if (ch == '\\') {
                    if (pos + 1 == n) {
                        quote = 0;
                        continue;
                    }
                    ch = line.charAt(++pos);
                }
                word.append(ch);
            }
        }
        return new FlagsAndRest(words, "");
    }

    private static List<Flag> flags(String keyword, List<Word> raw, Where where) throws DockerfileException {
        Map<String, FlagKind> allowed = FLAGS.getOrDefault(keyword, Map.of());
        List<Flag> flags = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Word w : raw) {
            Location at = where.at(w.offset());
            String body = w.text().substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            FlagKind kind = allowed.get(name);
            if (kind == null) {
                String known = allowed.isEmpty() ? keyword + " takes no flags"
                        : keyword + " takes " + allowed.keySet().stream().sorted().map(k -> "--" + k).reduce((a, b) -> a + ", " + b).orElse("");
                throw new DockerfileException(at, "unknown flag --" + name + " for " + keyword + " (" + known + ")");
            }
            String value;
            if (eq < 0) {
                if (kind != FlagKind.BOOLEAN) {
                    throw new DockerfileException(at, "missing a value on flag --" + name + " of " + keyword + " (--" + name + "=VALUE)");
                }
                value = "true";
            } else {
                value = body.substring(eq + 1);
                if (kind == FlagKind.BOOLEAN) {
                    if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                        throw new DockerfileException(at, "expecting boolean value for flag --" + name + " of " + keyword + ", not: " + value);
                    }
                    value = value.toLowerCase(Locale.ROOT);
                }
            }
            if (kind != FlagKind.REPEATED && !seen.add(name)) {
                throw new DockerfileException(at, "duplicate flag specified: --" + name + " of " + keyword);
            }
            flags.add(new Flag(name, value));
        }
        return flags;
    }

    // ---------------------------------------------------------------------------------------------
    // Heredocs

    private record HeredocHeader(String name, boolean expand, boolean chomp) {
    }

    /** The heredocs the words of a RUN/COPY/ADD line open, in order, with their bodies read from the following lines. */
    private static List<Heredoc> heredocs(String line, Where where, Lines lines) throws DockerfileException {
        List<HeredocHeader> headers = new ArrayList<>();
        List<Location> opened = new ArrayList<>();
        for (Word w : rawShellWords(line)) {
            HeredocHeader h = heredocHeader(w.text());
            if (h != null) {
                headers.add(h);
                opened.add(where.at(w.offset()));
            }
        }
        List<Heredoc> heredocs = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            HeredocHeader h = headers.get(i);
            Location at = opened.get(i);
            StringBuilder content = new StringBuilder();
            boolean terminated = false;
            while (lines.hasNext()) {
                String l = lines.next();
                String candidate = h.chomp ? l.replaceFirst("^\\t+", "") : l;
                if (candidate.equals(h.name)) {
                    terminated = true;
                    break;
                }
                content.append(l).append('\n');
            }
            if (!terminated) {
                throw new DockerfileException(at, "unterminated heredoc: no line " + quote(h.name) + " ends the heredoc <<"
                        + (h.chomp ? "-" : "") + h.name + " before the end of the file");
            }
            String body = h.chomp ? LEADING_TABS.matcher(content).replaceAll("") : content.toString();
            heredocs.add(new Heredoc(h.name, body, h.expand, h.chomp));
        }
        return heredocs;
    }

    /** A word that opens a heredoc: {@code [n]<<[-]NAME} where NAME (quotes removed) is one word. */
    private static HeredocHeader heredocHeader(String word) {
        Matcher m = HEREDOC.matcher(word);
        if (!m.matches() || m.group(3).isEmpty()) {
            return null;
        }
        String rest = m.group(3);
        List<String> unquoted = unquotedShellWords(rest);
        if (unquoted == null || unquoted.size() != 1) {
            return null;
        }
        String name = unquoted.getFirst();
        boolean expand = quoteCount(name) == quoteCount(rest);
        return new HeredocHeader(name, expand, m.group(2).equals("-"));
    }

    private static int quoteCount(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\'' || s.charAt(i) == '"') {
                n++;
            }
        }
        return n;
    }

    /** The line split on unquoted whitespace, quotes and backslashes kept (how Docker finds heredoc words). */
    private static List<Word> rawShellWords(String line) {
        List<Word> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int start = 0;
        int quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && isSpace(c)) {
                if (!word.isEmpty()) {
                    words.add(new Word(word.toString(), start));
                    word.setLength(0);
                }
                continue;
            }
            if (word.isEmpty()) {
                start = i;
            }
            word.append(c);
            if (quote == 0) {
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                }
            } else if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            }
        }
        if (quote != 0) {
            return List.of(); // Docker's lexer fails on the line and then finds no heredocs
        }
        if (!word.isEmpty()) {
            words.add(new Word(word.toString(), start));
        }
        return words;
    }

    /** Quote removal on a heredoc delimiter: its words, or null when a quote is unterminated. */
    private static List<String> unquotedShellWords(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0) {
                if (isSpace(c)) {
                    if (!word.isEmpty()) {
                        words.add(word.toString());
                        word.setLength(0);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\') {
                    if (i + 1 < text.length()) {
                        word.append(text.charAt(++i));
                    }
                } else {
                    word.append(c);
                }
            } else if (c == quote) {
                quote = 0;
            } else if (quote == '"' && c == '\\' && i + 1 < text.length()
                    && (text.charAt(i + 1) == '"' || text.charAt(i + 1) == '$' || text.charAt(i + 1) == '\\')) {
                word.append(text.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            return null;
        }
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
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
        return switch (c) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0 -> true;
            default -> c > 0xFF && Character.isSpaceChar(c);
        };
    }

    private static String trimLeft(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
