package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.engine.domain.DomainException;
import io.berth.eventlog.events.VolumeEvent;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Volumes' rules, decided from a command and a state with no daemon or files. */
class VolumeDeciderTest {
    private static ContainerState withVolume(String name) {
        ContainerState state = new ContainerState();
        ContainerState.VolumeRecord volume = new ContainerState.VolumeRecord();
        volume.name = name;
        state.volumes.put(name, volume);
        return state;
    }

    @Test
    void givenANewName_whenCreated_thenALocalVolumeIsRecorded() {
        assertEquals(Optional.of(new VolumeEvent.VolumeCreated("data", "local", "/r/volumes/data/_data", Map.of("a", "1"), false)),
                VolumeDecider.decide(new VolumeCommand.CreateVolume("data", "/r/volumes/data/_data", Map.of("a", "1"), false),
                        new ContainerState()));
    }

    @Test
    void givenAnExistingVolume_whenCreatedAgain_thenNothingIsRecorded() {
        assertEquals(Optional.empty(), VolumeDecider.decide(new VolumeCommand.CreateVolume("data", "/x", Map.of(), false), withVolume("data")));
    }

    @Test
    void givenABadName_whenCreated_thenInvalidInDockersWords() {
        VolumeException refused = assertThrows(VolumeException.class,
                () -> VolumeDecider.decide(new VolumeCommand.CreateVolume("../x", "/x", Map.of(), false), new ContainerState()));
        assertEquals(DomainException.Kind.INVALID, refused.kind());
        assertEquals("create ../x: \"../x\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
                refused.getMessage());
    }

    @Test
    void givenAnUnusedVolume_whenRemoved_thenRecorded() {
        assertEquals(Optional.of(new VolumeEvent.VolumeRemoved("data")),
                VolumeDecider.decide(new VolumeCommand.RemoveVolume("data", false), withVolume("data")));
    }

    @Test
    void givenAMissingOrUsedVolume_whenRemoved_thenNotFoundOrConflict() {
        VolumeException missing = assertThrows(VolumeException.class,
                () -> VolumeDecider.decide(new VolumeCommand.RemoveVolume("data", false), new ContainerState()));
        assertEquals(DomainException.Kind.NOT_FOUND, missing.kind());
        assertEquals("get data: no such volume", missing.getMessage());
        VolumeException used = assertThrows(VolumeException.class,
                () -> VolumeDecider.decide(new VolumeCommand.RemoveVolume("data", true), withVolume("data")));
        assertEquals(DomainException.Kind.CONFLICT, used.kind());
        assertEquals("remove data: volume is in use", used.getMessage());
    }
}
