package io.berth.cli.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Time travel, audit (through the daemon and offline through the launcher's {@code audit --log} route) and
 * compaction, from the installation ({@code target/dist}) as a user runs them, on a private root.
 */
class HistoryIT {
    @TempDir
    Path tmp;

    private Path pidFile;

    @AfterEach
    void stopDaemon() throws Exception {
        if (pidFile != null) {
            BerthDist.stopDaemon(pidFile);
        }
    }

    @Test
    void givenARemovedVolume_thenItIsThereAtAnEarlierMoment_itsAuditNamesWhoDidIt_andTheOfflineAuditSaysTheSame() throws Exception {
        BerthDist berth = BerthDist.get();
        Path root = tmp.resolve("root");
        String host = "unix://" + tmp.resolve("berth.sock");
        pidFile = root.resolve("berth.pid");
        String[] at = {"-H", host, "--root", root.toString()};

        assertEquals(0, run(berth, at, "volume", "create", "history-v1").exitCode());
        Thread.sleep(50);
        String moment = Instant.now().toString();
        Thread.sleep(50);
        assertEquals(0, run(berth, at, "volume", "rm", "history-v1").exitCode());

        BerthDist.Result then = run(berth, at, "volume", "ls", "-q", "--at", moment);
        assertEquals(List.of("history-v1"), then.lines(), then.err());
        assertEquals(List.of(), run(berth, at, "volume", "ls", "-q").lines());

        BerthDist.Result audit = run(berth, at, "audit", "volume", "history-v1");
        assertEquals(0, audit.exitCode(), audit.err());
        assertEquals(2, audit.lines().size(), audit.out());
        String user = System.getProperty("user.name");
        assertTrue(audit.lines().get(0).contains("  " + user + "(") && audit.lines().get(0).contains("created volume history-v1"), audit.out());
        assertTrue(audit.lines().get(1).contains("removed volume history-v1"), audit.out());

        Path copy = tmp.resolve("copy");
        copyTree(root.resolve("events"), copy);
        BerthDist.Result offline = berth.run(60, "audit", "--log", copy.toString(), "volume", "history-v1");
        assertEquals(0, offline.exitCode(), offline.err());
        assertEquals(audit.lines(), offline.lines());
        assertEquals("", offline.err(), "nothing but the timeline is printed");

        BerthDist.Result notALog = berth.run(60, "audit", "--log", tmp.toString());
        assertEquals(125, notALog.exitCode());
        assertEquals(List.of("berth: event log directory " + tmp + " holds no berth event log (no berth-log.json)"),
                notALog.err().lines().toList());

        BerthDist.Result badMoment = run(berth, at, "ps", "-a", "--at", "last tuesday");
        assertEquals(125, badMoment.exitCode());
        assertEquals(1, badMoment.err().lines().count(), badMoment.err());

        BerthDist.Result compact = run(berth, at, "system", "compact", "--before", moment);
        assertEquals(0, compact.exitCode(), compact.err());
        assertTrue(compact.out().startsWith("compacted history through event "), compact.out());
        BerthDist.Result refused = run(berth, at, "volume", "ls", "--at", "seq:1");
        assertNotEquals(0, refused.exitCode());
        assertTrue(refused.err().contains("was compacted"), refused.err());
        BerthDist.Result replay = run(berth, at, "system", "replay");
        assertEquals(0, replay.exitCode(), replay.out() + replay.err());
        assertFalse(replay.out().isBlank());
    }

    private static BerthDist.Result run(BerthDist berth, String[] global, String... args) throws Exception {
        String[] all = new String[global.length + args.length];
        System.arraycopy(global, 0, all, 0, global.length);
        System.arraycopy(args, 0, all, global.length, args.length);
        return berth.run(60, all);
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
