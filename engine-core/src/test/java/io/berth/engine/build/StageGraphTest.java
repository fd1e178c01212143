package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.engine.dockerfile.Dockerfile;
import io.berth.engine.dockerfile.DockerfileParser;
import io.berth.engine.dockerfile.Location;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which stages a target needs, in file order, from the Dockerfile alone. */
class StageGraphTest {
    private static final Location AT = new Location("Dockerfile", 1, 1);

    private static StageGraph graph(String text, Map<String, String> buildArgs) throws Exception {
        Dockerfile dockerfile = DockerfileParser.parse("Dockerfile", text);
        BuildVariables variables = new BuildVariables(buildArgs, dockerfile.escape());
        variables.declareGlobal(dockerfile.globalArgs());
        return new StageGraph(dockerfile, variables);
    }

    private static final String MULTI = """
            FROM busybox AS base
            RUN true
            FROM busybox AS assets
            FROM base AS build
            RUN --mount=type=bind,from=assets,target=/a true
            FROM busybox AS unused
            FROM busybox
            COPY --from=build /out /out
            """;

    @Test
    void givenTheLastStageThenOnlyTheStagesItUsesAreBuiltInFileOrder() throws Exception {
        StageGraph graph = graph(MULTI, Map.of());
        int target = graph.target("");
        assertEquals(4, target);
        // build needs base (FROM) and assets (a RUN mount); "unused" is pruned
        assertEquals(List.of(0, 1, 2, 4), List.copyOf(graph.needed(target)));
        assertEquals(2 + 1 + 2 + 2, graph.steps(graph.needed(target)));
    }

    @Test
    void givenAReferenceToALaterStageThenTheBuildIsRefusedNamingTheLine() throws Exception {
        StageGraph graph = graph("""
                FROM busybox AS build
                COPY --from=assets /a /a
                FROM busybox AS assets
                """, Map.of());
        BuildException refused = assertThrows(BuildException.class, () -> graph.needed(graph.target("build")));
        assertEquals("Dockerfile:2: COPY --from=assets: stage assets is not defined before this stage", refused.getMessage());
    }

    @Test
    void givenATargetByNameInAnyCaseThenItsStagesOnly() throws Exception {
        StageGraph graph = graph(MULTI, Map.of());
        assertEquals(List.of(0), List.copyOf(graph.needed(graph.target("BASE"))));
        BuildException missing = assertThrows(BuildException.class, () -> graph.target("nope"));
        assertTrue(missing.getMessage().contains("failed to reach build target nope"), missing.getMessage());
    }

    @Test
    void givenAStageReferenceThenANameOrAnIndexOfAnEarlierStageOnly() throws Exception {
        StageGraph graph = graph(MULTI, Map.of());
        assertEquals(0, graph.stageIndex("base", 1, AT, false));
        assertNull(graph.stageIndex("busybox", 1, AT, false), "an image, not a stage");
        assertEquals(1, graph.stageIndex("1", 4, AT, true));
        assertNull(graph.stageIndex("1", 4, AT, false), "a number names a stage only for --from");
        assertThrows(BuildException.class, () -> graph.stageIndex("unused", 2, AT, true));
        assertThrows(BuildException.class, () -> graph.stageIndex("3", 2, AT, true));
    }

    @Test
    void givenAGlobalArgThenFromLinesSeeItAndABuildArgOverridesIt() throws Exception {
        String text = """
                ARG FROM_STAGE=one
                FROM busybox AS one
                FROM busybox AS two
                FROM ${FROM_STAGE}
                """;
        assertEquals(List.of(0, 2), List.copyOf(graph(text, Map.of()).needed(2)));
        assertEquals(List.of(1, 2), List.copyOf(graph(text, Map.of("FROM_STAGE", "two")).needed(2)));
    }
}
