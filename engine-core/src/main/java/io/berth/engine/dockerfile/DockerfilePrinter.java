package io.berth.engine.dockerfile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.berth.engine.dockerfile.Instruction.ArgDeclaration;
import io.berth.engine.dockerfile.Instruction.CommandLine;
import io.berth.engine.dockerfile.Instruction.Flag;
import io.berth.engine.dockerfile.Instruction.Heredoc;
import io.berth.engine.dockerfile.Instruction.KeyValue;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Dockerfile} model back as Dockerfile text that {@link DockerfileParser} reads back
 * to the same model, locations aside: one line per instruction, heredoc bodies after it. An
 * instruction is written as its {@link Instruction#source() source} when that reads back as the same
 * instruction (a parsed Dockerfile prints as written, with continuation lines joined and comments
 * gone); otherwise (a model built in code, or edited) it is rendered from its typed fields, and its
 * source after parsing is that rendering.
 *
 * <p>Shell-form text and unexpanded words are written as they are; a word the shell form cannot
 * carry (whitespace in a {@code COPY} source, say) switches that instruction to the JSON form.
 */
public final class DockerfilePrinter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final List<String> DIRECTIVE_ORDER = List.of("syntax", "escape", "check");

    private DockerfilePrinter() {
    }

    /** @return the Dockerfile's text, directives first, then the global {@code ARG}s, then each stage */
    public static String print(Dockerfile dockerfile) {
        StringBuilder out = new StringBuilder();
        Map<String, String> directives = dockerfile.directives();
        for (String key : DIRECTIVE_ORDER) {
            String value = directives.get(key);
            if (value == null && key.equals("escape") && dockerfile.escape() != '\\') {
                value = String.valueOf(dockerfile.escape());
            }
            if (value != null) {
                out.append("# ").append(key).append('=').append(value).append('\n');
            }
        }
        directives.keySet().stream().filter(k -> !DIRECTIVE_ORDER.contains(k)).sorted()
                .forEach(k -> out.append("# ").append(k).append('=').append(directives.get(k)).append('\n'));
        char escape = dockerfile.escape();
        for (Instruction.Arg arg : dockerfile.globalArgs()) {
            print(arg, escape, out);
        }
        for (Stage stage : dockerfile.stages()) {
            print(stage.from(), escape, out);
            for (Instruction i : stage.body()) {
                print(i, escape, out);
            }
        }
        return out.toString();
    }

    /** @return one instruction's text with the default escape character (see {@link #print(Instruction, char)}) */
    public static String print(Instruction instruction) {
        return print(instruction, '\\');
    }

    /**
     * @param escape the escape character of the Dockerfile the text is for
     * @return one instruction's text: its line, then its heredoc bodies, each line ending in a newline
     */
    public static String print(Instruction instruction, char escape) {
        StringBuilder out = new StringBuilder();
        print(instruction, escape, out);
        return out.toString();
    }

    private static void print(Instruction instruction, char escape, StringBuilder out) {
        out.append(line(instruction, escape)).append('\n');
        for (Heredoc h : DockerfileParser.heredocsOf(instruction)) {
            out.append(h.content()).append(h.name()).append('\n');
        }
    }

    /**
     * The instruction's line, without heredoc bodies: its {@link Instruction#source() source} when that
     * reads back as the same instruction (so a parsed Dockerfile prints as written, continuations
     * joined), else rendered from its fields.
     */
    static String line(Instruction instruction, char escape) {
        return readsBackAsItself(instruction, escape) ? instruction.source() : rendered(instruction, escape);
    }

    private static boolean readsBackAsItself(Instruction instruction, char escape) {
        String source = instruction.source();
        if (source.isEmpty() || source.indexOf('\n') >= 0 || source.indexOf('\r') >= 0) {
            return false;
        }
        StringBuilder text = new StringBuilder(source).append('\n');
        for (Heredoc h : DockerfileParser.heredocsOf(instruction)) {
            text.append(h.content()).append(h.name()).append('\n');
        }
        try {
            Instruction back = DockerfileParser.parseInstruction(text.toString(), instruction.location(), escape);
            return withoutLocation(back).equals(withoutLocation(instruction));
        } catch (DockerfileException e) {
            return false;
        }
    }

    /** The same instruction at a fixed location, to compare instructions by content. */
    static Instruction withoutLocation(Instruction i) {
        Location l = new Location("", 0, 0);
        return switch (i) {
            case Instruction.From f -> new Instruction.From(l, f.source(), f.image(), f.alias(), f.platform());
            case Instruction.Run r -> new Instruction.Run(l, r.source(), r.command(), r.flags(), r.heredocs());
            case Instruction.Cmd c -> new Instruction.Cmd(l, c.source(), c.command());
            case Instruction.Entrypoint e -> new Instruction.Entrypoint(l, e.source(), e.command());
            case Instruction.Shell s -> new Instruction.Shell(l, s.source(), s.shell());
            case Instruction.Label x -> new Instruction.Label(l, x.source(), x.pairs());
            case Instruction.Maintainer m -> new Instruction.Maintainer(l, m.source(), m.name());
            case Instruction.Expose e -> new Instruction.Expose(l, e.source(), e.ports());
            case Instruction.Env e -> new Instruction.Env(l, e.source(), e.pairs());
            case Instruction.Add a -> new Instruction.Add(l, a.source(), a.sources(), a.destination(), a.flags(), a.heredocs());
            case Instruction.Copy c -> new Instruction.Copy(l, c.source(), c.sources(), c.destination(), c.flags(), c.heredocs());
            case Instruction.Volume v -> new Instruction.Volume(l, v.source(), v.paths());
            case Instruction.User u -> new Instruction.User(l, u.source(), u.user());
            case Instruction.Workdir w -> new Instruction.Workdir(l, w.source(), w.path());
            case Instruction.Arg a -> new Instruction.Arg(l, a.source(), a.args());
            case Instruction.Onbuild o -> new Instruction.Onbuild(l, o.source(), withoutLocation(o.trigger()), o.triggerSource());
            case Instruction.StopSignal s -> new Instruction.StopSignal(l, s.source(), s.signal());
            case Instruction.Healthcheck h -> new Instruction.Healthcheck(l, h.source(), h.command(), h.flags());
        };
    }

    /** The instruction's line rendered from its fields. */
    static String rendered(Instruction instruction, char escape) {
        String keyword = instruction.keyword();
        return switch (instruction) {
            case Instruction.From f -> keyword + flags(f.platform().map(p -> List.of(new Flag("platform", p))).orElse(List.of()))
                    + rest(f.image() + f.alias().map(a -> " AS " + a).orElse(""));
            case Instruction.Run r -> keyword + flags(r.flags()) + rest(command(r.command()));
            case Instruction.Cmd c -> keyword + rest(command(c.command()));
            case Instruction.Entrypoint e -> keyword + rest(command(e.command()));
            case Instruction.Shell s -> keyword + rest(json(s.shell()));
            case Instruction.Label l -> keyword + rest(pairs(l.pairs(), escape));
            case Instruction.Env e -> keyword + rest(pairs(e.pairs(), escape));
            case Instruction.Maintainer m -> keyword + rest(m.name());
            case Instruction.Expose e -> keyword + rest(String.join(" ", e.ports()));
            case Instruction.Volume v -> keyword + rest(pathList(v.paths(), false));
            case Instruction.Add a -> keyword + flags(a.flags()) + rest(pathList(concat(a.sources(), a.destination()), !a.heredocs().isEmpty()));
            case Instruction.Copy c -> keyword + flags(c.flags()) + rest(pathList(concat(c.sources(), c.destination()), !c.heredocs().isEmpty()));
            case Instruction.User u -> keyword + rest(u.user());
            case Instruction.Workdir w -> keyword + rest(w.path());
            case Instruction.Arg a -> keyword + rest(String.join(" ", a.args().stream().map(DockerfilePrinter::arg).toList()));
            case Instruction.Onbuild o -> keyword + " " + rendered(o.trigger(), escape);
            case Instruction.StopSignal s -> keyword + rest(s.signal());
            case Instruction.Healthcheck h -> keyword + flags(h.flags()) + h.command().map(c -> " CMD" + (c.words().isEmpty() && !c.execForm() ? "" : " " + command(c))).orElse(" NONE");
        };
    }

    /** The arguments after the keyword and flags; text that starts like a flag is put after {@code --}, which ends the flags. */
    private static String rest(String text) {
        if (text.isEmpty()) {
            return "";
        }
        return text.startsWith("--") ? " -- " + text : " " + text;
    }

    private static String command(CommandLine command) {
        return command.execForm() ? json(command.words()) : String.join(" ", command.words());
    }

    private static String flags(List<Flag> flags) {
        StringBuilder sb = new StringBuilder();
        for (Flag f : flags) {
            sb.append(" --").append(f.name()).append('=');
            if (f.value().chars().noneMatch(c -> DockerfileParser.isSpace(c) || c == '"' || c == '\'' || c == '\\')) {
                sb.append(f.value());
            } else {
                sb.append('"').append(f.value().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.toString();
    }

    /** ENV/LABEL pairs as {@code k=v} words; a single pair whose value is not one word in the legacy {@code k v} form. */
    private static String pairs(List<KeyValue> pairs, char escape) {
        if (pairs.size() == 1) {
            KeyValue kv = pairs.getFirst();
            String word = kv.key() + "=" + kv.value();
            if (!isOneWord(word, escape)) {
                return kv.key() + " " + kv.value();
            }
        }
        return String.join(" ", pairs.stream().map(kv -> kv.key() + "=" + kv.value()).toList());
    }

    private static String arg(ArgDeclaration a) {
        return a.name() + a.defaultValue().map(d -> "=" + d).orElse("");
    }

    /** Whether the parser's word splitting reads {@code word} back as exactly itself. */
    private static boolean isOneWord(String word, char escape) {
        try {
            List<String> words = DockerfileParser.quotedWords(word, escape, "ENV", new Location("", 1, 1));
            return words.size() == 1 && words.getFirst().equals(word);
        } catch (DockerfileException e) {
            return false;
        }
    }

    /** Paths in the shell form when they survive whitespace splitting, else as a JSON array (never for heredocs). */
    private static String pathList(List<String> paths, boolean heredocs) {
        boolean plain = heredocs;
        if (!plain) {
            plain = !paths.isEmpty() && !paths.getFirst().startsWith("[") && !paths.getFirst().startsWith("--");
            for (String p : paths) {
                if (p.isEmpty() || !p.equals(p.strip()) || p.chars().anyMatch(c -> DockerfileParser.isSpace(c) || c == 0x0B)) {
                    plain = false;
                }
            }
        }
        return plain ? String.join(" ", paths) : json(paths);
    }

    private static List<String> concat(List<String> sources, String destination) {
        List<String> all = new ArrayList<>(sources);
        all.add(destination);
        return all;
    }

    /** A JSON array of strings, Docker's way: {@code ["a", "b"]}. */
    private static String json(List<String> words) {
        StringBuilder sb = new StringBuilder("[");
        for (String word : words) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            StringWriter w = new StringWriter();
            try (JsonGenerator g = JSON.createGenerator(w)) {
                g.writeString(word);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sb.append(w);
        }
        return sb.append(']').toString();
    }
}
