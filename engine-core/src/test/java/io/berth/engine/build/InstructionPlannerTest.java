package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.dockerfile.DockerfileParser;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The planner alone, with no daemon: each instruction and a stage's state give the plan Docker's
 * builder would (expanded text for the cache key, the history line, the config change, the layer
 * work), and planning changes nothing until the plan's change is applied.
 */
class InstructionPlannerTest {
    private static final String NOP = "/bin/sh -c #(nop) ";

    /** COPY and ADD, RUN mounts: what the planner asks of the build's sources, recorded instead of read. */
    private final List<Instruction> copiesAsked = new ArrayList<>();
    private final StepPlan copyPlan = StepPlan.metadata("COPY context:a /a", NOP + "COPY file:x in /a ", null);
    private final InstructionPlanner.SourcePlanning sources = new InstructionPlanner.SourcePlanning() {
        @Override
        public StepPlan planCopy(Instruction instruction, StageState state, String nop) {
            copiesAsked.add(instruction);
            return copyPlan;
        }

        @Override
        public RunMounts planMounts(List<RunMount> mounts, Location location, int step, Map<String, String> found) {
            found.put("mount:" + mounts.getFirst().target(), "sha256:feed");
            return null;
        }
    };

    private static Instruction instruction(String line) {
        try {
            return DockerfileParser.parse("Dockerfile", "FROM scratch\n" + line + "\n").stages().getFirst().body().getFirst();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static StageState state() {
        StageState state = new StageState();
        state.env.add("PATH=/usr/bin:/bin");
        state.cacheKey = "sha256:" + "0".repeat(64);
        return state;
    }

    private StepPlan plan(String line, StageState state) {
        return plan(line, state, Map.of(), false);
    }

    private StepPlan plan(String line, StageState state, Map<String, String> buildArgs, boolean cmdSetInStage) {
        InstructionPlanner planner = new InstructionPlanner(new BuildVariables(buildArgs, '\\'), "", new ObjectMapper(), sources);
        return planner.plan(instruction(line), state, cmdSetInStage, 2);
    }

    /** Refused before anything runs: by the parser (a flag it does not know) or by the planner (a value it does not take). */
    private void assertRefused(String line) {
        Instruction parsed;
        try {
            parsed = DockerfileParser.parse("Dockerfile", "FROM scratch\n" + line + "\n").stages().getFirst().body().getFirst();
        } catch (io.berth.engine.dockerfile.DockerfileException e) {
            return;
        }
        InstructionPlanner planner = new InstructionPlanner(new BuildVariables(Map.of(), '\\'), "", new ObjectMapper(), sources);
        assertThrows(BuildException.class, () -> planner.plan(parsed, state(), false, 2));
    }

    private static StageState applied(StepPlan plan, StageState state) {
        if (plan.configChange() != null) {
            plan.configChange().accept(state);
        }
        return state;
    }

    @Test
    void givenRunInShellFormThenItRunsInTheStageShellAndMayMakeNoLayer() {
        StepPlan plan = plan("RUN echo hi > /f", state());
        assertEquals("RUN /bin/sh -c echo hi > /f", plan.text());
        assertEquals("/bin/sh -c echo hi > /f", plan.createdBy());
        StepPlan.LayerWork.Run run = assertInstanceOf(StepPlan.LayerWork.Run.class, plan.layer());
        assertEquals(List.of("/bin/sh", "-c", "echo hi > /f"), run.argv());
        assertEquals(BuildNetwork.DEFAULT, run.network());
        assertNull(run.mounts());
        assertTrue(plan.mayMakeNoLayer());
        assertNull(plan.configChange());
    }

    @Test
    void givenRunInExecFormWithAStageShellThenTheWordsAreTheCommand() {
        StageState state = state();
        state.shell = List.of("/bin/bash", "-c");
        StepPlan plan = plan("RUN [\"echo\", \"hi\"]", state);
        assertEquals("RUN [\"echo\",\"hi\"]", plan.text());
        assertEquals(List.of("echo", "hi"), ((StepPlan.LayerWork.Run) plan.layer()).argv());
    }

    @Test
    void givenArgsInScopeThenRunCarriesThemInKeyAndHistoryButNotThoseEnvShadows() {
        StageState state = state();
        state.args.put("B", "2");
        state.args.put("A", "1");
        state.args.put("PATH", "/x");
        state.args.put("UNSET", null);
        StepPlan plan = plan("RUN make", state, Map.of("http_proxy", "http://proxy:3128"), false);
        assertEquals(Map.of("A", "1", "B", "2"), plan.args());
        assertEquals(List.of("A", "B"), List.copyOf(plan.args().keySet()));
        assertEquals("|2 A=1 B=2 /bin/sh -c make", plan.createdBy());
        StepPlan.LayerWork.Run run = (StepPlan.LayerWork.Run) plan.layer();
        assertEquals(Map.of("http_proxy", "http://proxy:3128"), run.proxies()); // seen, but neither in the key nor the history
        assertEquals("RUN /bin/sh -c make", plan.text());
    }

    @Test
    void givenRunFlagsThenTheStepNetworkIsInItsTextAndMountSourcesInItsKey() {
        StepPlan none = plan("RUN --network=none true", state());
        assertEquals("RUN --network=none /bin/sh -c true", none.text());
        assertEquals(BuildNetwork.NONE, ((StepPlan.LayerWork.Run) none.layer()).network());
        StepPlan bind = plan("RUN --mount=type=bind,target=/src true", state());
        assertEquals(Map.of("mount:/src", "sha256:feed"), bind.sources());
        assertTrue(bind.text().startsWith("RUN --mount="));
        assertRefused("RUN --device=/dev/fuse true");
        assertRefused("RUN --security=insecure true");
    }

    @Test
    void givenCmdThenTheShellFormIsWrappedAndTheHistoryQuotesAsGo() {
        StepPlan plan = plan("CMD echo \"hi\"", state());
        assertEquals("CMD [\"/bin/sh\",\"-c\",\"echo \\\"hi\\\"\"]", plan.text());
        assertEquals(NOP + " CMD [\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\"]", plan.createdBy());
        assertEquals(List.of("/bin/sh", "-c", "echo \"hi\""), applied(plan, state()).cmd);
        assertFalse(plan.producesLayer());
    }

    @Test
    void givenEntrypointThenAnInheritedCmdIsClearedUnlessThisStageSetOne() {
        StageState inherited = state();
        inherited.cmd = List.of("sh");
        StageState after = applied(plan("ENTRYPOINT [\"/app\"]", inherited), inherited);
        assertEquals(List.of("/app"), after.entrypoint);
        assertNull(after.cmd);
        StageState own = state();
        own.cmd = List.of("--help");
        assertEquals(List.of("--help"), applied(plan("ENTRYPOINT [\"/app\"]", own, Map.of(), true), own).cmd);
        StageState empty = state();
        assertNull(applied(plan("ENTRYPOINT []", empty), empty).entrypoint); // Docker stores [] as none
    }

    @Test
    void givenShellThenTheHistoryLineUsesTheNewShell() {
        StepPlan plan = plan("SHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]", state());
        assertEquals("SHELL [\"/bin/bash\",\"-eo\",\"pipefail\",\"-c\"]", plan.text());
        assertEquals("/bin/bash -eo pipefail -c #(nop)  SHELL [/bin/bash -eo pipefail -c]", plan.createdBy());
        assertEquals(List.of("/bin/bash", "-eo", "pipefail", "-c"), applied(plan, state()).shell);
    }

    @Test
    void givenLabelAndEnvThenWordsExpandWithTheEnvironmentBeforeTheLine() {
        StageState state = state();
        state.env.add("V=1");
        StepPlan label = plan("LABEL version=$V \"name\"=\"a b\"", state);
        assertEquals("LABEL version=1 name=a b", label.text());
        assertEquals(NOP + " LABEL version=1 name=a b", label.createdBy());
        assertEquals(Map.of("version", "1", "name", "a b"), applied(label, state()).labels);
        StepPlan env = plan("ENV V=2 W=$V", state);
        assertEquals("ENV V=2 W=1", env.text()); // the whole line sees V as it was before it
        StageState after = applied(env, state);
        assertEquals("2", after.envValue("V"));
        assertEquals("1", after.envValue("W"));
    }

    @Test
    void givenMaintainerExposeVolumeUserStopsignalOnbuildThenEachChangesItsField() {
        assertEquals("alice", applied(plan("MAINTAINER alice", state()), state()).author);
        StepPlan expose = plan("EXPOSE 80 7000-7001/UDP", state());
        assertEquals("EXPOSE 80/tcp 7000/udp 7001/udp", expose.text());
        assertEquals(List.of("7000/udp", "7001/udp", "80/tcp"), List.copyOf(applied(expose, state()).exposedPorts.keySet()));
        StepPlan volume = plan("VOLUME /data /logs", state());
        assertEquals("VOLUME [\"/data\",\"/logs\"]", volume.text());
        assertEquals(List.of("/data", "/logs"), List.copyOf(applied(volume, state()).volumes.keySet()));
        StageState withUser = state();
        withUser.env.add("U=app");
        assertEquals("app:app", applied(plan("USER $U:$U", withUser), withUser).user);
        assertEquals("SIGTERM", applied(plan("STOPSIGNAL SIGTERM", state()), state()).stopSignal);
        assertRefused("STOPSIGNAL sig term");
        StepPlan onbuild = plan("ONBUILD RUN echo later", state());
        assertEquals("ONBUILD RUN echo later", onbuild.text());
        assertEquals(List.of("RUN echo later"), applied(onbuild, state()).onBuild);
    }

    @Test
    void givenWorkdirThenARelativePathResolvesOnTheCurrentOneAndTheDirectoryIsALayerStep() {
        StageState state = state();
        state.workingDir = "/srv";
        StepPlan plan = plan("WORKDIR app/../www", state);
        assertEquals("WORKDIR /srv/www", plan.text());
        assertEquals(NOP + "WORKDIR /srv/www", plan.createdBy());
        assertEquals(new StepPlan.LayerWork.Workdir("/srv/www"), plan.layer());
        assertTrue(plan.mayMakeNoLayer());
        assertEquals("/srv/www", applied(plan, state).workingDir);
    }

    @Test
    void givenArgThenTheBuildArgWinsOverTheDefaultAndNeitherIsInTheStepText() {
        StageState state = state();
        StepPlan plan = plan("ARG A=default B", state, Map.of("B", "given"), false);
        assertEquals("ARG A=default B", plan.text());
        assertTrue(state.args.isEmpty(), "planning declares nothing until the plan is applied");
        assertEquals(Map.of("A", "default", "B", "given"), applied(plan, state).args);
    }

    @Test
    void givenHealthcheckThenDurationsAreNanosecondsAndNoneDisablesIt() {
        StepPlan plan = plan("HEALTHCHECK --interval=1m30s --retries=3 CMD curl -f http://localhost/", state());
        StageState after = applied(plan, state());
        assertEquals(90_000_000_000L, after.healthcheck.get("Interval").asLong());
        assertEquals(3, after.healthcheck.get("Retries").asInt());
        assertEquals("CMD-SHELL", after.healthcheck.get("Test").get(0).asText());
        assertEquals(NOP + " HEALTHCHECK --interval=1m30s --retries=3 CMD curl -f http://localhost/", plan.createdBy());
        assertEquals("NONE", applied(plan("HEALTHCHECK NONE", state()), state()).healthcheck.get("Test").get(0).asText());
        assertRefused("HEALTHCHECK --interval=10 CMD true");
        assertRefused("HEALTHCHECK --retries=-1 CMD true");
    }

    @Test
    void givenCopyOrAddThenTheSourcesArePlannedByTheBuild() {
        assertSame(copyPlan, plan("COPY a /a", state()));
        assertSame(copyPlan, plan("ADD b.tar /b/", state()));
        assertEquals(2, copiesAsked.size());
        assertInstanceOf(Instruction.Add.class, copiesAsked.get(1));
    }

    @Test
    void givenTheSameInstructionAndStateThenTheCacheKeyIsTheSameAndAnArgChangesIt() {
        StageState state = state();
        String key = BuildCache.key(state.cacheKey, plan("RUN make", state));
        assertEquals(key, BuildCache.key(state.cacheKey, plan("RUN make", state())));
        state.args.put("V", "1");
        assertFalse(key.equals(BuildCache.key(state.cacheKey, plan("RUN make", state))));
    }
}
