package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.engine.dockerfile.Dockerfile;
import io.berth.engine.dockerfile.DockerfileParser;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Location;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scopes a Dockerfile's words see: global ARGs for FROM lines, ENV before ARGs in a stage, the proxies. */
class BuildVariablesTest {
    private static final Location AT = new Location("Dockerfile", 1, 1);

    private static BuildVariables variables(String text, Map<String, String> buildArgs) throws Exception {
        Dockerfile dockerfile = DockerfileParser.parse("Dockerfile", text);
        BuildVariables variables = new BuildVariables(buildArgs, dockerfile.escape());
        variables.declareGlobal(dockerfile.globalArgs());
        return variables;
    }

    @Test
    void givenGlobalArgsThenFromLinesSeeThemAndEachDefaultSeesTheOnesBefore() throws Exception {
        BuildVariables v = variables("ARG REPO=library\nARG IMAGE=${REPO}/busybox\nFROM $IMAGE\n", Map.of());
        assertEquals("library/busybox:1", v.expandGlobal("${IMAGE}:1", AT));
        BuildVariables given = variables("ARG REPO=library\nARG IMAGE=${REPO}/busybox\nFROM $IMAGE\n", Map.of("REPO", "mine"));
        assertEquals("mine/busybox", given.expandGlobal("$IMAGE", AT));
    }

    @Test
    void givenAStageThenEnvWinsOverAnArgAndAGlobalArgNeedsItsOwnDeclaration() throws Exception {
        String text = "ARG V=global\nFROM busybox\nARG V\nARG W=w\n";
        Dockerfile dockerfile = DockerfileParser.parse("Dockerfile", text);
        BuildVariables v = variables(text, Map.of());
        StageState state = new StageState();
        assertEquals("", v.expand("$V", state, AT), "a global ARG is not in a stage until declared there");
        state.args.putAll(v.stageArgValues((Instruction.Arg) dockerfile.stages().getFirst().body().get(0), state));
        assertEquals("global", v.expand("$V", state, AT));
        state.env.add("V=env");
        assertEquals("env", v.expand("$V", state, AT));
        assertEquals(List.of("a", "env"), v.expandWords("a $V", state, AT));
    }

    @Test
    void givenBuildArgsThenProxiesAreSeenUndeclaredAndOnlyOthersNoOneConsumedAreUnused() throws Exception {
        Map<String, String> buildArgs = new HashMap<>();
        buildArgs.put("http_proxy", "http://proxy:3128");
        buildArgs.put("SOURCE_DATE_EPOCH", "0");
        buildArgs.put("USED", "1");
        buildArgs.put("TYPO", "1");
        String text = "FROM busybox\nARG USED\n";
        Dockerfile dockerfile = DockerfileParser.parse("Dockerfile", text);
        BuildVariables v = variables(text, buildArgs);
        StageState state = new StageState();
        assertEquals("http://proxy:3128", v.expand("$http_proxy", state, AT));
        assertEquals(Map.of("http_proxy", "http://proxy:3128"), v.undeclaredProxies(state));
        assertEquals(Map.of("USED", "1"), v.stageArgValues((Instruction.Arg) dockerfile.stages().getFirst().body().get(0), state));
        assertEquals(List.of("TYPO"), v.unusedBuildArgs());
    }
}
