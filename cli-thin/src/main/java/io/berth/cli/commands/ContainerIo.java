package io.berth.cli.commands;

import io.berth.cli.api.ApiException;
import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import io.berth.cli.http.Duplex;
import io.berth.cli.http.HttpResponse;
import io.berth.cli.stream.Frames;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts a container and stays attached to it, as {@code docker run} and {@code docker start -a} do; the
 * result is the container's exit code.
 *
 * <p>Two ways, chosen by whether stdin is attached:
 * <ul>
 *   <li>Without stdin: start, then follow the container's log ({@code GET /containers/{id}/logs?follow=1}),
 *       which the daemon ends when the container stops. The log is written by the container's monitor, so
 *       nothing the container prints between its start and this request is lost, whatever the timing.
 *       Ctrl-C and SIGTERM are passed on to the container (Docker's {@code --sig-proxy}).</li>
 *   <li>With stdin ({@code -i}): {@code POST /containers/{id}/attach} as a full-duplex exchange opened
 *       <em>before</em> the start, stdin sent as request chunks, the output read from the response; with
 *       {@code -t} on a terminal, the local terminal is in raw mode (restored on exit, also on SIGTERM
 *       and SIGHUP) and its size is sent with {@code resize} (again on SIGWINCH).</li>
 * </ul>
 * The exit code comes from {@code POST /containers/{id}/wait}.
 */
final class ContainerIo {
    /**
     * How long to wait for the attach's response head before starting. The daemon registers the attach and
     * then opens its answer; a daemon that sends the head only with the first output makes this a plain
     * delay (see the README).
     */
    static final long ATTACH_HEAD_WAIT_MILLIS = 300;
    /** After the container exited, how long its output may take to drain before the attach is closed. */
    static final long DRAIN_MILLIS = 2000;
    /**
     * Whether to send the terminal's size with {@code POST /containers/{id}/resize} (the daemon resizes
     * through the attachment this client holds); {@code -Dberth.tty.resize=false} turns it off. The size
     * also goes in the create body ({@code HostConfig.ConsoleSize}, as Docker's CLI sends it).
     */
    static final boolean RESIZE = !"false".equals(System.getProperty("berth.tty.resize"));

    private final CommandContext root;
    private final String id;
    private final Streams streams;
    private final BerthApi api;
    private String resizePath;

    /**
     * Which of the container's streams this client takes, as Docker's attach and logs parameters name them.
     *
     * @param tty    whether the container has a terminal (then stdout carries everything)
     * @param stdin  whether the CLI's stdin goes to the container
     * @param stdout whether its standard output is shown
     * @param stderr whether its standard error is shown
     */
    record Streams(boolean tty, boolean stdin, boolean stdout, boolean stderr) {
        /** {@code stdout=1&stderr=0}, as {@code /attach} and {@code /logs} take them. */
        String outputQuery() {
            return "stdout=" + (stdout ? 1 : 0) + "&stderr=" + (stderr ? 1 : 0);
        }
    }

    ContainerIo(CommandContext root, String id, Streams streams) {
        this.root = root;
        this.id = id;
        this.streams = streams;
        this.api = root.api();
        this.resizePath = path() + "/resize";
    }

    private String path() {
        return "/containers/" + BerthApi.pathSegment(id);
    }

    /**
     * Starts the container and copies its output until it ends.
     *
     * @param sinceNanos for the log way: only output from this time on (Unix nanoseconds; 0 for all, as for
     *                   a container just created)
     * @return the container's exit code
     * @throws ApiException the start failed
     */
    int startAttached(long sinceNanos) throws IOException, InterruptedException {
        return streams.stdin() ? viaAttach() : viaLogs(sinceNanos);
    }

    private int viaLogs(long sinceNanos) throws IOException, InterruptedException {
        api.postStatus(path() + "/start");
        // the wait goes out now, beside the log, so its answer is there when the log ends rather than a
        // request later
        ExitWait exit = new ExitWait();
        Thread waiter = new Thread(exit, "wait");
        waiter.setDaemon(true);
        waiter.start();
        if (!streams.tty()) {
            Signals.proxy(api, path());
        }
        if (streams.stdout() || streams.stderr()) {
            String since = sinceNanos <= 0 ? "" : "&since=" + (sinceNanos / 1_000_000_000L) + "."
                    + pad9(sinceNanos % 1_000_000_000L);
            try (HttpResponse r = api.open("GET", path() + "/logs?follow=1&" + streams.outputQuery() + since, null)) {
                Frames.copy(r.body(), Frames.isRaw(r.header("Content-Type")), root.out(), root.err());
            }
        }
        waiter.join();
        if (exit.failure != null) {
            throw exit.failure;
        }
        return exit.code;
    }

    /** {@code POST /containers/{id}/wait} on a thread of its own. */
    private final class ExitWait implements Runnable {
        int code;
        IOException failure;

        @Override
        public void run() {
            try {
                code = waitExit();
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    private static String pad9(long n) {
        String s = Long.toString(n);
        return "000000000".substring(s.length()) + s;
    }

    private int waitExit() throws IOException {
        Object answer = api.post(path() + "/wait", null);
        Object code = Json.at(answer, "StatusCode");
        return code instanceof Number n ? n.intValue() : 0;
    }

    private int viaAttach() throws IOException, InterruptedException {
        Duplex duplex = api.openDuplex(path() + "/attach?stream=1&stdin=1&" + streams.outputQuery());
        HeadReader head = new HeadReader(duplex);
        Thread headThread = new Thread(head, "attach-head");
        headThread.setDaemon(true);
        headThread.start();
        head.arrived.await(ATTACH_HEAD_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        try {
            api.postStatus(path() + "/start");
        } catch (IOException e) {
            duplex.close();
            throw e;
        }
        String savedTerminal = null;
        if (streams.tty() && root.stdinIsTerminal()) {
            savedTerminal = TerminalMode.raw();
            if (savedTerminal != null) {
                Signals.restoreOnExit(savedTerminal);
            }
            if (RESIZE) {
                resize();
                Signals.onResize(this);
            }
        } else if (!streams.tty()) {
            Signals.proxy(api, path());
        }
        try {
            Thread input = new Thread(new StdinPump(root.in(), duplex), "stdin");
            input.setDaemon(true);
            input.start();
            Watchdog watchdog = new Watchdog(duplex);
            Thread w = new Thread(watchdog, "wait");
            w.setDaemon(true);
            w.start();
            boolean gotOutput = false;
            try {
                HttpResponse r = duplex.response();
                BerthApi.check(r);
                gotOutput = true;
                Frames.copy(r.body(), Frames.isRaw(r.header("Content-Type")), root.out(), root.err());
            } catch (ApiException e) {
                throw e;
            } catch (IOException e) {
                // closed by the watchdog, or the daemon went away: the exit code still tells
            }
            watchdog.outputDone = true;
            if (!gotOutput) {
                // The attach never answered (it was late, and the container had already ended): its log has it all.
                try (HttpResponse r = api.open("GET", path() + "/logs?" + streams.outputQuery(), null)) {
                    Frames.copy(r.body(), Frames.isRaw(r.header("Content-Type")), root.out(), root.err());
                }
            }
            return waitExit();
        } finally {
            if (savedTerminal != null) {
                TerminalMode.restore(savedTerminal);
            }
        }
    }

    /**
     * Runs a created exec with its stdin attached: {@code POST /exec/{id}/start?stream=1} as a full-duplex
     * exchange (stdin as request chunks, output from the response, which the daemon ends when the process
     * has). With {@code -t} on a terminal, the local terminal is in raw mode meanwhile (restored on exit,
     * also on SIGTERM and SIGHUP) and SIGWINCH sends the new size with {@code /exec/{id}/resize}; the size at
     * the start goes in the exec's create body ({@code ConsoleSize}).
     */
    void execAttached(String execId) throws IOException {
        String execPath = "/exec/" + BerthApi.pathSegment(execId);
        resizePath = execPath + "/resize";
        Duplex duplex = api.openDuplex(execPath + "/start?stream=1");
        String savedTerminal = null;
        if (streams.tty() && root.stdinIsTerminal()) {
            savedTerminal = TerminalMode.raw();
            if (savedTerminal != null) {
                Signals.restoreOnExit(savedTerminal);
            }
            if (RESIZE) {
                Signals.onResize(this);
            }
        }
        try {
            Thread input = new Thread(new StdinPump(root.in(), duplex), "stdin");
            input.setDaemon(true);
            input.start();
            try {
                HttpResponse r = duplex.response();
                BerthApi.check(r);
                Frames.copy(r.body(), Frames.isRaw(r.header("Content-Type")), root.out(), root.err());
            } catch (ApiException e) {
                throw e;
            } catch (IOException e) {
                // the daemon went away: the exec's inspect tells the rest
            } finally {
                duplex.close();
            }
        } finally {
            if (savedTerminal != null) {
                TerminalMode.restore(savedTerminal);
            }
        }
    }

    /** Sends the local terminal's size; a failure is not worth stopping for. */
    void resize() {
        int[] size = TerminalMode.size();
        if (size == null) {
            return;
        }
        try {
            api.postStatus(resizePath + "?h=" + size[0] + "&w=" + size[1]);
        } catch (IOException e) {
            if (root.debug()) {
                root.err().println("berth: resize: " + e.getMessage());
            }
        }
    }

    /** Reads the attach's response head as soon as it comes. */
    private static final class HeadReader implements Runnable {
        final CountDownLatch arrived = new CountDownLatch(1);
        private final Duplex duplex;

        HeadReader(Duplex duplex) {
            this.duplex = duplex;
        }

        @Override
        public void run() {
            try {
                duplex.response();
            } catch (IOException e) {
                // the main thread sees it again when it asks for the response
            } finally {
                arrived.countDown();
            }
        }
    }

    /** Copies the CLI's stdin into the attach's request body; its end ends the container's stdin. */
    private static final class StdinPump implements Runnable {
        private final InputStream in;
        private final Duplex duplex;

        StdinPump(InputStream in, Duplex duplex) {
            this.in = in;
            this.duplex = duplex;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    duplex.write(buf, 0, n);
                }
                duplex.endBody();
            } catch (IOException e) {
                // the exchange is over
            }
        }
    }

    /**
     * Waits for the container to exit, then gives its output {@link #DRAIN_MILLIS} to arrive before closing
     * the attach: a stream the daemon never ends must not keep {@code run} waiting.
     */
    private final class Watchdog implements Runnable {
        private final Duplex duplex;
        volatile boolean outputDone;

        Watchdog(Duplex duplex) {
            this.duplex = duplex;
        }

        @Override
        public void run() {
            try {
                waitExit();
                long deadline = System.nanoTime() + DRAIN_MILLIS * 1_000_000L;
                while (!outputDone && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                if (!outputDone) {
                    duplex.close();
                }
            } catch (IOException | InterruptedException e) {
                // the main thread finishes on its own
            }
        }
    }

    /** The local terminal's mode, through {@code stty} on {@code /dev/tty} (the JDK has no termios). */
    static final class TerminalMode {
        private TerminalMode() {
        }

        /** Puts the terminal in raw mode without echo; returns its previous settings, or {@code null}. */
        static String raw() {
            String saved = stty("-g");
            if (saved == null || saved.isBlank()) {
                return null;
            }
            stty("raw", "-echo");
            return saved.strip();
        }

        static void restore(String saved) {
            stty(saved);
        }

        /** {@code [rows, columns]}, or {@code null} when there is no terminal. */
        static int[] size() {
            String s = stty("size");
            if (s == null) {
                return null;
            }
            String[] parts = s.strip().split(" ");
            try {
                return parts.length == 2 ? new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])} : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static String stty(String... args) {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "stty";
            System.arraycopy(args, 0, cmd, 1, args.length);
            try {
                Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/tty"))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                return p.waitFor() == 0 ? out : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Signal handlers through {@code sun.misc.Signal} (module jdk.unsupported); unavailable ones are skipped. */
    static final class Signals {
        private Signals() {
        }

        /** Passes SIGINT and SIGTERM on to the container, as Docker's {@code --sig-proxy} does. */
        static void proxy(BerthApi api, String containerPath) {
            handle("INT", new Proxy(api, containerPath, "SIGINT"));
            handle("TERM", new Proxy(api, containerPath, "SIGTERM"));
        }

        /** On SIGTERM or SIGHUP: restore the terminal, then exit as killed by that signal. */
        static void restoreOnExit(String saved) {
            handle("TERM", new Restore(saved, 143));
            handle("HUP", new Restore(saved, 129));
            handle("INT", new Restore(saved, 130));
        }

        /** On SIGWINCH: send the new size. */
        static void onResize(ContainerIo io) {
            handle("WINCH", new Resize(io));
        }

        private static void handle(String name, sun.misc.SignalHandler handler) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), handler);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // this JVM keeps that signal for itself
            }
        }

        private record Proxy(BerthApi api, String containerPath, String signal) implements sun.misc.SignalHandler {
            @Override
            public void handle(sun.misc.Signal s) {
                try {
                    api.postStatus(containerPath + "/kill?signal=" + signal);
                } catch (IOException e) {
                    // the container is gone already
                }
            }
        }

        private record Restore(String saved, int code) implements sun.misc.SignalHandler {
            @Override
            public void handle(sun.misc.Signal s) {
                TerminalMode.restore(saved);
                Runtime.getRuntime().halt(code);
            }
        }

        private record Resize(ContainerIo io) implements sun.misc.SignalHandler {
            @Override
            public void handle(sun.misc.Signal s) {
                io.resize();
            }
        }
    }
}
