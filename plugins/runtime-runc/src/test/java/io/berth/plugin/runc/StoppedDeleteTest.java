package io.berth.plugin.runc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StoppedDelete}'s refusals: whatever takes more than removing the cgroups and the state
 * directory is left to {@code runc delete}, with nothing removed. (Its deletions are checked on real
 * containers by the runtime contract, whose leak check looks for cgroups and runc state.)
 */
class StoppedDeleteTest {

    @TempDir
    Path root;

    private static final String NAMESPACES = "[{\"type\":\"NEWPID\",\"path\":\"\"},{\"type\":\"NEWNS\",\"path\":\"\"}]";

    private Path state(String config) throws Exception {
        Path dir = Files.createDirectories(root.resolve("c1"));
        Files.writeString(dir.resolve("state.json"), "{\"id\":\"c1\",\"config\":" + config
                + ",\"cgroup_paths\":{\"\":\"/sys/fs/cgroup/unified/berth-test-none/c1\"}}");
        return dir;
    }

    @Test
    void givenThePlainCase_whenDeleted_thenTheStateDirectoryIsGone() throws Exception {
        Path dir = state("{\"cgroups\":{\"Systemd\":false},\"namespaces\":" + NAMESPACES + ",\"Hooks\":{\"poststop\":null}}");
        assertTrue(StoppedDelete.tryDelete(root, "c1"));
        assertFalse(Files.exists(dir));
    }

    @Test
    void givenTheSystemdDriver_whenDeleted_thenLeftToRuncWithNothingRemoved() throws Exception {
        Path dir = state("{\"cgroups\":{\"Systemd\":true},\"namespaces\":" + NAMESPACES + "}");
        assertFalse(StoppedDelete.tryDelete(root, "c1"));
        assertTrue(Files.exists(dir.resolve("state.json")));
    }

    @Test
    void givenThePidNamespaceOfTheHostOrAnother_whenDeleted_thenLeftToRunc() throws Exception {
        Path dir = state("{\"cgroups\":{\"Systemd\":false},\"namespaces\":[{\"type\":\"NEWNS\",\"path\":\"\"}]}");
        assertFalse(StoppedDelete.tryDelete(root, "c1"));
        state("{\"cgroups\":{\"Systemd\":false},\"namespaces\":[{\"type\":\"NEWPID\",\"path\":\"/proc/1/ns/pid\"}]}");
        assertFalse(StoppedDelete.tryDelete(root, "c1"));
        assertTrue(Files.exists(dir.resolve("state.json")));
    }

    @Test
    void givenAPoststopHookOrNoReadableState_whenDeleted_thenLeftToRunc() throws Exception {
        Path dir = state("{\"cgroups\":{\"Systemd\":false},\"namespaces\":" + NAMESPACES
                + ",\"Hooks\":{\"poststop\":[{\"path\":\"/bin/true\"}]}}");
        assertFalse(StoppedDelete.tryDelete(root, "c1"));
        Files.writeString(dir.resolve("state.json"), "{not json");
        assertFalse(StoppedDelete.tryDelete(root, "c1"));
        assertFalse(StoppedDelete.tryDelete(root, "c2"), "no state at all");
        assertTrue(Files.exists(dir.resolve("state.json")));
    }
}
