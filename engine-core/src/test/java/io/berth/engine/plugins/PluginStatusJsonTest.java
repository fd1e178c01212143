package io.berth.engine.plugins;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PluginStatusJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void givenAStartedPlugin_whenWritten_thenItsFieldsHaveTheApiNamesInOrderAndANullError() throws Exception {
        PluginStatus status = new PluginStatus("runtime-runc", "0.1.0", "STARTED", "/usr/lib/berth/plugins/runc.jar",
                "berth", ">=0.1.0", List.of("io.berth.spi.ContainerRuntime=io.berth.plugin.runc.RuncRuntime"), null);

        assertEquals("{\"Id\":\"runtime-runc\",\"Version\":\"0.1.0\",\"State\":\"STARTED\","
                        + "\"Path\":\"/usr/lib/berth/plugins/runc.jar\",\"Provider\":\"berth\",\"Requires\":\">=0.1.0\","
                        + "\"Extensions\":[\"io.berth.spi.ContainerRuntime=io.berth.plugin.runc.RuncRuntime\"],\"Error\":null}",
                mapper.writeValueAsString(status));
    }

    @Test
    void givenAFailedPlugin_whenWritten_thenItsErrorIsThereAndNoStartedFlag() throws Exception {
        PluginStatus status = new PluginStatus("broken.jar", "", "FAILED", "/p/broken.jar", "", "", List.of(),
                "cannot read the manifest");

        String json = mapper.writeValueAsString(status);

        assertEquals("{\"Id\":\"broken.jar\",\"Version\":\"\",\"State\":\"FAILED\",\"Path\":\"/p/broken.jar\","
                + "\"Provider\":\"\",\"Requires\":\"\",\"Extensions\":[],\"Error\":\"cannot read the manifest\"}", json);
    }
}
