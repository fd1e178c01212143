package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker's precedence between image config and run options (checked against docker run's behaviour). */
class ContainerConfigsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE = """
            {"Env":["PATH=/bin","A=image","B=image"],"Entrypoint":["/entry"],"Cmd":["default","arg"],
             "WorkingDir":"/srv","User":"daemon","Labels":{"x":"image","y":"image"},"StopSignal":"SIGQUIT",
             "Volumes":{"/data":{}}}""";

    private static JsonNode merged(String request) throws Exception {
        return ContainerConfigs.mergeConfig(JSON.readTree(IMAGE), JSON.readTree(request), "img", JSON);
    }

    @Test
    void givenNoArgumentsThenImageEntrypointAndCmdRun() throws Exception {
        assertEquals(List.of("/entry", "default", "arg"), ContainerConfigs.args(merged("{}")));
    }

    @Test
    void givenArgumentsThenTheyReplaceCmdButKeepTheEntrypoint() throws Exception {
        assertEquals(List.of("/entry", "mine"), ContainerConfigs.args(merged("{\"Cmd\":[\"mine\"]}")));
    }

    @Test
    void givenAnEntrypointThenTheImagesCmdIsDropped() throws Exception {
        assertEquals(List.of("/bin/sh"), ContainerConfigs.args(merged("{\"Entrypoint\":[\"/bin/sh\"]}")));
        assertEquals(List.of("/bin/sh", "-c", "x"), ContainerConfigs.args(merged("{\"Entrypoint\":[\"/bin/sh\"],\"Cmd\":[\"-c\",\"x\"]}")));
    }

    @Test
    void anEmptyEntrypointClearsTheImagesAsDockerReadsEntrypointEmptyString() throws Exception {
        assertEquals(List.of("ls"), ContainerConfigs.args(merged("{\"Entrypoint\":[\"\"],\"Cmd\":[\"ls\"]}")));
    }

    @Test
    void envIsImageThenRequestByKey() throws Exception {
        JsonNode env = merged("{\"Env\":[\"B=run\",\"C=run\"]}").get("Env");
        assertEquals("[\"PATH=/bin\",\"A=image\",\"B=run\",\"C=run\"]", env.toString());
    }

    @Test
    void pathIsFilledInWhenNeitherHasIt() throws Exception {
        JsonNode config = ContainerConfigs.mergeConfig(JSON.readTree("{\"Cmd\":[\"x\"]}"), JSON.readTree("{}"), "img", JSON);
        assertEquals(ContainerConfigs.DEFAULT_PATH, config.get("Env").get(0).asText());
    }

    @Test
    void workdirUserLabelsAndStopSignalTakeTheRequestsValueFirst() throws Exception {
        JsonNode config = merged("{\"WorkingDir\":\"/tmp\",\"User\":\"1000:1000\",\"Labels\":{\"y\":\"run\"}}");
        assertEquals("/tmp", config.get("WorkingDir").asText());
        assertEquals("1000:1000", config.get("User").asText());
        assertEquals("{\"x\":\"image\",\"y\":\"run\"}", config.get("Labels").toString());
        assertEquals("SIGQUIT", config.get("StopSignal").asText());
        assertTrue(config.get("Volumes").has("/data"));
    }

    @Test
    void noCommandAnywhereIsRefused() throws Exception {
        JsonNode config = ContainerConfigs.mergeConfig(JSON.readTree("{}"), JSON.readTree("{}"), "img", JSON);
        ContainerException e = assertThrows(ContainerException.class, () -> ContainerConfigs.args(config));
        assertTrue(e.getMessage().startsWith("no command specified"));
    }

    @Test
    void hostConfigValuesDockerRefusesAreRefusedWithDockersWording() throws Exception {
        assertEquals("Minimum memory limit allowed is 6MB", assertThrows(ContainerException.class,
                () -> ContainerConfigs.validateHostConfig(JSON.readTree("{\"Memory\":1024}"))).getMessage());
        assertThrows(ContainerException.class, () -> ContainerConfigs.validateHostConfig(JSON.readTree(
                "{\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"always\"}}")));
    }
}
