package io.berth.engine.build;

import io.berth.engine.dockerfile.Dockerfile;
import io.berth.engine.dockerfile.DockerfileException;
import io.berth.engine.dockerfile.DockerfileParser;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Location;
import io.berth.engine.dockerfile.Stage;
import io.berth.engine.container.LaunchEnvironment;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.Digests;
import io.berth.spi.storage.ChainIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * One build, step by step, through the pipeline's named parts: the {@link StageGraph} says which
 * stages the target needs; for each step the {@link InstructionPlanner} makes a {@link StepPlan},
 * the {@link BuildCache} keys it and looks it up, the {@link StepExecutor} makes its layer when the
 * cache cannot serve it and completes it on the stage's state; {@link BuildEvents} records it. The
 * last stage's state goes to the {@link ImageAssembler}. This class holds the build's context that
 * the parts share (the request, the context directory, the finished stages) and resolves each
 * stage's base (scratch, an earlier stage, an image pulled when missing) with its ONBUILD triggers.
 */
final class BuildExecution implements InstructionPlanner.SourcePlanning {
    private final BuildService service;
    private final BuildRequest request;
    private final String buildId;
    private final RequestContext context;
    private final BuildOutput out;
    private final StepRunner runner;
    private final Instant epoch;
    private final BuildEvents events;
    private final BaseImages baseImages;
    private final Map<Integer, StageState> finished = new HashMap<>();
    private final Path contextRoot;
    private final Map<String, String> contextDigests;
    private final Path scratch;

    private Dockerfile dockerfile;
    private BuildVariables variables;
    private StageGraph graph;
    private InstructionPlanner planner;
    private BuildCache cache;
    private StepExecutor executor;
    private int stepNumber;
    private int displayNumber;
    private int displayTotal;
    private boolean cmdSetInStage;
    private boolean failureRecorded;
    private int currentStage;

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
        this.epoch = epoch;
        this.events = new BuildEvents(service.journal(), context);
        this.baseImages = new BaseImages(service.images());
    }

    /** The result: the final stage's state and the number of steps that ran. */
    record Result(StageState image, int steps) {}

    Result run(String dockerfileText) {
        try {
            dockerfile = DockerfileParser.parse(request.dockerfile(), dockerfileText);
        } catch (DockerfileException e) {
            throw new BuildException(e.getMessage());
        }
        variables = new BuildVariables(request.buildArgs(), dockerfile.escape());
        variables.declareGlobal(dockerfile.globalArgs());
        graph = new StageGraph(dockerfile, variables);
        planner = new InstructionPlanner(variables, request.network(), service.mapper(), this);
        cache = new BuildCache(service, buildId, request.noCache(), CacheFromImages.load(service, request.cacheFrom(), out));
        executor = new StepExecutor(runner, service.mapper(), service.created(epoch));
        SortedSet<Integer> needed = graph.needed(graph.target(request.target()));
        displayTotal = graph.steps(needed);
        StageState last = null;
        try {
            for (int index : needed) {
                last = runStage(graph.stage(index));
                finished.put(index, last);
            }
        } finally {
            events.flush(); // the steps' events precede the build's outcome, whatever it is
        }
        List<String> unused = variables.unusedBuildArgs();
        if (!unused.isEmpty()) {
            out.stream("[Warning] One or more build-args " + unused + " were not consumed\n");
        }
        return new Result(last, stepNumber);
    }

    // ---- stages

    private StageState runStage(Stage stage) {
        cmdSetInStage = false;
        cache.stageStarted();
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

    private StageState runStage(Stage stage, Instruction.From from, String stageName, int step) {
        long t0 = System.nanoTime();
        String image = variables.expandGlobal(from.image(), from.location());
        if (from.platform().isPresent()) {
            String platform = variables.expandGlobal(from.platform().get(), from.location());
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
            Integer base = graph.stageIndex(image, stage.index(), from.location(), false);
            if (base != null) {
                state = finished.get(base).copy();
                described = "stage " + image;
            } else {
                events.flush(); // a pull appends its own events
                ImageService.Image found = baseImages.find(image, out, context, from.location());
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
        events.record(new BuildEvent.BuildStepCompleted(buildId, step, "FROM " + image, "", key, Map.of(), Map.of(), "", "", 0,
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
        events.defer(new BuildEvent.BuildStepStarted(buildId, stepNumber, stage, display,
                instruction.location().file() + ":" + instruction.location().line()));
        return stepNumber;
    }

    private void runInstruction(Instruction instruction, String stage, StageState state, boolean trigger) {
        int step;
        if (trigger) {
            stepNumber++;
            out.stream(" ---> Running trigger: " + instruction.source() + "\n");
            events.defer(new BuildEvent.BuildStepStarted(buildId, stepNumber, stage, "ONBUILD " + instruction.source(),
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

    /** One step: planned, keyed, served from the cache or performed, then completed on the state. */
    private void runStep(Instruction instruction, StageState state, int step) {
        long t0 = System.nanoTime();
        StepPlan plan = planner.plan(instruction, state, cmdSetInStage, step);
        if (instruction instanceof Instruction.Cmd) {
            cmdSetInStage = true;
        }
        String parentKey = state.cacheKey;
        String key = BuildCache.key(parentKey, plan);
        BuildCache.Hit hit = cache.lookup(key, state, plan, step);
        ImageLayer layer;
        if (hit != null) {
            layer = hit.layer();
            events.defer(hit.event());
            out.stream(" ---> Using cache\n");
        } else {
            events.flush();
            BuildCache.Miss miss = cache.miss(parentKey, key, plan);
            layer = plan.producesLayer() ? executor.makeLayer(plan.layer(), state, step) : null;
            events.record(new BuildEvent.BuildStepCompleted(buildId, step, plan.text(), parentKey, key, plan.args(), plan.sources(),
                    layer == null ? "" : layer.diffId(), layer == null ? "" : layer.digest(), layer == null ? 0 : layer.size(),
                    millisSince(t0), miss.reason()));
            cache.built(miss, step);
        }
        executor.complete(state, plan, layer, key);
        out.stream(" ---> " + shortKey(key) + "\n");
    }

    private BuildException failed(int step, BuildException e, Instruction instruction) {
        BuildException located = located(instruction, e);
        if (!failureRecorded) {
            failureRecorded = true;
            BuildSecrets secrets = request.secrets();
            located = new BuildException(secrets.redact(located.getMessage()), located.exitCode(),
                    located.lastOutput().stream().map(secrets::redact).toList());
            events.record(new BuildEvent.BuildStepFailed(buildId, step, e.exitCode(), located.getMessage(), located.lastOutput()));
        }
        return located;
    }

    private static BuildException located(Instruction instruction, BuildException e) {
        String message = e.getMessage();
        String prefix = instruction.location().file() + ":" + instruction.location().line();
        if (message.startsWith(instruction.location().file() + ":")) {
            return e;
        }
        return new BuildException(prefix + ": " + message, e.exitCode(), e.lastOutput());
    }

    // ---- what planning reads from outside the Dockerfile

    @Override
    public StepPlan planCopy(Instruction instruction, StageState state, String nop) {
        return switch (instruction) {
            case Instruction.Add add -> new CopyPlanner(this, state, add.location(), true, add.sources(), add.destination(),
                    add.flags(), add.heredocs()).plan(nop);
            case Instruction.Copy copy -> new CopyPlanner(this, state, copy.location(), false, copy.sources(), copy.destination(),
                    copy.flags(), copy.heredocs()).plan(nop);
            default -> throw new IllegalArgumentException("not a COPY or ADD: " + instruction.source());
        };
    }

    @Override
    public RunMounts planMounts(List<RunMount> mounts, Location location, int step, Map<String, String> sources) {
        return RunMounts.plan(this, request, step, location, mounts, sources);
    }

    // ---- the build's context, for the planners of sources (CopyPlanner, RunMounts)

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

    /** An image a {@code --from} names, found here (a bare unknown name is refused, not pulled). */
    ImageService.Image copyFromImage(String reference, Location location) {
        return baseImages.find(reference, out, context, location, true);
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

    /** Appends the pending step events now (before something that appends its own, such as a pull). */
    void flushPending() {
        events.flush();
    }

    /** Appends a step's event now. */
    void record(BuildEvent event) {
        events.record(event);
    }

    String expandFlag(String value, StageState state, Location location) {
        return variables.expand(value, state, location);
    }

    String expandHeredoc(String body, StageState state, Location location) {
        return variables.expandHeredoc(body, state, location);
    }

    /** The earlier stage a {@code --from} of the current stage names, or null when it names an image. */
    Integer stageFor(String nameOrIndex, Location location) {
        return graph.stageIndex(nameOrIndex, currentStage, location, true);
    }

    // ---- helpers

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
