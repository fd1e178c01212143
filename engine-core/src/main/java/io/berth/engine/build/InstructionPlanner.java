package io.berth.engine.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Location;
import io.berth.text.time.GoDuration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one instruction and the stage's state into a {@link StepPlan}: the words expanded, the
 * history line and the config change as Docker's builder makes them, the layer work described. It
 * runs nothing and changes nothing; what a COPY/ADD or a RUN's bind mount reads from outside the
 * Dockerfile (files to hash) it asks of its {@link SourcePlanning}.
 */
final class InstructionPlanner {

    /** What planning needs from outside the instruction: the files a step reads, hashed for its cache key. */
    interface SourcePlanning {
        /** A COPY or ADD planned: sources resolved and hashed, the copy described. */
        StepPlan planCopy(Instruction instruction, StageState state, String nop);

        /**
         * A RUN's {@code --mount}s resolved; what a bind mount shows is added to {@code sources}.
         *
         * @param step the step number, for the mounts' events
         */
        RunMounts planMounts(List<RunMount> mounts, Location location, int step, Map<String, String> sources);
    }


    private final BuildVariables variables;
    private final String buildNetwork;
    private final ObjectMapper mapper;
    private final SourcePlanning sourcePlanning;

    /**
     * @param buildNetwork the build's {@code --network} (empty: the default), a RUN's own {@code --network} overrides it
     */
    InstructionPlanner(BuildVariables variables, String buildNetwork, ObjectMapper mapper, SourcePlanning sourcePlanning) {
        this.variables = variables;
        this.buildNetwork = buildNetwork;
        this.mapper = mapper;
        this.sourcePlanning = sourcePlanning;
    }

    /**
     * @param cmdSetInStage whether a CMD came earlier in this stage (an ENTRYPOINT then keeps it, else clears it)
     * @param step          the step's number
     */
    StepPlan plan(Instruction instruction, StageState state, boolean cmdSetInStage, int step) {
        String nop = String.join(" ", state.shellOrDefault()) + " #(nop) ";
        return switch (instruction) {
            case Instruction.From ignored -> throw new BuildException("FROM inside a stage");
            case Instruction.Run run -> planRun(run, state, step);
            case Instruction.Cmd cmd -> {
                List<String> words = commandWords(cmd.command(), state);
                yield StepPlan.metadata("CMD " + json(words), nop + " CMD " + goQuoted(words), s -> s.cmd = words);
            }
            case Instruction.Entrypoint entrypoint -> {
                List<String> words = commandWords(entrypoint.command(), state);
                yield StepPlan.metadata("ENTRYPOINT " + json(words), nop + " ENTRYPOINT " + goQuoted(words), s -> {
                    // Docker's builder stores ENTRYPOINT [] as no entrypoint at all (null), not an empty list
                    s.entrypoint = words.isEmpty() ? null : words;
                    if (!cmdSetInStage) {
                        s.cmd = null;
                    }
                });
            }
            // as Docker's builder: the new shell is in place when the step's history line is written
            case Instruction.Shell shell -> StepPlan.metadata("SHELL " + json(shell.shell()),
                    String.join(" ", shell.shell()) + " #(nop)  SHELL [" + String.join(" ", shell.shell()) + "]",
                    s -> s.shell = List.copyOf(shell.shell()));
            case Instruction.Label label -> {
                Map<String, String> pairs = expandPairs(label.pairs(), state, label.location());
                String text = pairsText("LABEL", pairs);
                yield StepPlan.metadata(text, nop + " " + text, s -> s.labels.putAll(pairs));
            }
            case Instruction.Maintainer maintainer -> StepPlan.metadata("MAINTAINER " + maintainer.name(),
                    nop + " MAINTAINER " + maintainer.name(), s -> s.author = maintainer.name());
            case Instruction.Expose expose -> {
                List<String> ports = new ArrayList<>();
                for (String word : expose.ports()) {
                    for (String p : variables.expandWords(word, state, expose.location())) {
                        ports.addAll(exposedPorts(p));
                    }
                }
                yield StepPlan.metadata("EXPOSE " + String.join(" ", ports), nop + " EXPOSE " + String.join(" ", ports),
                        s -> ports.forEach(p -> s.exposedPorts.put(p, true)));
            }
            case Instruction.Env env -> {
                // as Docker: the whole line is expanded with the environment before it
                Map<String, String> pairs = expandPairs(env.pairs(), state, env.location());
                String text = pairsText("ENV", pairs);
                yield StepPlan.metadata(text, nop + " " + text, s -> pairs.forEach(s::setEnv));
            }
            case Instruction.Add add -> sourcePlanning.planCopy(add, state, nop);
            case Instruction.Copy copy -> sourcePlanning.planCopy(copy, state, nop);
            case Instruction.Volume volume -> {
                List<String> paths = new ArrayList<>();
                for (String word : volume.paths()) {
                    String p = variables.expand(word, state, volume.location()).strip();
                    if (p.isEmpty()) {
                        throw new BuildException("VOLUME specified can not be an empty string");
                    }
                    paths.add(p);
                }
                yield StepPlan.metadata("VOLUME " + json(paths), nop + " VOLUME " + json(paths),
                        s -> paths.forEach(p -> s.volumes.put(p, true)));
            }
            case Instruction.User user -> {
                String u = variables.expand(user.user(), state, user.location());
                yield StepPlan.metadata("USER " + u, nop + " USER " + u, s -> s.user = u);
            }
            case Instruction.Workdir workdir -> {
                String dir = variables.expand(workdir.path(), state, workdir.location());
                String resolved = dir.startsWith("/") ? BuildExecution.clean(dir)
                        : BuildExecution.clean((state.workingDir.isEmpty() ? "/" : state.workingDir) + "/" + dir);
                // as Docker's builder: a missing directory is made now, in a layer of its own
                yield new StepPlan("WORKDIR " + resolved, nop + "WORKDIR " + resolved, Map.of(), Map.of(),
                        s -> s.workingDir = resolved, new StepPlan.LayerWork.Workdir(resolved));
            }
            case Instruction.Arg arg -> {
                Map<String, String> values = variables.stageArgValues(arg, state);
                // as written: a --build-arg value is not part of the ARG step (as in Docker's cache); the RUNs that see it carry it
                StringBuilder text = new StringBuilder("ARG");
                arg.args().forEach(d -> text.append(' ').append(d.name()).append(d.defaultValue().map(v -> "=" + v).orElse("")));
                yield StepPlan.metadata(text.toString(), nop + " " + text, s -> s.args.putAll(values));
            }
            case Instruction.Onbuild onbuild -> StepPlan.metadata("ONBUILD " + onbuild.triggerSource(),
                    nop + " ONBUILD " + onbuild.triggerSource(), s -> s.onBuild.add(onbuild.triggerSource()));
            case Instruction.StopSignal stop -> {
                String signal = variables.expand(stop.signal(), state, stop.location());
                if (!signal.matches("(SIG)?[A-Z0-9+\\-]+|[0-9]+")) {
                    throw new BuildException("invalid signal: " + signal);
                }
                yield StepPlan.metadata("STOPSIGNAL " + signal, nop + " STOPSIGNAL " + signal, s -> s.stopSignal = signal);
            }
            case Instruction.Healthcheck healthcheck -> {
                ObjectNode check = healthcheck(healthcheck, state);
                yield StepPlan.metadata("HEALTHCHECK " + check,
                        nop + " HEALTHCHECK " + healthcheck.source().replaceFirst("(?i)^HEALTHCHECK\\s*", ""),
                        s -> s.healthcheck = check);
            }
        };
    }

    private Map<String, String> expandPairs(List<Instruction.KeyValue> keyValues, StageState state, Location location) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (Instruction.KeyValue kv : keyValues) {
            pairs.put(variables.expand(kv.key(), state, location), variables.expand(kv.value(), state, location));
        }
        return pairs;
    }

    private static String pairsText(String keyword, Map<String, String> pairs) {
        StringBuilder text = new StringBuilder(keyword);
        pairs.forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
        return text.toString();
    }

    private StepPlan planRun(Instruction.Run run, StageState state, int step) {
        BuildNetwork network = BuildNetwork.parse(buildNetwork, "--network");
        String networkFlag = "";
        List<RunMount> mounts = new ArrayList<>();
        for (Instruction.Flag flag : run.flags()) {
            switch (flag.name()) {
                case "network" -> {
                    network = BuildNetwork.parse(flag.value(), "RUN --network");
                    networkFlag = "--network=" + network.word() + " ";
                }
                case "mount" -> mounts.add(RunMount.parse(variables.expand(flag.value(), state, run.location()), state.workingDir));
                case "security" -> {
                    if (!variables.expand(flag.value(), state, run.location()).equals("sandbox")) {
                        throw new BuildException("RUN --security=" + flag.value() + " is not supported: berth runs build steps sandboxed only");
                    }
                }
                default -> throw new BuildException("RUN --" + flag.name() + " is not supported by this builder");
            }
        }
        StringBuilder mountFlags = new StringBuilder();
        mounts.forEach(m -> mountFlags.append("--mount=").append(m.describe()).append(' '));
        Map<String, String> mountSources = new TreeMap<>();
        RunMounts runMounts = mounts.isEmpty() ? null : sourcePlanning.planMounts(mounts, run.location(), step, mountSources);
        List<String> argv = runArgv(run, state);
        Map<String, String> args = new TreeMap<>();
        Map<String, String> env = StageState.envMap(state.env);
        for (Map.Entry<String, String> a : state.args.entrySet()) {
            if (a.getValue() != null && !env.containsKey(a.getKey())) {
                args.put(a.getKey(), a.getValue());
            }
        }
        StringBuilder createdBy = new StringBuilder();
        if (!args.isEmpty()) {
            createdBy.append('|').append(args.size());
            args.forEach((k, v) -> createdBy.append(' ').append(k).append('=').append(v));
            createdBy.append(' ');
        }
        String command = run.command().execForm() ? json(argv) : String.join(" ", argv);
        createdBy.append(command);
        // the step's own --network is part of what it is (and of its cache key); the build's is not, as in Docker
        return new StepPlan("RUN " + networkFlag + mountFlags + command, createdBy.toString(), args, mountSources, null,
                new StepPlan.LayerWork.Run(argv, args, variables.undeclaredProxies(state), network, runMounts));
    }

    /** A RUN's command: the exec form as written, the shell form (with its heredocs) in the stage's shell. */
    private static List<String> runArgv(Instruction.Run run, StageState state) {
        if (run.command().execForm()) {
            return run.command().words();
        }
        String text = run.command().words().isEmpty() ? "" : run.command().words().getFirst();
        if (!run.heredocs().isEmpty()) {
            Instruction.Heredoc first = run.heredocs().getFirst();
            if (text.strip().matches("<<-?[\"']?" + Pattern.quote(first.name()) + "[\"']?") && run.heredocs().size() == 1) {
                text = first.content(); // the heredoc is the script
            } else {
                StringBuilder withBodies = new StringBuilder(text);
                for (Instruction.Heredoc h : run.heredocs()) {
                    withBodies.append('\n').append(h.content()).append(h.name());
                }
                text = withBodies.toString();
            }
        }
        List<String> argv = new ArrayList<>(state.shellOrDefault());
        argv.add(text);
        return argv;
    }

    /**
     * A command as Docker's builder writes it in the history ({@code fmt.Sprintf("%q", words)} in Go):
     * {@code ["/bin/sh" "-c" "echo hi"]}, each word quoted with Go's escapes.
     */
    static String goQuoted(List<String> words) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < words.size(); i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append('"');
            words.get(i).codePoints().forEach(c -> {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case 7 -> out.append("\\a");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case 11 -> out.append("\\v");
                    default -> {
                        if (c < 0x20 || c == 0x7f) {
                            out.append(String.format("\\x%02x", c));
                        } else {
                            out.appendCodePoint(c);
                        }
                    }
                }
            });
            out.append('"');
        }
        return out.append(']').toString();
    }

    private static List<String> commandWords(Instruction.CommandLine command, StageState state) {
        if (command.execForm()) {
            return List.copyOf(command.words());
        }
        List<String> words = new ArrayList<>(state.shellOrDefault());
        if (!command.words().isEmpty()) {
            words.add(command.words().getFirst());
        }
        return words;
    }

    private ObjectNode healthcheck(Instruction.Healthcheck h, StageState state) {
        ObjectNode check = mapper.createObjectNode();
        ArrayNode test = check.putArray("Test");
        if (h.command().isEmpty()) {
            test.add("NONE");
            return check;
        }
        Instruction.CommandLine command = h.command().get();
        if (command.execForm()) {
            test.add("CMD");
            command.words().forEach(test::add);
        } else {
            test.add("CMD-SHELL");
            test.add(command.words().isEmpty() ? "" : command.words().getFirst());
        }
        for (Instruction.Flag flag : h.flags()) {
            String value = variables.expand(flag.value(), state, h.location());
            switch (flag.name()) {
                case "interval" -> check.put("Interval", duration(value, flag.name()));
                case "timeout" -> check.put("Timeout", duration(value, flag.name()));
                case "start-period" -> check.put("StartPeriod", duration(value, flag.name()));
                case "start-interval" -> check.put("StartInterval", duration(value, flag.name()));
                case "retries" -> {
                    try {
                        int retries = Integer.parseInt(value);
                        if (retries < 0) {
                            throw new NumberFormatException();
                        }
                        check.put("Retries", retries);
                    } catch (NumberFormatException e) {
                        throw new BuildException("HEALTHCHECK --retries=" + value + ": not a non-negative number");
                    }
                }
                default -> throw new BuildException("HEALTHCHECK: unknown flag --" + flag.name());
            }
        }
        return check;
    }

    /** A HEALTHCHECK flag's duration in nanoseconds, with Docker's checks for a Dockerfile's intervals. */
    static long duration(String text, String flag) {
        try {
            return GoDuration.parseInterval(flag, text, GoDuration.IntervalRule.DOCKERFILE);
        } catch (IllegalArgumentException e) {
            throw new BuildException("HEALTHCHECK --" + flag + "=" + text + ": " + e.getMessage());
        }
    }

    /** {@code 80}, {@code 80/udp}, {@code 8000-8002/tcp}: Docker's {@code port/proto} keys. */
    static List<String> exposedPorts(String spec) {
        String proto = "tcp";
        String ports = spec;
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            proto = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
            ports = spec.substring(0, slash);
        }
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw new BuildException("invalid proto: " + proto);
        }
        int dash = ports.indexOf('-');
        try {
            int first = Integer.parseInt(dash < 0 ? ports : ports.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(ports.substring(dash + 1));
            if (first < 0 || last > 65535 || last < first) {
                throw new NumberFormatException();
            }
            List<String> out = new ArrayList<>();
            for (int p = first; p <= last; p++) {
                out.add(p + "/" + proto);
            }
            return out;
        } catch (NumberFormatException e) {
            throw new BuildException("invalid containerPort: " + spec);
        }
    }

    /** The value of an instruction's {@code --name=value} flag, null when it is absent. */
    static String flag(List<Instruction.Flag> flags, String name) {
        for (Instruction.Flag f : flags) {
            if (f.name().equals(name)) {
                return f.value();
            }
        }
        return null;
    }

    String json(List<String> words) {
        try {
            return mapper.writeValueAsString(words);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
