package io.berth.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code top}, {@code diff} and {@code cp} against a scripted daemon. */
class FileCommandsTest {
    @TempDir
    Path dir;

    @Test
    void givenProcesses_whenTop_thenTitlesAsHeaderAndDockersColumns() throws Exception {
        String body = """
                {"Titles":["UID","PID","PPID","C","STIME","TTY","TIME","CMD"],
                 "Processes":[["root","4242","4200","0","12:00","?","00:00:00","sleep 300"]]}""";
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, body)) {
            CliRun r = CliRun.run("-H", s.host(), "top", "web", "-o", "pid,comm");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("""
                    UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD
                    root                4242                4200                0                   12:00               ?                   00:00:00            sleep 300
                    """, r.out());
            assertEquals("/containers/web/top?ps_args=-o%20pid%2Ccomm", s.requests().getFirst().target());
            CliRun alias = CliRun.run("-H", s.host(), "container", "top", "web");
            assertEquals(0, alias.exitCode(), alias.err());
            assertEquals("/containers/web/top", s.requests().get(1).target());
        }
    }

    @Test
    void givenStoppedContainer_whenTop_thenDaemonsErrorAndExit1() throws Exception {
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 409, "{\"message\":\"Container abc is not running\"}")) {
            CliRun r = CliRun.run("-H", s.host(), "top", "web");
            assertEquals(1, r.exitCode());
            assertEquals("Error response from daemon: Container abc is not running\n", r.err());
        }
    }

    @Test
    void givenChanges_whenDiff_thenDockersLetters() throws Exception {
        String body = "[{\"Path\":\"/etc\",\"Kind\":0},{\"Path\":\"/new.txt\",\"Kind\":1},{\"Path\":\"/old\",\"Kind\":2}]";
        try (TestServer s = TestServer.json(dir.resolve("s.sock"), 200, body)) {
            CliRun r = CliRun.run("-H", s.host(), "container", "diff", "web");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("C /etc\nA /new.txt\nD /old\n", r.out());
            assertEquals("/containers/web/changes", s.requests().getFirst().target());
            CliRun none = CliRun.run("-H", s.host(), "diff");
            assertEquals(1, none.exitCode());
            assertTrue(none.err().startsWith("berth: 'berth diff' requires 1 argument\n"), none.err());
        }
    }

    @Test
    void givenNoContainerOrTwo_whenCp_thenDockersMessagesAndExit1() {
        String none = "unix://" + dir.resolve("none.sock");
        CliRun local = CliRun.run("-H", none, "cp", "a", "/tmp/b");
        assertEquals(1, local.exitCode());
        assertEquals("must specify at least one container source\n", local.err());
        CliRun both = CliRun.run("-H", none, "cp", "a:/x", "b:/y");
        assertEquals(1, both.exitCode());
        assertEquals("copying between containers is not supported\n", both.err());
        CliRun one = CliRun.run("-H", none, "cp", "a:/x");
        assertEquals(1, one.exitCode());
        assertTrue(one.err().startsWith("berth: 'berth cp' requires 2 arguments\n"), one.err());
        CliRun missing = CliRun.run("-H", none, "cp", dir.resolve("nothing").toString(), "web:/tmp");
        assertEquals(1, missing.exitCode());
        assertEquals("lstat " + dir.resolve("nothing") + ": no such file or directory\n", missing.err());
    }

    @Test
    void givenAFileInTheContainer_whenCopiedOut_thenIntoADirectoryOrUnderTheNewName() throws Exception {
        byte[] tar = tar(entry("hello.txt", '0', "", "hi\n"));
        try (TestServer s = archiveServer(tar, 0644)) {
            Path into = Files.createDirectory(dir.resolve("into"));
            CliRun r = CliRun.run("-H", s.host(), "cp", "web:/srv/hello.txt", into.toString());
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("hi\n", Files.readString(into.resolve("hello.txt")));
            assertEquals("/containers/web/archive?path=%2Fsrv%2Fhello.txt", s.requests().getFirst().target());
            try (var left = Files.list(into)) {
                assertEquals(1, left.count(), "only the copy is left in the directory");
            }

            CliRun renamed = CliRun.run("-H", s.host(), "cp", "web:/srv/hello.txt", dir.resolve("other.txt").toString());
            assertEquals(0, renamed.exitCode(), renamed.err());
            assertEquals("hi\n", Files.readString(dir.resolve("other.txt")));

            CliRun stream = CliRun.run("-H", s.host(), "cp", "web:/srv/hello.txt", "-");
            assertEquals(0, stream.exitCode(), stream.err());
            assertEquals(new String(tar, StandardCharsets.UTF_8), stream.out(), "the daemon's tar as is");
        }
    }

    @Test
    void givenAnArchiveWritingThroughALink_whenCopiedOut_thenRefusedAndNothingWritten() throws Exception {
        Path victim = Files.createDirectory(dir.resolve("victim"));
        byte[] tar = tar(entry("d/", '5', "", ""), entry("d/lnk", '2', victim.toString(), ""),
                entry("d/lnk/owned", '0', "", "x"));
        try (TestServer s = archiveServer(tar, 0x80000000L | 0755)) {
            Path out = dir.resolve("out");
            CliRun r = CliRun.run("-H", s.host(), "cp", "web:/d", out.toString());
            assertEquals(1, r.exitCode(), r.err());
            assertTrue(r.err().contains("refusing to extract the archive"), r.err());
            assertFalse(Files.exists(victim.resolve("owned")));
            assertFalse(Files.exists(out, LinkOption.NOFOLLOW_LINKS));
            try (var left = Files.list(dir)) {
                assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(".berth-cp-")), "scratch removed");
            }
        }
        byte[] absolute = tar(entry("/etc/owned", '0', "", "x"));
        try (TestServer s = archiveServer(absolute, 0644)) {
            CliRun r = CliRun.run("-H", s.host(), "cp", "web:/x", dir.resolve("abs").toString());
            assertEquals(1, r.exitCode(), r.err());
            assertTrue(r.err().contains("refusing to extract the archive"), r.err());
        }
    }

    @Test
    void givenALinkInTheContainersTree_whenCopiedOut_thenTheLinkItselfArrives() throws Exception {
        byte[] tar = tar(entry("d/", '5', "", ""), entry("d/lnk", '2', "/etc", ""));
        try (TestServer s = archiveServer(tar, 0x80000000L | 0755)) {
            CliRun r = CliRun.run("-H", s.host(), "cp", "web:/d", dir.resolve("copy").toString());
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(Files.isSymbolicLink(dir.resolve("copy/lnk")));
            assertEquals("/etc", Files.readSymbolicLink(dir.resolve("copy/lnk")).toString());
        }
    }

    private static TestServer archiveServer(byte[] tar, long mode) throws Exception {
        String stat = Base64.getEncoder().encodeToString(("{\"name\":\"x\",\"size\":1,\"mode\":" + mode
                + ",\"mtime\":\"2026-01-01T00:00:00Z\",\"linkTarget\":\"\"}").getBytes(StandardCharsets.UTF_8));
        return new TestServer(Files.createTempDirectory("cp-sock").resolve("s.sock"), (req, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nX-Docker-Container-Path-Stat: " + stat
                    + "\r\nContent-Length: " + tar.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(tar);
        });
    }

    private record Entry(String name, char type, String link, String content) {
    }

    private static Entry entry(String name, char type, String link, String content) {
        return new Entry(name, type, link, content);
    }

    /** A ustar archive written by hand, so that it may hold what no tar program would write. */
    private static byte[] tar(Entry... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] data = e.content().getBytes(StandardCharsets.UTF_8);
            byte[] h = new byte[512];
            put(h, 0, e.name());
            put(h, 100, String.format("%07o", e.type() == '5' ? 0755 : 0644));
            put(h, 108, "0000000");
            put(h, 116, "0000000");
            put(h, 124, String.format("%011o", data.length));
            put(h, 136, String.format("%011o", 1_700_000_000L));
            java.util.Arrays.fill(h, 148, 156, (byte) ' ');
            h[156] = (byte) e.type();
            put(h, 157, e.link());
            put(h, 257, "ustar");
            put(h, 263, "00");
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, String.format("%06o", sum));
            h[154] = 0;
            out.writeBytes(h);
            out.writeBytes(data);
            out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
