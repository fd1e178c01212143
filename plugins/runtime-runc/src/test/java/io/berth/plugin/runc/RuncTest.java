package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerRuntimeException.Reason;
import io.berth.spi.runtime.ContainerState;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RuncTest {

    @Test
    void givenRuncStateOutput_whenParsed_thenStatusPidBundleAndCreatedAreRead() throws Exception {
        String json = """
                {
                  "ociVersion": "1.0.2-dev",
                  "id": "c1",
                  "pid": 28353,
                  "status": "created",
                  "bundle": "/tmp/exp/b",
                  "rootfs": "/tmp/exp/b/rootfs",
                  "created": "2026-11-28T11:01:20.597574455Z",
                  "owner": ""
                }""";
        assertEquals(new ContainerState("c1", ContainerState.Status.CREATED, 28353, Path.of("/tmp/exp/b"),
                Instant.parse("2026-11-28T11:01:20.597574455Z")), Runc.parseState(RuncJson.object(json, "runc")));
    }

    @Test
    void givenAStoppedState_whenParsed_thenThePidIsZero() throws Exception {
        String json = "{\"id\":\"c1\",\"pid\":123,\"status\":\"stopped\",\"bundle\":\"/b\",\"created\":\"2026-11-28T11:01:20Z\"}";
        assertEquals(0, Runc.parseState(RuncJson.object(json, "runc")).pid());
    }

    @Test
    void givenRuncsJsonLog_whenRead_thenTheLastErrorMessageComesBack() {
        String log = """
                {"level":"warning","msg":"something minor","time":"2026-11-28T11:01:29Z"}
                {"level":"error","msg":"runc create failed: unable to start container process: exec: \\"nosuch\\": executable file not found in $PATH","time":"2026-11-28T11:01:29Z"}
                """;
        assertEquals("runc create failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH",
                Runc.lastErrorInLog(log));
        assertEquals("", Runc.lastErrorInLog("not json\n"));
    }

    @Test
    void givenRuncsErrorLines_whenMapped_thenTheReasonFollowsTheProblem() {
        assertEquals(Reason.NOT_FOUND, Runc.failure("c1", "kill", "container does not exist").reason());
        assertEquals(Reason.WRONG_STATE, Runc.failure("c1", "kill", "container not running").reason());
        assertEquals(Reason.WRONG_STATE, Runc.failure("c1", "start", "cannot start a container that has stopped").reason());
        assertEquals(Reason.FAILED, Runc.failure("c1", "create", "something else").reason());
        assertEquals("container c1: runc kill: container not running", Runc.failure("c1", "kill", "container not running").getMessage());
    }
}
