package io.berth.properties.dockerfile;

import io.berth.engine.dockerfile.Dockerfile;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Instruction.ArgDeclaration;
import io.berth.engine.dockerfile.Instruction.CommandLine;
import io.berth.engine.dockerfile.Instruction.Flag;
import io.berth.engine.dockerfile.Instruction.Heredoc;
import io.berth.engine.dockerfile.Instruction.KeyValue;
import io.berth.engine.dockerfile.Location;
import io.berth.engine.dockerfile.Stage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Generated Dockerfile models: every instruction, both forms, flags, heredocs, quoted and escaped
 * words, variables, both escape characters. Only models a Dockerfile can express are generated (no
 * line breaks in a line's words, balanced quotes, no word ending in the escape character), with
 * {@link #NOWHERE} locations and empty sources, which {@link #normalized} also gives a parsed model.
 */
final class DockerfileModels {
    static final Location NOWHERE = new Location("Dockerfile", 1, 1);

    private DockerfileModels() {
    }

    static Arbitrary<Dockerfile> dockerfiles() {
        return Arbitraries.randomValue(random -> new Generator(random).dockerfile());
    }

    /** The model with every location {@link #NOWHERE} and every source (and ONBUILD trigger source) empty. */
    static Dockerfile normalized(Dockerfile d) {
        return normalized(d, false);
    }

    /** The model with every location {@link #NOWHERE}; the sources too when {@code keepSources} is false. */
    static Dockerfile normalized(Dockerfile d, boolean keepSources) {
        List<Stage> stages = new ArrayList<>();
        for (Stage s : d.stages()) {
            stages.add(new Stage(s.index(), (Instruction.From) normalized(s.from(), keepSources),
                    s.body().stream().map(i -> normalized(i, keepSources)).toList()));
        }
        return new Dockerfile(d.fileName(), d.directives(), d.escape(),
                d.globalArgs().stream().map(a -> (Instruction.Arg) normalized(a, keepSources)).toList(), stages);
    }

    static Instruction normalized(Instruction i) {
        return normalized(i, false);
    }

    static Instruction normalized(Instruction i, boolean keepSources) {
        Instruction n = withoutSource(i);
        if (!keepSources) {
            return n;
        }
        return switch (n) {
            case Instruction.From f -> new Instruction.From(NOWHERE, i.source(), f.image(), f.alias(), f.platform());
            case Instruction.Run r -> new Instruction.Run(NOWHERE, i.source(), r.command(), r.flags(), r.heredocs());
            case Instruction.Cmd c -> new Instruction.Cmd(NOWHERE, i.source(), c.command());
            case Instruction.Entrypoint e -> new Instruction.Entrypoint(NOWHERE, i.source(), e.command());
            case Instruction.Shell s -> new Instruction.Shell(NOWHERE, i.source(), s.shell());
            case Instruction.Label x -> new Instruction.Label(NOWHERE, i.source(), x.pairs());
            case Instruction.Maintainer m -> new Instruction.Maintainer(NOWHERE, i.source(), m.name());
            case Instruction.Expose e -> new Instruction.Expose(NOWHERE, i.source(), e.ports());
            case Instruction.Env e -> new Instruction.Env(NOWHERE, i.source(), e.pairs());
            case Instruction.Add a -> new Instruction.Add(NOWHERE, i.source(), a.sources(), a.destination(), a.flags(), a.heredocs());
            case Instruction.Copy c -> new Instruction.Copy(NOWHERE, i.source(), c.sources(), c.destination(), c.flags(), c.heredocs());
            case Instruction.Volume v -> new Instruction.Volume(NOWHERE, i.source(), v.paths());
            case Instruction.User u -> new Instruction.User(NOWHERE, i.source(), u.user());
            case Instruction.Workdir w -> new Instruction.Workdir(NOWHERE, i.source(), w.path());
            case Instruction.Arg a -> new Instruction.Arg(NOWHERE, i.source(), a.args());
            case Instruction.Onbuild o -> new Instruction.Onbuild(NOWHERE, i.source(),
                    normalized(((Instruction.Onbuild) i).trigger(), true), ((Instruction.Onbuild) i).triggerSource());
            case Instruction.StopSignal s -> new Instruction.StopSignal(NOWHERE, i.source(), s.signal());
            case Instruction.Healthcheck h -> new Instruction.Healthcheck(NOWHERE, i.source(), h.command(), h.flags());
        };
    }

    private static Instruction withoutSource(Instruction i) {
        Location l = NOWHERE;
        return switch (i) {
            case Instruction.From f -> new Instruction.From(l, "", f.image(), f.alias(), f.platform());
            case Instruction.Run r -> new Instruction.Run(l, "", r.command(), r.flags(), r.heredocs());
            case Instruction.Cmd c -> new Instruction.Cmd(l, "", c.command());
            case Instruction.Entrypoint e -> new Instruction.Entrypoint(l, "", e.command());
            case Instruction.Shell s -> new Instruction.Shell(l, "", s.shell());
            case Instruction.Label x -> new Instruction.Label(l, "", x.pairs());
            case Instruction.Maintainer m -> new Instruction.Maintainer(l, "", m.name());
            case Instruction.Expose e -> new Instruction.Expose(l, "", e.ports());
            case Instruction.Env e -> new Instruction.Env(l, "", e.pairs());
            case Instruction.Add a -> new Instruction.Add(l, "", a.sources(), a.destination(), a.flags(), a.heredocs());
            case Instruction.Copy c -> new Instruction.Copy(l, "", c.sources(), c.destination(), c.flags(), c.heredocs());
            case Instruction.Volume v -> new Instruction.Volume(l, "", v.paths());
            case Instruction.User u -> new Instruction.User(l, "", u.user());
            case Instruction.Workdir w -> new Instruction.Workdir(l, "", w.path());
            case Instruction.Arg a -> new Instruction.Arg(l, "", a.args());
            case Instruction.Onbuild o -> new Instruction.Onbuild(l, "", normalized(o.trigger()), "");
            case Instruction.StopSignal s -> new Instruction.StopSignal(l, "", s.signal());
            case Instruction.Healthcheck h -> new Instruction.Healthcheck(l, "", h.command(), h.flags());
        };
    }

    private static final class Generator {
        private static final String PLAIN = "abcxyzABC0129_./:-@+,%";
        private static final String ANY = "ab Z9 \t\"'\\$`{}[]=#<>é€😀\n\u0001";
        private static final String FLAG_VALUE = "ab Z9=,:/\"'\\$`{}#é";
        private final Random r;
        private char escape = '\\';

        Generator(Random r) {
            this.r = r;
        }

        private boolean chance(int percent) {
            return r.nextInt(100) < percent;
        }

        private <T> T pick(List<T> options) {
            return options.get(r.nextInt(options.size()));
        }

        Dockerfile dockerfile() {
            escape = chance(25) ? '`' : '\\';
            Map<String, String> directives = new HashMap<>();
            if (escape == '`' || chance(10)) {
                directives.put("escape", String.valueOf(escape));
            }
            if (chance(30)) {
                directives.put("syntax", "docker/dockerfile:1");
            }
            if (chance(10)) {
                directives.put("check", "skip=all");
            }
            List<Instruction.Arg> globals = new ArrayList<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                globals.add(arg());
            }
            List<Stage> stages = new ArrayList<>();
            int count = 1 + r.nextInt(3);
            for (int s = 0; s < count; s++) {
                Optional<String> alias = chance(60) ? Optional.of("stage-" + s + (chance(50) ? ".x_" + r.nextInt(9) : "")) : Optional.empty();
                String image = chance(50) ? plain() : chance(50) ? "${BASE:-busybox}:" + plain() : "scratch";
                Optional<String> platform = chance(20) ? Optional.of(pick(List.of("linux/amd64", "$BUILDPLATFORM", "${TARGETPLATFORM}"))) : Optional.empty();
                List<Instruction> body = new ArrayList<>();
                for (int i = r.nextInt(9); i > 0; i--) {
                    body.add(instruction(true));
                }
                stages.add(new Stage(s, new Instruction.From(NOWHERE, "", image, alias, platform), body));
            }
            return new Dockerfile("Dockerfile", directives, escape, globals, stages);
        }

        private Instruction instruction(boolean onbuildAllowed) {
            Location l = NOWHERE;
            int kind = r.nextInt(onbuildAllowed ? 18 : 16);
            return switch (kind) {
                case 0 -> run();
                case 1 -> new Instruction.Cmd(l, "", command(true));
                case 2 -> new Instruction.Entrypoint(l, "", command(true));
                case 3 -> new Instruction.Shell(l, "", anyStrings(1, 3));
                case 4 -> new Instruction.Label(l, "", pairs(true));
                case 5 -> new Instruction.Env(l, "", pairs(false));
                case 6 -> new Instruction.Expose(l, "", list(1, 3, this::compactWord));
                case 7 -> new Instruction.Volume(l, "", list(1, 3, () -> chance(70) ? plain() : plain() + " " + plain()));
                case 8 -> copyOrAdd(true);
                case 9 -> copyOrAdd(false);
                case 10 -> new Instruction.User(l, "", text());
                case 11 -> new Instruction.Workdir(l, "", text());
                case 12 -> arg();
                case 13 -> new Instruction.StopSignal(l, "", word());
                case 14 -> healthcheck();
                case 15 -> new Instruction.Label(l, "", pairs(true));
                case 16 -> new Instruction.Maintainer(l, "", text());
                default -> new Instruction.Onbuild(l, "", instruction(false), "");
            };
        }

        private Instruction.Run run() {
            List<Flag> flags = new ArrayList<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                flags.add(new Flag("mount", flagValue()));
            }
            if (chance(20)) {
                flags.add(new Flag("network", pick(List.of("none", "host", "default"))));
            }
            if (chance(10)) {
                flags.add(new Flag("security", flagValue()));
            }
            if (chance(30)) {
                List<Heredoc> heredocs = new ArrayList<>();
                String text = heredocWords(heredocs, 1 + r.nextInt(2));
                text = chance(50) ? text : "cat " + text + " > /out";
                return new Instruction.Run(NOWHERE, "", new CommandLine(false, List.of(text)), flags, heredocs);
            }
            return new Instruction.Run(NOWHERE, "", command(false), flags, List.of());
        }

        /** Heredoc words, joined by spaces, and their bodies added to {@code heredocs}. */
        private String heredocWords(List<Heredoc> heredocs, int count) {
            List<String> names = new ArrayList<>(List.of("EOF", "END", "DATA", "X1"));
            List<String> words = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = names.remove(r.nextInt(names.size()));
                boolean strip = chance(30);
                int quoting = r.nextInt(3);
                String delimiter = switch (quoting) {
                    case 0 -> name;
                    case 1 -> "\"" + name + "\"";
                    default -> "'" + name + "'";
                };
                words.add("<<" + (strip ? "-" : "") + delimiter);
                StringBuilder content = new StringBuilder();
                for (int n = r.nextInt(4); n > 0; n--) {
                    content.append(pick(List.of("echo hello", "set -e", "  indented $HOME", "a \"quoted\" 'x' line", "", "ünï \\ `x`"))).append('\n');
                }
                heredocs.add(new Heredoc(name, content.toString(), quoting == 0, strip));
            }
            return String.join(" ", words);
        }

        private CommandLine command(boolean mayBeEmpty) {
            int form = r.nextInt(10);
            if (form < 4) {
                return new CommandLine(true, anyStrings(0, 3));
            }
            if (form == 4 && mayBeEmpty) {
                return new CommandLine(false, List.of());
            }
            return new CommandLine(false, List.of(text()));
        }

        private Instruction copyOrAdd(boolean copy) {
            List<Flag> flags = new ArrayList<>();
            List<String> names = copy ? List.of("from", "chown", "chmod", "link", "parents", "exclude")
                    : List.of("chown", "chmod", "checksum", "keep-git-dir", "link", "exclude");
            Set<String> chosen = new LinkedHashSet<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                chosen.add(pick(names));
            }
            for (String n : chosen) {
                boolean bool = n.equals("link") || n.equals("parents") || n.equals("keep-git-dir");
                flags.add(new Flag(n, bool ? pick(List.of("true", "false")) : flagValue()));
            }
            if (chosen.contains("exclude") && chance(50)) {
                flags.add(new Flag("exclude", flagValue()));
            }
            List<String> sources = new ArrayList<>();
            List<Heredoc> heredocs = new ArrayList<>();
            if (chance(25)) {
                sources.addAll(List.of(heredocWords(heredocs, 1 + r.nextInt(2)).split(" ")));
                if (chance(50)) {
                    sources.add(compactWord());
                }
            } else {
                sources.addAll(list(1, 3, () -> chance(75) ? compactWord() : plain() + " " + plain()));
            }
            String destination = chance(80) ? "/" + plain() : "dir with space/";
            if (!heredocs.isEmpty()) {
                destination = "/" + plain();
            }
            return copy ? new Instruction.Copy(NOWHERE, "", sources, destination, flags, heredocs)
                    : new Instruction.Add(NOWHERE, "", sources, destination, flags, heredocs);
        }

        private Instruction.Healthcheck healthcheck() {
            if (chance(25)) {
                return new Instruction.Healthcheck(NOWHERE, "", Optional.empty(), List.of());
            }
            List<Flag> flags = new ArrayList<>();
            for (String n : List.of("interval", "timeout", "start-period", "start-interval")) {
                if (chance(30)) {
                    flags.add(new Flag(n, pick(List.of("30s", "1m30s", "0", "5ms", "1.5h"))));
                }
            }
            if (chance(30)) {
                flags.add(new Flag("retries", String.valueOf(1 + r.nextInt(5))));
            }
            CommandLine cmd = chance(50) ? new CommandLine(true, anyStrings(1, 3)) : new CommandLine(false, List.of(text()));
            return new Instruction.Healthcheck(NOWHERE, "", Optional.of(cmd), flags);
        }

        private Instruction.Arg arg() {
            return new Instruction.Arg(NOWHERE, "", list(1, 3, () -> new ArgDeclaration(name(),
                    chance(60) ? Optional.of(chance(20) ? "" : word()) : Optional.empty())));
        }

        private List<KeyValue> pairs(boolean label) {
            if (chance(25)) {
                // the legacy form: one pair whose value is the rest of the line
                return List.of(new KeyValue(name(), word() + " " + text()));
            }
            return list(1, 3, () -> new KeyValue(label && chance(30) ? "\"" + plain() + " " + plain() + "\"" : name(),
                    chance(15) ? "" : word()));
        }

        private <T> List<T> list(int min, int max, java.util.function.Supplier<T> element) {
            List<T> out = new ArrayList<>();
            for (int n = min + r.nextInt(max - min + 1); n > 0; n--) {
                out.add(element.get());
            }
            return out;
        }

        private String name() {
            return pick(List.of("A", "B_1", "path", "HOME", "x", "Very_Long_Name9"));
        }

        private String plain() {
            StringBuilder sb = new StringBuilder();
            for (int n = 1 + r.nextInt(8); n > 0; n--) {
                sb.append(PLAIN.charAt(r.nextInt(PLAIN.length())));
            }
            return sb.toString();
        }

        private String variable() {
            String n = name();
            return switch (r.nextInt(5)) {
                case 0 -> "$" + n;
                case 1 -> "${" + n + "}";
                case 2 -> "${" + n + ":-" + plain() + "}";
                case 3 -> "${" + n + "+" + plain() + "}";
                default -> "${" + n + "-$" + name() + "}";
            };
        }

        /** A word without whitespace: literals and variables. */
        private String compactWord() {
            StringBuilder sb = new StringBuilder();
            for (int n = 1 + r.nextInt(3); n > 0; n--) {
                sb.append(chance(70) ? plain() : variable());
            }
            return sb.toString();
        }

        /** One word as the ENV/ARG/LABEL splitter sees it: literals, variables, quoted text with blanks, escaped blanks. */
        private String word() {
            StringBuilder sb = new StringBuilder();
            int pieces = 1 + r.nextInt(3);
            for (int n = 0; n < pieces; n++) {
                switch (r.nextInt(5)) {
                    case 0, 1 -> sb.append(plain());
                    case 2 -> sb.append(variable());
                    case 3 -> sb.append(chance(50) ? "\"" + plain() + " $" + name() + " " + plain() + "\"" : "'" + plain() + " " + plain() + "'");
                    default -> sb.append(escape).append(' ').append(plain()); // never last: a line cannot end in the escape character
                }
            }
            return sb.toString();
        }

        /** Text as the rest of a line: words separated by single spaces. */
        private String text() {
            return String.join(" ", list(1, 4, this::word));
        }

        private List<String> anyStrings(int min, int max) {
            return list(min, max, () -> {
                StringBuilder sb = new StringBuilder();
                for (int n = r.nextInt(6); n > 0; n--) {
                    sb.appendCodePoint(ANY.codePoints().toArray()[r.nextInt((int) ANY.codePoints().count())]);
                }
                return sb.toString();
            });
        }

        private String flagValue() {
            StringBuilder sb = new StringBuilder();
            for (int n = r.nextInt(8); n > 0; n--) {
                sb.append(FLAG_VALUE.charAt(r.nextInt(FLAG_VALUE.length())));
            }
            return sb.toString();
        }
    }
}
