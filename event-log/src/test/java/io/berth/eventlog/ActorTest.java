package io.berth.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Issue 15, defect 10: what a caller says it is, is marked as its claim and never reads as the daemon. */
class ActorTest {
    @Test
    void defect10_aCallerClaimingToBeTheDaemonIsRecordedAsItsClaimNotAsTheDaemon() {
        for (String agent : new String[] {"berthd", " berthd ", "BERTHD", "berthd/0.1.0"}) {
            Actor caller = Actor.caller(1000, "mallory", 42, agent);
            assertFalse(caller.isDaemon(), agent);
            assertTrue(caller.client().startsWith(Actor.CLAIMED_PREFIX), caller.client());
            assertFalse(caller.client().equalsIgnoreCase(Actor.DAEMON_CLIENT), caller.client());
        }
        assertTrue(Actor.self(Actor.DAEMON_CLIENT).isDaemon());
    }

    @Test
    void defect10_theClaimSurvivesTheCodecMarkedAndAnOldUnmarkedEventStillDecodes() {
        Actor caller = Actor.caller(1000, "alice", 42, "curl/8.0\u0007x\n");
        assertEquals("claimed:curl/8.0?x", caller.client());
        assertEquals("claimed:", Actor.caller(0, "root", 1, null).client());
        assertEquals(Actor.CLAIMED_PREFIX.length() + 256, Actor.caller(0, "root", 1, "x".repeat(1000)).client().length());
        EventCodec codec = Upcasters.codec();
        String old = "{\"sequence\":1,\"time\":\"2026-11-28T10:00:00Z\",\"type\":\"NoteRecorded\",\"subject\":\"h\","
                + "\"actor\":{\"uid\":1000,\"user\":\"alice\",\"pid\":7,\"client\":\"berth-cli/0.1.0\"},\"correlationId\":\"c\","
                + "\"hostId\":\"h\",\"schemaVersion\":1,\"payload\":{\"hostId\":\"h\",\"text\":\"hello\"}}";
        EventEnvelope decoded = codec.decode(old.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("berth-cli/0.1.0", decoded.actor().client());
        assertFalse(decoded.actor().isDaemon());
    }
}
