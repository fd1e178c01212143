package io.berth.engine.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayVerifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void equalTreesHaveNoDifferences() throws Exception {
        List<String> out = new ArrayList<>();
        ReplayVerifier.diff("/system", JSON.readTree("{\"a\":1,\"b\":[1,2]}"), JSON.readTree("{\"b\":[1,2],\"a\":1}"), out);
        assertTrue(out.isEmpty(), out.toString());
    }

    @Test
    void differencesAreReportedAsJsonPointersWithBothValues() throws Exception {
        List<String> out = new ArrayList<>();
        ReplayVerifier.diff("/system", JSON.readTree("{\"starts\":2,\"plugins\":{\"a/b\":{\"state\":\"STARTED\"}}}"),
                JSON.readTree("{\"starts\":3,\"plugins\":{\"a/b\":{\"state\":\"FAILED\"}},\"extra\":true}"), out);
        assertEquals(List.of(
                "/system/extra: live (absent), replayed true",
                "/system/plugins/a~1b/state: live \"STARTED\", replayed \"FAILED\"",
                "/system/starts: live 2, replayed 3"), out);
    }
}
