package io.berth.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose start is held ({@code -Dberth.daemon.holdStartUntil}) answers {@code /_ping} and {@code /version}
 * from its early responder with the full daemon's bytes, holds other requests and has Jetty answer them once it
 * starts (the caller stays the actor), and answers them 503 and removes its socket when the start fails.
 */
class EarlyResponderIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private Process daemon;

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts a daemon on {@code root}, held until {@code release} exists (not held when it is null); does not wait. */
    private void launch(Path root, Path release) throws IOException {
        Files.createDirectories(root);
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(TestDaemons.chronicleJvmArgs());
        if (release != null) {
            command.add("-Dberth.daemon.holdStartUntil=" + release);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonMain.class.getName(), "--root",
                root.toString(), "-H", "unix://" + root.resolve("berth.sock"), "--pidfile", root.resolve("berth.pid").toString(),
                "--plugins-dir", plugins.toString()));
        daemon = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(tmp.resolve("daemon.log").toFile())).start();
    }

    private Process start(Path root, Path release) throws IOException, InterruptedException {
        launch(root, release);
        Path socket = root.resolve("berth.sock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // the file appears at bind(2), a moment before listen(2): wait for an answer, not for the file
        while (!answers(socket)) {
            assertTrue(daemon.isAlive(), "the daemon exited: " + log());
            assertTrue(System.nanoTime() < deadline, "no socket after 30 s: " + log());
            Thread.sleep(10);
        }
        return daemon;
    }

    /** A GET sent on another thread, so that the test can see it held. */
    private static CompletableFuture<UnixHttp.Response> getLater(Path socket, String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return UnixHttp.get(socket, path);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static boolean answers(Path socket) {
        try {
            return Files.exists(socket) && raw(socket, "GET", "/_ping").startsWith("HTTP/1.1 200 ");
        } catch (IOException refused) {
            return false;
        }
    }

    private String log() throws IOException {
        Path file = tmp.resolve("daemon.log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** One request, its raw answer (the connection closes after it). */
    private static String raw(Path socket, String method, String path) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            String head = method + " " + path + " HTTP/1.1\r\nHost: berth\r\nUser-Agent: berth-test/1\r\nConnection: close\r\n\r\n";
            channel.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** The answer with the values that differ from one answer to the next (its date, its correlation id) blanked. */
    private static String normalized(String answer) {
        return answer.replaceAll("\r\nDate: [^\r\n]*", "\r\nDate: -").replaceAll("\r\nX-Berth-Correlation-Id: [^\r\n]*", "\r\nX-Berth-Correlation-Id: -");
    }

    @Test
    void givenAHeldStart_whenAsked_thenPingAndVersionAnswerAtOnceAndOtherRequestsWaitForTheDaemon() throws Exception {
        Path root = tmp.resolve("root");
        Path release = tmp.resolve("release");
        start(root, release);
        Path socket = root.resolve("berth.sock");

        List<String> early = new ArrayList<>();
        for (String[] request : new String[][] {{"GET", "/_ping"}, {"HEAD", "/_ping"}, {"GET", "/v1.43/_ping"}, {"GET", "/version"},
                {"GET", "/v1.40/version"}, {"HEAD", "/version"}}) {
            early.add(raw(socket, request[0], request[1]));
        }
        assertTrue(early.get(0).startsWith("HTTP/1.1 200 OK\r\n") && early.get(0).endsWith("\r\n\r\nOK"), early.get(0));
        assertTrue(early.get(0).contains("\r\nApi-Version: 1.43\r\n"), early.get(0));
        JsonNode version = JSON.readTree(early.get(3).substring(early.get(3).indexOf("\r\n\r\n") + 4));
        assertEquals("1.43", version.get("ApiVersion").asText());
        assertFalse(Files.exists(tmp.resolve("root/.berth.sock.api")), "Jetty is not serving yet: the answers were the early responder's");

        // a request that needs the daemon waits (held), and its caller is the actor of what it records
        Process curl = new ProcessBuilder("curl", "-sS", "--unix-socket", socket.toString(), "-H", "Content-Type: application/json",
                "-d", "{\"Text\":\"held\"}", "http://berth/berth/system/note").redirectErrorStream(true).start();
        CompletableFuture<UnixHttp.Response> containers = getLater(socket, "/containers/json");
        Thread.sleep(500);
        assertFalse(containers.isDone(), "GET /containers/json waits while the start is held");
        assertTrue(curl.isAlive(), "the note waits while the start is held");

        Files.createFile(release);
        UnixHttp.Response listed = containers.get(60, TimeUnit.SECONDS);
        assertEquals(200, listed.status(), listed.body());
        assertEquals("[]", listed.body().strip());
        assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, curl.exitValue());
        JsonNode note = null;
        for (String line : UnixHttp.get(socket, "/berth/events?since=0").body().split("\n")) {
            JsonNode event = line.isBlank() ? null : JSON.readTree(line);
            if (event != null && event.get("type").asText().equals("NoteRecorded")) {
                note = event;
            }
        }
        assertTrue(note != null, "the held note was recorded");
        assertEquals(curl.pid(), note.get("actor").get("pid").asLong(), "the actor is the caller, not the relay");
        assertTrue(note.get("actor").get("client").asText().startsWith("claimed:curl/"), note.toString());

        // Jetty now owns the public path; its answers are the early responder's, byte for byte but for date and id
        assertFalse(Files.exists(tmp.resolve("root/.berth.sock.api")), "the private socket was renamed over the public one");
        int i = 0;
        for (String[] request : new String[][] {{"GET", "/_ping"}, {"HEAD", "/_ping"}, {"GET", "/v1.43/_ping"}, {"GET", "/version"},
                {"GET", "/v1.40/version"}, {"HEAD", "/version"}}) {
            assertEquals(normalized(early.get(i++)), normalized(raw(socket, request[0], request[1])), request[0] + " " + request[1]);
        }
        daemon.destroy();
        assertTrue(daemon.waitFor(20, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket), "the stop removes the socket");
        try (var left = Files.list(root)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".api")).toList());
        }
    }

    @Test
    void givenAStartThatFailsBeforeJetty_whenARequestIsHeld_thenItGets503AndTheSocketGoes() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root);
        // a file where Jetty's private socket goes: the start fails after the hold, before Jetty serves
        Files.writeString(root.resolve(".berth.sock.api"), "not a socket\n");
        Path release = tmp.resolve("release");
        start(root, release);
        Path socket = root.resolve("berth.sock");
        assertEquals(daemon.pid() + "\n",
                Files.readString(root.resolve("berth.pid")), "the pid file is written once the socket answers");
        CompletableFuture<UnixHttp.Response> held = getLater(socket, "/containers/json");
        Thread.sleep(300);
        assertFalse(held.isDone());
        Files.createFile(release);
        UnixHttp.Response refused = held.get(30, TimeUnit.SECONDS);
        assertEquals(503, refused.status(), refused.body());
        assertEquals("the daemon did not start: " + root.resolve(".berth.sock.api") + " exists and is not a socket; remove it or"
                + " choose another path with -H unix://PATH", JSON.readTree(refused.body()).get("message").asText());
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, daemon.exitValue(), log());
        assertFalse(Files.exists(socket), "the socket is removed");
        assertFalse(Files.exists(root.resolve("berth.pid")), "its own pid file is removed");
    }

    @Test
    void givenAPidFileOfALiveProcess_whenTheDaemonStarts_thenItExits1AndKeepsThatFileAndNoSocket() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root);
        Files.writeString(root.resolve("berth.pid"), ProcessHandle.current().pid() + "\n"); // this test is alive
        launch(root, null);
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, daemon.exitValue(), log());
        assertTrue(log().contains("a daemon is already running with pid " + ProcessHandle.current().pid()), log());
        assertFalse(Files.exists(root.resolve("berth.sock")), "no socket is left");
        assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(root.resolve("berth.pid")), "another's pid file is kept");
    }

    @Test
    void givenAStartThatFailsOpeningTheLog_whenARequestIsHeld_thenItGets503AndSocketAndPidFileGo() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root);
        Files.writeString(root.resolve("events"), "not a directory");
        Path release = tmp.resolve("release");
        start(root, release);
        Path socket = root.resolve("berth.sock");
        CompletableFuture<UnixHttp.Response> held = getLater(socket, "/containers/json");
        Thread.sleep(300);
        Files.createFile(release);
        UnixHttp.Response refused = held.get(60, TimeUnit.SECONDS);
        assertEquals(503, refused.status(), refused.body());
        String message = JSON.readTree(refused.body()).get("message").asText();
        assertTrue(message.startsWith("the daemon did not start: ") && !message.contains("\n"), message);
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, daemon.exitValue(), log());
        assertFalse(Files.exists(socket), "the socket is removed");
        assertFalse(Files.exists(root.resolve("berth.pid")), "the pid file is removed");
        assertFalse(Files.exists(root.resolve(".berth.sock.api")), "the private socket is removed");
    }

    @Test
    void givenThreeDaemonsStartedAtOnceOnOneSocket_thenOneServesAndTheLosersLeaveItsSocketAlone() throws Exception {
        Path socket = tmp.resolve("shared.sock");
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> daemons = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Path root = Files.createDirectories(tmp.resolve("root" + i));
                List<String> command = new ArrayList<>(List.of(java));
                command.addAll(TestDaemons.chronicleJvmArgs());
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonMain.class.getName(),
                        "--root", root.toString(), "-H", "unix://" + socket, "--pidfile", root.resolve("berth.pid").toString(),
                        "--plugins-dir", plugins.toString()));
                daemons.add(new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.to(tmp.resolve("daemon" + i + ".log").toFile())).start());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (daemons.stream().filter(Process::isAlive).count() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<Process> alive = daemons.stream().filter(Process::isAlive).toList();
            assertEquals(1, alive.size(), "one daemon serves the socket");
            for (int i = 0; i < 3; i++) {
                if (!daemons.get(i).isAlive()) {
                    assertEquals(1, daemons.get(i).exitValue());
                    assertTrue(Files.readString(tmp.resolve("daemon" + i + ".log")).contains("another daemon is already listening on " + socket),
                            Files.readString(tmp.resolve("daemon" + i + ".log")));
                }
            }
            assertTrue(answers(socket), "the winner's socket is still there and answers");
            assertEquals(200, UnixHttp.get(socket, "/containers/json").status());
        } finally {
            for (Process process : daemons) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        assertFalse(Files.exists(socket), "the winner's stop removes its socket");
    }
}
