package io.berth.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void givenDockerfileChanges_whenApplied_thenTheConfigChangesAsDockersCommitDoes() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree("{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"WorkingDir\":\"/srv\"}");
        ConfigChanges.apply(config, List.of("ENV GREETING=hello NAME=$GREETING", "CMD [\"cat\", \"/marker\"]",
                "ENTRYPOINT echo hi", "LABEL team=core", "EXPOSE 80 53/udp", "VOLUME /data", "USER www", "WORKDIR app",
                "STOPSIGNAL SIGUSR1", "ONBUILD RUN true"));
        assertEquals("[\"PATH=/bin\",\"GREETING=hello\",\"NAME=\"]", config.get("Env").toString(),
                "words of one ENV line see the environment before it, as Docker's builder expands them");
        assertEquals("[\"cat\",\"/marker\"]", config.get("Cmd").toString());
        assertEquals("[\"/bin/sh\",\"-c\",\"echo hi\"]", config.get("Entrypoint").toString());
        assertEquals("core", config.path("Labels").path("team").asText());
        assertEquals("{\"80/tcp\":{},\"53/udp\":{}}", config.get("ExposedPorts").toString());
        assertEquals("{\"/data\":{}}", config.get("Volumes").toString());
        assertEquals("www", config.get("User").asText());
        assertEquals("/srv/app", config.get("WorkingDir").asText());
        assertEquals("SIGUSR1", config.get("StopSignal").asText());
        assertEquals("[\"RUN true\"]", config.get("OnBuild").toString());
    }

    @Test
    void givenInstructionDockerRefuses_whenApplied_thenOneLineNamingIt() {
        ApiException e = assertThrows(ApiException.class, () -> ConfigChanges.apply(JSON.createObjectNode(), List.of("RUN rm -rf /")));
        assertEquals(400, e.status());
        assertEquals("RUN is not a valid change command", e.getMessage());
        assertThrows(ApiException.class, () -> ConfigChanges.apply(JSON.createObjectNode(), List.of("ENV")), "ENV needs a name");
    }
}
