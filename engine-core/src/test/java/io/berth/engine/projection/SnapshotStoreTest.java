package io.berth.engine.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static com.fasterxml.jackson.databind.node.ObjectNode at(long sequence) {
        com.fasterxml.jackson.databind.node.ObjectNode node = JSON.createObjectNode().put("sequence", sequence);
        node.putObject("projections");
        return node;
    }

    @Test
    void givenSnapshotsEvery10000Events_thenTheTwoNewestAndOnePer50000AreKept() {
        SnapshotStore store = new SnapshotStore(dir, JSON);
        for (long s = 10_000; s <= 200_000; s += 10_000) {
            store.write(at(s));
        }
        assertEquals(List.of(200_000L, 190_000L, 140_000L, 90_000L, 40_000L), store.sequences());
        assertEquals(90_000, store.latestAtOrBelow(139_999).orElseThrow().path("sequence").asLong());
        assertEquals(true, store.latestAtOrBelow(39_999).isEmpty());
    }

    @Test
    void givenACompactionSnapshot_thenRetentionNeverRemovesIt_andLookupsSeeIt() {
        SnapshotStore store = new SnapshotStore(dir, JSON);
        assertEquals("compacted-00000000000000012345.json", store.writeCompaction(at(12_345)));
        for (long s = 20_000; s <= 400_000; s += 20_000) {
            store.write(at(s));
        }
        assertEquals(12_345, store.latestAtOrBelow(19_999).orElseThrow().path("sequence").asLong());
        assertEquals(true, dir.resolve("compacted-00000000000000012345.json").toFile().exists());
    }
}
