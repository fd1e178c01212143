package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchEnvironmentTest {
    private static final String PATH = "PATH=" + LaunchEnvironment.DEFAULT_PATH;

    @Test
    void givenNoVariablesThenDockersDefaultsComeFirstAndHomeLast() {
        assertEquals(List.of(PATH, "HOSTNAME=box", "HOME=/root"), LaunchEnvironment.of(List.of(), "box", false, "/root"));
        assertEquals(List.of(PATH, "HOSTNAME=box", "TERM=xterm", "HOME=/"), LaunchEnvironment.of(List.of(), "box", true, "/"));
    }

    @Test
    void givenConfiguredVariablesThenTheyReplaceTheDefaultsInPlaceOrFollowThem() {
        assertEquals(List.of("PATH=/x", "HOSTNAME=box", "TERM=vt100", "A=1", "HOME=/home/app"),
                LaunchEnvironment.of(List.of("A=1", "PATH=/x", "TERM=vt100"), "box", true, "/home/app"));
        assertEquals(List.of(PATH, "HOSTNAME=box", "HOME=/data"), LaunchEnvironment.of(List.of("HOME=/data"), "box", false, "/root"));
    }

    @Test
    void givenGroupAddThenItFollowsTheUsersGroupsWithoutRepeats() {
        ImageUsers.Identity user = new ImageUsers.Identity(1000, 1000, List.of(1000, 50), "/home/app");
        assertEquals(List.of(1000, 50, 7), LaunchEnvironment.groups(user, List.of(50, 7)));
    }
}
