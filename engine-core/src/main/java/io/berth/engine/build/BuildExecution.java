package io.berth.engine.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.build.dockerfile.Dockerfile;
import io.berth.engine.build.dockerfile.DockerfileException;
import io.berth.engine.build.dockerfile.DockerfileParser;
import io.berth.engine.build.dockerfile.Instruction;
import io.berth.engine.build.dockerfile.Location;
import io.berth.engine.build.dockerfile.Stage;
import io.berth.engine.build.dockerfile.WordExpander;
import io.berth.engine.container.LaunchEnvironment;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.Digests;
import io.berth.spi.storage.ChainIds;
import io.berth.text.time.GoDuration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One build, instruction by instruction: resolves the stages the target needs, runs each step
 * (from the cache when its key is known), and keeps the image state of every stage. Each step is
 * planned first (its instruction expanded, its sources hashed) so the cache key is known before
 * anything runs; a layer step then runs in a snapshot ({@link StepRunner}).
 */
final class BuildExecution {
    /** Docker's predefined proxy ARGs: usable without an ARG line, kept out of history and cache keys. */
    static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
            "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    /** The {@code from=} of a {@code RUN --mount}: a stage it needs built first. */
    private static final java.util.regex.Pattern MOUNT_FROM = java.util.regex.Pattern.compile("(?:^|,)\\s*from=\"?([^,\"]+)");

    private final BuildService service;
    private final BuildRequest request;
    private final String buildId;
    private final RequestContext context;
    private final BuildOutput out;
    private final StepRunner runner;
    private final WordExpander expander;
    private final ObjectMapper mapper;
    private final Instant epoch;
    private final Map<Integer, StageState> finished = new HashMap<>();
    private final Map<String, String> globalArgs = new LinkedHashMap<>();
    private final Set<String> usedBuildArgs = new HashSet<>();
    private Dockerfile dockerfile;
    private CacheFromImages cacheFrom;
    private int stepNumber;
    private int displayNumber;
    private int displayTotal;
    /** The first step of the current stage whose cache key no earlier build had: every later step has a new parent. */
    private int changedStep;
    private boolean cmdSetInStage;
    private boolean failureRecorded;
    private int currentStage;

    private final Path contextRoot;
    private final Map<String, String> contextDigests;
    private final Path scratch;

    /**
     * @param contextDigests digests of the context's files already computed (by path and mode rule),
     *                       shared with later builds of the same unpacked context; filled as files are hashed
     */
    BuildExecution(BuildService service, BuildRequest request, String buildId, RequestContext context, BuildOutput out,
                   StepRunner runner, Instant epoch, Path contextRoot, Map<String, String> contextDigests, Path scratch) {
        this.contextRoot = contextRoot;
        this.contextDigests = contextDigests;
        this.scratch = scratch;
        this.service = service;
        this.request = request;
        this.buildId = buildId;
        this.context = context;
        this.out = out;
        this.runner = runner;
        this.expander = new io.berth.engine.build.dockerfile.DockerWordExpander();
        this.mapper = service.mapper();
        this.epoch = epoch;
    }

    /** The result: the final stage's state and the number of steps that ran. */
    record Result(StageState image, int steps) {}

    Result run(String dockerfileText) {
        try {
            dockerfile = DockerfileParser.parse(request.dockerfile(), dockerfileText);
        } catch (DockerfileException e) {
            throw new BuildException(e.getMessage());
        }
        for (Instruction.Arg arg : dockerfile.globalArgs()) {
            for (Instruction.ArgDeclaration d : arg.args()) {
                String value = request.buildArgs().get(d.name());
                if (request.buildArgs().containsKey(d.name()) && value != null) {
                    usedBuildArgs.add(d.name());
                } else if (d.defaultValue().isPresent()) {
                    value = expand(d.defaultValue().get(), globalArgs::get, arg.location());
                } else {
                    value = null;
                }
                globalArgs.put(d.name(), value);
            }
        }
        cacheFrom = CacheFromImages.load(service, request.cacheFrom(), out);
        int target = dockerfile.stages().size() - 1;
        if (!request.target().isEmpty()) {
            target = dockerfile.stages().stream().filter(s -> s.name().map(n -> n.equalsIgnoreCase(request.target())).orElse(false))
                    .map(Stage::index).findFirst()
                    .orElseThrow(() -> new BuildException("failed to reach build target " + request.target() + " in Dockerfile"));
        }
        TreeSet<Integer> needed = new TreeSet<>();
        collectNeeded(target, needed, new ArrayList<>());
        for (int index : needed) {
            displayTotal += 1 + dockerfile.stages().get(index).body().size();
        }
        StageState last = null;
        try {
            for (int index : needed) {
                last = runStage(dockerfile.stages().get(index));
                finished.put(index, last);
            }
        } finally {
            flushPending(); // the steps' events precede the build's outcome, whatever it is
        }
        List<String> unused = new ArrayList<>();
        for (String name : request.buildArgs().keySet()) {
            if (!usedBuildArgs.contains(name) && !PROXY_ARGS.contains(name) && !name.equals("SOURCE_DATE_EPOCH")) {
                unused.add(name);
            }
        }
        if (!unused.isEmpty()) {
            out.stream("[Warning] One or more build-args " + unused + " were not consumed\n");
        }
        return new Result(last, stepNumber);
    }

    // ---- stages

    /** Adds {@code index} and every stage it uses (FROM another stage, COPY --from) to {@code needed}. */
    private void collectNeeded(int index, Set<Integer> needed, List<Integer> path) {
        if (path.contains(index)) {
            throw new BuildException("circular dependency between stages: " + path + " -> " + index);
        }
        if (!needed.add(index)) {
            return;
        }
        path.add(index);
        Stage stage = dockerfile.stages().get(index);
        String base = expandGlobal(stage.from().image(), stage.from().location());
        Integer baseStage = stageIndex(base, index, stage.from().location(), false);
        if (baseStage != null) {
            collectNeeded(baseStage, needed, path);
        }
        for (Instruction instruction : stage.body()) {
            if (instruction instanceof Instruction.Run run) {
                for (Instruction.Flag flag : run.flags()) {
                    java.util.regex.Matcher m = MOUNT_FROM.matcher(flag.name().equals("mount") ? flag.value() : "");
                    if (m.find()) {
                        Integer other = stageIndex(expandGlobal(m.group(1), run.location()), index, run.location(), true);
                        if (other != null) {
                            collectNeeded(other, needed, path);
                        }
                    }
                }
            }
            if (instruction instanceof Instruction.Copy copy) {
                String from = flag(copy.flags(), "from");
                if (from != null) {
                    Integer other = stageIndex(expandGlobal(from, copy.location()), index, copy.location(), true);
                    if (other != null) {
                        collectNeeded(other, needed, path);
                    }
                }
            }
        }
        path.removeLast();
    }

    /** The earlier stage a name or index refers to, or null when it names an image. */
    private Integer stageIndex(String nameOrIndex, int current, Location location, boolean copyFrom) {
        for (Stage s : dockerfile.stages()) {
            if (s.name().map(n -> n.equalsIgnoreCase(nameOrIndex)).orElse(false)) {
                if (s.index() >= current) {
                    throw new BuildException(where(location) + ": " + (copyFrom ? "COPY --from=" : "FROM ") + nameOrIndex
                            + ": stage " + nameOrIndex + " is not defined before this stage");
                }
                return s.index();
            }
        }
        if (copyFrom && nameOrIndex.matches("[0-9]+")) {
            int i = Integer.parseInt(nameOrIndex);
            if (i >= current) {
                throw new BuildException(where(location) + ": COPY --from=" + nameOrIndex + ": invalid stage index, only stages 0 to "
                        + (current - 1) + " come before this one");
            }
            return i;
        }
        return null;
    }

    private StageState runStage(Stage stage) {
        cmdSetInStage = false;
        changedStep = 0;
        currentStage = stage.index();
        Instruction.From from = stage.from();
        String stageName = stage.name().orElse(Integer.toString(stage.index()));
        int step = startStep(from, stageName, from.source());
        try {
            return runStage(stage, from, stageName, step);
        } catch (BuildException e) {
            throw failed(step, e, from);
        }
    }

    private BuildException failed(int step, BuildException e, Instruction instruction) {
        BuildException located = located(instruction, e);
        if (!failureRecorded) {
            failureRecorded = true;
            BuildSecrets secrets = request.secrets();
            located = new BuildException(secrets.redact(located.getMessage()), located.exitCode(),
                    located.lastOutput().stream().map(secrets::redact).toList());
            record(new BuildEvent.BuildStepFailed(buildId, step, e.exitCode(), located.getMessage(), located.lastOutput()));
        }
        return located;
    }

    private StageState runStage(Stage stage, Instruction.From from, String stageName, int step) {
        long t0 = System.nanoTime();
        String image = expandGlobal(from.image(), from.location());
        if (from.platform().isPresent()) {
            String platform = expandGlobal(from.platform().get(), from.location());
            if (!platform.isEmpty() && !platform.equals("linux/amd64") && !platform.equals("linux/x86_64")) {
                throw new BuildException(where(from.location()) + ": FROM --platform=" + platform + ": only linux/amd64 is supported");
            }
        }
        StageState state;
        String described;
        if (image.equalsIgnoreCase("scratch")) {
            state = new StageState();
            state.cacheKey = Digests.sha256("FROM scratch".getBytes(StandardCharsets.UTF_8));
            described = "scratch";
        } else {
            Integer base = stageIndex(image, stage.index(), from.location(), false);
            if (base != null) {
                state = finished.get(base).copy();
                described = "stage " + image;
            } else {
                flushPending(); // a pull appends its own events
                ImageService.Image found = service.baseImage(image, out, context, from.location());
                state = StageState.fromImageConfig(service.images().config(found));
                state.layers = new ArrayList<>(found.description().layers());
                state.cacheKey = Digests.sha256(("FROM " + found.id()).getBytes(StandardCharsets.UTF_8));
                described = found.id();
            }
        }
        if (state.envValue("PATH") == null) {
            // as Docker's builders: a stage whose base sets no PATH (scratch too) gets the default one
            state.env.add("PATH=" + LaunchEnvironment.DEFAULT_PATH);
        }
        String key = state.cacheKey;
        record(new BuildEvent.BuildStepCompleted(buildId, step, "FROM " + image, "", key, Map.of(), Map.of(), "", "", 0,
                millisSince(t0), "a base is resolved, not cached: " + described));
        // As Docker: a FROM of an image shows that image's id; other steps show their cache key (berth keeps no
        // intermediate images).
        out.stream(" ---> " + shortKey(described.startsWith("sha256:") ? described : key) + "\n");
        List<String> triggers = state.onBuild;
        state.onBuild = new ArrayList<>();
        if (!triggers.isEmpty()) {
            out.stream("# Executing " + triggers.size() + " build trigger" + (triggers.size() == 1 ? "" : "s") + "\n");
            for (String trigger : triggers) {
                Instruction parsed;
                try {
                    parsed = DockerfileParser.parseInstruction(trigger, from.location(), dockerfile.escape());
                } catch (DockerfileException e) {
                    throw new BuildException(where(from.location()) + ": ONBUILD trigger of the base image: " + e.problem());
                }
                runInstruction(parsed, stageName, state, true);
            }
        }
        for (Instruction instruction : stage.body()) {
            runInstruction(instruction, stageName, state, false);
        }
        return state;
    }

    // ---- steps

    private int startStep(Instruction instruction, String stage, String display) {
        stepNumber++;
        displayNumber++;
        out.stream("Step " + displayNumber + "/" + displayTotal + " : " + display + "\n");
        recordStart(new BuildEvent.BuildStepStarted(buildId, stepNumber, stage, display,
                instruction.location().file() + ":" + instruction.location().line()));
        return stepNumber;
    }

    private void runInstruction(Instruction instruction, String stage, StageState state, boolean trigger) {
        int step;
        if (trigger) {
            stepNumber++;
            out.stream(" ---> Running trigger: " + instruction.source() + "\n");
            recordStart(new BuildEvent.BuildStepStarted(buildId, stepNumber, stage, "ONBUILD " + instruction.source(),
                    instruction.location().file() + ":" + instruction.location().line()));
            step = stepNumber;
        } else {
            step = startStep(instruction, stage, instruction.source());
        }
        try {
            runStep(instruction, state, step);
        } catch (BuildException e) {
            throw failed(step, e, instruction);
        }
    }

    private void runStep(Instruction instruction, StageState state, int step) {
        long t0 = System.nanoTime();
        StepPlan plan = plan(instruction, state);
        String parentKey = state.cacheKey;
        String key = cacheKey(parentKey, plan);
        BuildService.CacheHit hit = request.noCache() ? null : service.cacheHit(key, state.topChainId(), plan.producesLayer(),
                plan.mayMakeNoLayer);
        CacheFromImages.Hit fromImage = hit != null || request.noCache() || cacheFrom.isEmpty() ? null
                : cacheFrom.find(state, plan.createdBy, plan.producesLayer(), service);
        ImageLayer layer = null;
        if (fromImage != null) {
            layer = fromImage.layer();
            recordDeferred(new BuildEvent.BuildStepCached(buildId, step, key, "", 0, layer == null ? "" : layer.diffId(),
                    "same history and instruction as image " + fromImage.reference() + " (" + shortKey(fromImage.imageId())
                            + ", --cache-from)"));
            out.stream(" ---> Using cache\n");
        } else if (hit != null) {
            recordDeferred(new BuildEvent.BuildStepCached(buildId, step, key, hit.buildId(), hit.step(), hit.layer() == null ? "" : hit.layer().diffId(),
                    "same parent" + (plan.sources.isEmpty() ? " and instruction" : ", instruction and sources") + " as build "
                            + hit.buildId().substring(0, 12) + " step " + hit.step()));
            out.stream(" ---> Using cache\n");
            layer = hit.layer();
        } else {
            flushPending();
            String reason = request.noCache() ? "--no-cache" : service.explainMiss(buildId, parentKey, plan.text, plan.args, plan.sources, changedStep);
            boolean newKey = !service.knownKey(key);
            if (plan.producesLayer()) {
                layer = plan.layerMaker.make(state, step);
            }
            record(new BuildEvent.BuildStepCompleted(buildId, step, plan.text, parentKey, key, plan.args, plan.sources,
                    layer == null ? "" : layer.diffId(), layer == null ? "" : layer.digest(), layer == null ? 0 : layer.size(),
                    millisSince(t0), reason));
            if (changedStep == 0 && !request.noCache() && newKey) {
                changedStep = step;
            }
        }
        if (plan.configChange != null) {
            plan.configChange.accept(state);
        }
        ObjectNode history = mapper.createObjectNode();
        history.put("created", service.created(epoch));
        history.put("created_by", plan.createdBy);
        if (layer == null) {
            history.put("empty_layer", true);
        } else {
            state.layers.add(layer);
        }
        state.history.add(history);
        state.cacheKey = key;
        out.stream(" ---> " + shortKey(key) + "\n");
    }

    private static BuildException located(Instruction instruction, BuildException e) {
        String message = e.getMessage();
        String prefix = instruction.location().file() + ":" + instruction.location().line();
        if (message.startsWith(instruction.location().file() + ":")) {
            return e;
        }
        return new BuildException(prefix + ": " + message, e.exitCode(), e.lastOutput());
    }

    private String cacheKey(String parentKey, StepPlan plan) {
        StringBuilder text = new StringBuilder(parentKey).append('\n').append(plan.text).append('\n');
        new TreeMap<>(plan.args).forEach((k, v) -> text.append("arg ").append(k).append('=').append(v).append('\n'));
        new TreeMap<>(plan.sources).forEach((k, v) -> text.append("src ").append(k).append(' ').append(v).append('\n'));
        return Digests.sha256(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** What a step will do, known before it runs. */
    static final class StepPlan {
        String text;
        String createdBy;
        Map<String, String> args = Map.of();
        Map<String, String> sources = Map.of();
        java.util.function.Consumer<StageState> configChange;
        LayerMaker layerMaker;
        /** A RUN or WORKDIR: a step that changed nothing makes no layer, and a cached one may have none. */
        boolean mayMakeNoLayer;

        boolean producesLayer() {
            return layerMaker != null;
        }
    }

    /** Makes a step's layer on top of a state. */
    @FunctionalInterface
    interface LayerMaker {
        ImageLayer make(StageState state, int step);
    }

    private StepPlan plan(Instruction instruction, StageState state) {
        StepPlan plan = new StepPlan();
        String nop = String.join(" ", state.shellOrDefault()) + " #(nop) ";
        switch (instruction) {
            case Instruction.From ignored -> throw new BuildException("FROM inside a stage");
            case Instruction.Run run -> planRun(run, state, plan);
            case Instruction.Cmd cmd -> {
                List<String> words = commandWords(cmd.command(), state);
                plan.text = "CMD " + json(words);
                plan.createdBy = nop + " CMD " + goQuoted(words);
                plan.configChange = s -> s.cmd = words;
                cmdSetInStage = true;
            }
            case Instruction.Entrypoint entrypoint -> {
                List<String> words = commandWords(entrypoint.command(), state);
                plan.text = "ENTRYPOINT " + json(words);
                plan.createdBy = nop + " ENTRYPOINT " + goQuoted(words);
                boolean keepCmd = cmdSetInStage;
                plan.configChange = s -> {
                    // Docker's builder stores ENTRYPOINT [] as no entrypoint at all (null), not an empty list
                    s.entrypoint = words.isEmpty() ? null : words;
                    if (!keepCmd) {
                        s.cmd = null;
                    }
                };
            }
            case Instruction.Shell shell -> {
                plan.text = "SHELL " + json(shell.shell());
                // as Docker's builder: the new shell is in place when the step's history line is written
                plan.createdBy = String.join(" ", shell.shell()) + " #(nop)  SHELL [" + String.join(" ", shell.shell()) + "]";
                plan.configChange = s -> s.shell = List.copyOf(shell.shell());
            }
            case Instruction.Label label -> {
                Map<String, String> pairs = new LinkedHashMap<>();
                for (Instruction.KeyValue kv : label.pairs()) {
                    pairs.put(expand(kv.key(), state, label.location()), expand(kv.value(), state, label.location()));
                }
                StringBuilder text = new StringBuilder("LABEL");
                pairs.forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
                plan.text = text.toString();
                plan.createdBy = nop + " " + text;
                plan.configChange = s -> s.labels.putAll(pairs);
            }
            case Instruction.Maintainer maintainer -> {
                plan.text = "MAINTAINER " + maintainer.name();
                plan.createdBy = nop + " MAINTAINER " + maintainer.name();
                plan.configChange = s -> s.author = maintainer.name();
            }
            case Instruction.Expose expose -> {
                List<String> ports = new ArrayList<>();
                for (String word : expose.ports()) {
                    for (String p : expandWords(word, state, expose.location())) {
                        ports.addAll(exposedPorts(p));
                    }
                }
                plan.text = "EXPOSE " + String.join(" ", ports);
                plan.createdBy = nop + " EXPOSE " + String.join(" ", ports);
                plan.configChange = s -> ports.forEach(p -> s.exposedPorts.put(p, true));
            }
            case Instruction.Env env -> {
                Map<String, String> pairs = new LinkedHashMap<>();
                for (Instruction.KeyValue kv : env.pairs()) {
                    // each pair sees the values set before it on the same line? Docker expands the whole line with the old env
                    pairs.put(expand(kv.key(), state, env.location()), expand(kv.value(), state, env.location()));
                }
                StringBuilder text = new StringBuilder("ENV");
                pairs.forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
                plan.text = text.toString();
                plan.createdBy = nop + " " + text;
                plan.configChange = s -> pairs.forEach(s::setEnv);
            }
            case Instruction.Add add -> new CopyPlanner(this, state, add.location(), true, add.sources(), add.destination(),
                    add.flags(), add.heredocs()).plan(plan, nop);
            case Instruction.Copy copy -> new CopyPlanner(this, state, copy.location(), false, copy.sources(), copy.destination(),
                    copy.flags(), copy.heredocs()).plan(plan, nop);
            case Instruction.Volume volume -> {
                List<String> paths = new ArrayList<>();
                for (String word : volume.paths()) {
                    String p = expand(word, state, volume.location()).strip();
                    if (p.isEmpty()) {
                        throw new BuildException("VOLUME specified can not be an empty string");
                    }
                    paths.add(p);
                }
                plan.text = "VOLUME " + json(paths);
                plan.createdBy = nop + " VOLUME " + json(paths);
                plan.configChange = s -> paths.forEach(p -> s.volumes.put(p, true));
            }
            case Instruction.User user -> {
                String u = expand(user.user(), state, user.location());
                plan.text = "USER " + u;
                plan.createdBy = nop + " USER " + u;
                plan.configChange = s -> s.user = u;
            }
            case Instruction.Workdir workdir -> {
                String dir = expand(workdir.path(), state, workdir.location());
                String resolved = dir.startsWith("/") ? clean(dir) : clean((state.workingDir.isEmpty() ? "/" : state.workingDir) + "/" + dir);
                plan.text = "WORKDIR " + resolved;
                plan.createdBy = nop + "WORKDIR " + resolved;
                plan.configChange = s -> s.workingDir = resolved;
                // as Docker's builder: a missing directory is made now, in a layer of its own
                plan.layerMaker = (s, step) -> runner.workdir(s, step, resolved);
                plan.mayMakeNoLayer = true;
            }
            case Instruction.Arg arg -> {
                Map<String, String> values = new LinkedHashMap<>();
                for (Instruction.ArgDeclaration d : arg.args()) {
                    String value;
                    if (request.buildArgs().containsKey(d.name()) && request.buildArgs().get(d.name()) != null) {
                        value = request.buildArgs().get(d.name());
                        usedBuildArgs.add(d.name());
                    } else if (d.defaultValue().isPresent()) {
                        value = expand(d.defaultValue().get(), state, arg.location());
                    } else {
                        value = globalArgs.get(d.name());
                    }
                    values.put(d.name(), value);
                }
                // as written: a --build-arg value is not part of the ARG step (as in Docker's cache); the RUNs that see it carry it
                StringBuilder text = new StringBuilder("ARG");
                arg.args().forEach(d -> text.append(' ').append(d.name()).append(d.defaultValue().map(v -> "=" + v).orElse("")));
                plan.text = text.toString();
                plan.createdBy = nop + " " + text;
                // declared now, so later words of this stage see them (the plan runs before the change)
                state.args.putAll(values);
            }
            case Instruction.Onbuild onbuild -> {
                plan.text = "ONBUILD " + onbuild.triggerSource();
                plan.createdBy = nop + " ONBUILD " + onbuild.triggerSource();
                plan.configChange = s -> s.onBuild.add(onbuild.triggerSource());
            }
            case Instruction.StopSignal stop -> {
                String signal = expand(stop.signal(), state, stop.location());
                if (!signal.matches("(SIG)?[A-Z0-9+\\-]+|[0-9]+")) {
                    throw new BuildException("invalid signal: " + signal);
                }
                plan.text = "STOPSIGNAL " + signal;
                plan.createdBy = nop + " STOPSIGNAL " + signal;
                plan.configChange = s -> s.stopSignal = signal;
            }
            case Instruction.Healthcheck healthcheck -> {
                ObjectNode check = healthcheck(healthcheck, state);
                plan.text = "HEALTHCHECK " + check;
                plan.createdBy = nop + " HEALTHCHECK " + healthcheck.source().replaceFirst("(?i)^HEALTHCHECK\\s*", "");
                plan.configChange = s -> s.healthcheck = check;
            }
        }
        return plan;
    }

    private void planRun(Instruction.Run run, StageState state, StepPlan plan) {
        BuildNetwork network = BuildNetwork.parse(request.network(), "--network");
        String networkFlag = "";
        List<RunMount> mounts = new ArrayList<>();
        for (Instruction.Flag flag : run.flags()) {
            switch (flag.name()) {
                case "network" -> {
                    network = BuildNetwork.parse(flag.value(), "RUN --network");
                    networkFlag = "--network=" + network.word() + " ";
                }
                case "mount" -> mounts.add(RunMount.parse(expand(flag.value(), state, run.location()), state.workingDir));
                case "security" -> {
                    if (!expand(flag.value(), state, run.location()).equals("sandbox")) {
                        throw new BuildException("RUN --security=" + flag.value() + " is not supported: berth runs build steps sandboxed only");
                    }
                }
                default -> throw new BuildException("RUN --" + flag.name() + " is not supported by this builder");
            }
        }
        StringBuilder mountFlags = new StringBuilder();
        mounts.forEach(m -> mountFlags.append("--mount=").append(m.describe()).append(' '));
        Map<String, String> mountSources = new TreeMap<>();
        RunMounts runMounts = mounts.isEmpty() ? null
                : RunMounts.plan(this, request, stepNumber, run.location(), mounts, mountSources);
        List<String> argv;
        String script = null;
        if (run.command().execForm()) {
            argv = run.command().words();
        } else {
            String text = run.command().words().isEmpty() ? "" : run.command().words().getFirst();
            if (!run.heredocs().isEmpty()) {
                Instruction.Heredoc first = run.heredocs().getFirst();
                if (text.strip().matches("<<-?[\"']?" + java.util.regex.Pattern.quote(first.name()) + "[\"']?") && run.heredocs().size() == 1) {
                    script = first.content(); // the heredoc is the script
                    text = script;
                } else {
                    StringBuilder withBodies = new StringBuilder(text);
                    for (Instruction.Heredoc h : run.heredocs()) {
                        withBodies.append('\n').append(h.content()).append(h.name());
                    }
                    text = withBodies.toString();
                }
            }
            argv = new ArrayList<>(state.shellOrDefault());
            argv.add(text);
        }
        Map<String, String> args = new TreeMap<>();
        Map<String, String> env = StageState.envMap(state.env);
        for (Map.Entry<String, String> a : state.args.entrySet()) {
            if (a.getValue() != null && !env.containsKey(a.getKey())) {
                args.put(a.getKey(), a.getValue());
            }
        }
        Map<String, String> proxies = new TreeMap<>();
        for (String proxy : PROXY_ARGS) {
            String value = request.buildArgs().get(proxy);
            if (value != null && !state.args.containsKey(proxy)) {
                proxies.put(proxy, value);
            }
        }
        StringBuilder createdBy = new StringBuilder();
        if (!args.isEmpty()) {
            createdBy.append('|').append(args.size());
            args.forEach((k, v) -> createdBy.append(' ').append(k).append('=').append(v));
            createdBy.append(' ');
        }
        createdBy.append(run.command().execForm() ? json(argv) : String.join(" ", argv));
        // the step's own --network is part of what it is (and of its cache key); the build's is not, as in Docker
        plan.text = "RUN " + networkFlag + mountFlags + (run.command().execForm() ? json(argv) : String.join(" ", argv));
        plan.args = args;
        plan.sources = mountSources;
        plan.createdBy = createdBy.toString();
        List<String> finalArgv = List.copyOf(argv);
        BuildNetwork stepNetwork = network;
        plan.mayMakeNoLayer = true;
        plan.layerMaker = (s, step) -> {
            List<String> runEnv = new ArrayList<>(s.env);
            args.forEach((k, v) -> runEnv.add(k + "=" + v));
            proxies.forEach((k, v) -> runEnv.add(k + "=" + v));
            if (runMounts == null) {
                return runner.run(s, step, finalArgv, runEnv, stepNetwork);
            }
            runEnv.addAll(runMounts.environment());
            return runner.run(s, step, finalArgv, runEnv, stepNetwork, runMounts);
        };
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

    private List<String> commandWords(Instruction.CommandLine command, StageState state) {
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
            String value = expand(flag.value(), state, h.location());
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

    // ---- expansion

    String expand(String word, StageState state, Location location) {
        return expand(word, name -> lookup(state, name), location);
    }

    private String expand(String word, java.util.function.Function<String, String> lookup, Location location) {
        try {
            return expander.expand(word, lookup, dockerfile.escape(), location);
        } catch (DockerfileException e) {
            throw new BuildException(e.getMessage());
        }
    }

    /** Expands a COPY/ADD heredoc body: variables and escapes, its quotes left alone (they are the file's). */
    String expandHeredoc(String body, StageState state, Location location) {
        try {
            return expander.expandRaw(body, name -> lookup(state, name), location);
        } catch (DockerfileException e) {
            throw new BuildException(e.getMessage());
        }
    }

    List<String> expandWords(String text, StageState state, Location location) {
        try {
            return expander.expandWords(text, name -> lookup(state, name), dockerfile.escape(), location);
        } catch (DockerfileException e) {
            throw new BuildException(e.getMessage());
        }
    }

    private String expandGlobal(String word, Location location) {
        return expand(word, name -> {
            if (globalArgs.containsKey(name)) {
                return globalArgs.get(name);
            }
            return PROXY_ARGS.contains(name) ? request.buildArgs().get(name) : null;
        }, location);
    }

    /** A variable as an instruction sees it: ENV first, then the stage's ARGs, then a proxy build-arg. */
    private String lookup(StageState state, String name) {
        String env = state.envValue(name);
        if (env != null) {
            return env;
        }
        if (state.args.containsKey(name)) {
            return state.args.get(name);
        }
        return PROXY_ARGS.contains(name) ? request.buildArgs().get(name) : null;
    }

    // ---- helpers

    static String flag(List<Instruction.Flag> flags, String name) {
        for (Instruction.Flag f : flags) {
            if (f.name().equals(name)) {
                return f.value();
            }
        }
        return null;
    }

    Path contextRoot() {
        return contextRoot;
    }

    String buildId() {
        return buildId;
    }

    BuildRequest request() {
        return request;
    }

    Map<String, String> contextDigests() {
        return contextDigests;
    }

    Path scratch() {
        return scratch;
    }

    StageState finishedStage(int index) {
        return finished.get(index);
    }

    Dockerfile dockerfile() {
        return dockerfile;
    }

    BuildService service() {
        return service;
    }

    StepRunner runner() {
        return runner;
    }

    BuildOutput out() {
        return out;
    }

    RequestContext context() {
        return context;
    }

    String expandFlag(String value, StageState state, Location location) {
        return expand(value, state, location);
    }

    Integer stageFor(String nameOrIndex, Location location) {
        return stageIndex(nameOrIndex, currentStage, location, true);
    }

    String json(List<String> words) {
        try {
            return mapper.writeValueAsString(words);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String clean(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
            } else {
                parts.add(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    /**
     * A step's start is held back and appended with its outcome when the step runs no command (a
     * cache hit, a metadata step): one synced append per step instead of two. A step that runs a
     * command records its start first, so a follower of the event stream sees it begin.
     */
    /**
     * Events not yet appended: a step's start waits for its outcome, and a run of cached steps waits
     * for the next step that does work (or the end of the build), so a fully cached build makes one
     * synced append for all its steps instead of one per step. Everything pending is appended before
     * anything else reads or writes the log on the build's behalf: a cache miss (its reason reads the
     * build records), a layer being made, a base image that may be pulled, a failure, the end.
     */
    private final List<BuildEvent> pending = new ArrayList<>();

    private void recordStart(BuildEvent started) {
        pending.add(started);
    }

    /** Appends a cached step's outcome with the next append (see {@link #pending}). */
    private void recordDeferred(BuildEvent outcome) {
        pending.add(outcome);
    }

    /** Appends everything pending, in order, in one synced append. */
    void flushPending() {
        if (!pending.isEmpty()) {
            List<BuildEvent> events = List.copyOf(pending);
            pending.clear();
            service.journal().record(context, events);
        }
    }

    void record(BuildEvent event) {
        pending.add(event);
        flushPending();
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** {@code Dockerfile:12}: where an error is, as Docker's builder names it. */
    static String where(Location location) {
        return location.file() + ":" + location.line();
    }

    static String shortKey(String key) {
        return Digests.hex(key).substring(0, 12);
    }

    static String chainOf(String parent, String diffId) {
        return ChainIds.next(parent, diffId);
    }
}
