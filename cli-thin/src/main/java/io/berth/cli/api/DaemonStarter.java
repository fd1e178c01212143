package io.berth.cli.api;

import io.berth.cli.http.HttpResponse;
import io.berth.cli.http.UnixHttpClient;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts a daemon in the background when none answers, so a first-time user needs no separate step.
 *
 * <p>The daemon is started the way the user would start it, through the launcher
 * ({@code $BERTH_LAUNCHER daemon -H unix://SOCKET [--root ROOT] [--pidfile ROOT/berth.pid]}), in its own
 * session ({@code setsid}) so the terminal's signals do not reach it, with stdin from {@code /dev/null} and
 * stdout and stderr appended to {@code ROOT/daemon.log}, by a short-lived {@code /bin/sh} that starts it in
 * the background and hands back its pid (so the daemon is not the CLI's child: see {@link #launch}). It then
 * polls {@code /_ping} until the daemon answers, exits (its last log line is quoted), or the timeout passes.
 *
 * <p>Commands that find no daemon at the same moment start one between them: the first to take the lock
 * {@code SOCKET.lock} starts it and holds the lock until it answers; the others then find it answering.
 *
 * <p>{@code --pidfile} is passed only for a non-default socket: a second daemon on its own socket and root
 * (tests, a user's private engine) must not fight the system daemon over {@code /run/berth/berth.pid}.
 *
 * @param launcher      the launcher script ({@code BERTH_LAUNCHER}); {@code null} if the CLI was not
 *                      started through it, in which case {@link #start} explains how to start a daemon
 * @param socket        the socket the daemon must serve
 * @param root          the root given with --root or BERTH_ROOT, or {@code null} for the daemon's default
 * @param defaultHost   whether {@code socket} is the default socket
 * @param timeoutMillis how long to wait for {@code /_ping}, in milliseconds: the CLI's hot path avoids
 *                      {@code java.time.Duration}, whose initialisation initialises {@code BigInteger}
 */
public record DaemonStarter(String launcher, Path socket, String root, boolean defaultHost, long timeoutMillis) {
    /** The daemon's default root, used for the log file when neither --root nor BERTH_ROOT is given. */
    public static final String DEFAULT_ROOT = "/var/lib/berth";

    /** As the canonical constructor, with the timeout as a {@link Duration}. */
    public DaemonStarter(String launcher, Path socket, String root, boolean defaultHost, Duration timeout) {
        this(launcher, socket, root, defaultHost, timeout.toMillis());
    }

    /** The daemon's log file: {@code ROOT/daemon.log}. */
    public Path logFile() {
        return Path.of(root != null ? root : DEFAULT_ROOT).resolve("daemon.log");
    }

    /** The command line that starts the daemon, without {@code setsid}. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>(List.of(launcher, "daemon", "-H", "unix://" + socket));
        if (root != null) {
            cmd.add("--root");
            cmd.add(root);
        }
        if (!defaultHost) {
            cmd.add("--pidfile");
            cmd.add(Path.of(root != null ? root : DEFAULT_ROOT).resolve("berth.pid").toString());
        }
        return cmd;
    }

    /**
     * Starts the daemon and waits until it answers {@code /_ping}.
     *
     * @param client a client for the same socket, used to ping
     * @throws DaemonStartException it could not be started or never answered; the message is one line
     */
    public void start(UnixHttpClient client) throws DaemonStartException {
        if (launcher == null || launcher.isEmpty()) {
            throw new DaemonStartException("Cannot connect to the berth daemon at unix://" + socket
                    + ": no daemon is running, and none can be started because BERTH_LAUNCHER is not set"
                    + " (run the berth launcher, or start one with 'berth daemon')");
        }
        // One daemon, however many commands find none at once: each takes a lock beside the socket, and a
        // command that got it after another one finds that one's daemon answering and starts nothing.
        Path lockFile = socket.resolveSibling(socket.getFileName() + ".lock");
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (ping(client)) {
                    return;
                }
                launch(client);
            }
        } catch (DaemonStartException e) {
            throw e;
        } catch (IOException e) {
            throw new DaemonStartException("Cannot start the berth daemon: cannot lock " + lockFile + " ("
                    + e.getMessage() + ")");
        }
    }

    /** Starts the daemon (the caller holds the start lock) and waits until it answers. */
    private void launch(UnixHttpClient client) throws DaemonStartException {
        Path log = logFile();
        ProcessHandle daemon;
        long ownOutputStart;
        try {
            Files.createDirectories(log.getParent());
            List<String> cmd = command();
            try (Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                w.write(Instant.now() + " berth: no daemon answered on unix://" + socket + "; starting: "
                        + String.join(" ", cmd) + System.lineSeparator());
            }
            ownOutputStart = Files.size(log);
            List<String> full = new ArrayList<>(cmd.size() + 5);
            // A short-lived shell starts the daemon in its background and hands back its pid: the daemon is then
            // not this JVM's child, so no JDK reaper thread waits in waitpid(2) for it when the command ends
            // (HotSpot's exit waits up to 300 ms for threads in native code, which every first command paid).
            full.addAll(List.of("/bin/sh", "-c", "\"$@\" </dev/null >>\"$BERTH_DAEMON_LOG\" 2>&1 & echo $!", "sh"));
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                full.add("/usr/bin/setsid");
            }
            full.addAll(cmd);
            ProcessBuilder builder = new ProcessBuilder(full)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("BERTH_DAEMON_LOG", log.toString());
            Process shell = builder.start();
            String pid = new String(shell.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (shell.waitFor() != 0 || !pid.matches("[0-9]+")) {
                throw new DaemonStartException("Cannot start the berth daemon: /bin/sh could not start it; see " + log);
            }
            daemon = ProcessHandle.of(Long.parseLong(pid)).orElse(null);
        } catch (IOException e) {
            throw new DaemonStartException("Cannot start the berth daemon (" + e.getMessage() + "); see " + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaemonStartException("interrupted while starting the berth daemon; see " + log);
        }

        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        // short polls: a starting daemon answers /_ping as soon as its socket is served (before its log is
        // open), so every poll interval is added to the first command's time (half of it on average). Until the
        // socket file appears a poll is one stat call, without a connection attempt and its exception: cheap
        // enough every 5 ms beside a daemon that starts on the same two cores.
        long sleepMillis = 5;
        while (true) {
            if (Files.exists(socket) && ping(client)) {
                return;
            }
            if (daemon == null || !daemon.isAlive()) {
                // A daemon started otherwise (by hand) may have taken the socket meanwhile: ours then exits, it answers.
                if (ping(client)) {
                    return;
                }
                // not this process's child: its exit status is not known here, its last word is in the log
                throw new DaemonStartException("Cannot start the berth daemon: it exited"
                        + lastLine(log, ownOutputStart).map(line -> " (" + line + ")").orElse("") + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new DaemonStartException("Cannot start the berth daemon: no answer on unix://" + socket
                        + " after " + timeoutMillis / 1000 + " s; see " + log);
            }
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DaemonStartException("interrupted while waiting for the berth daemon; see " + log);
            }
        }
    }

    /**
     * The last non-blank line the daemon wrote to its log (past {@code from}, read from at most its last 4 KiB):
     * a daemon that refuses to start says why in one line (a missing host package, a bad config key), which the
     * user should not have to look for.
     */
    static Optional<String> lastLine(Path log, long from) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            int size = (int) Math.max(0, Math.min(length - from, 4096));
            byte[] tail = new byte[size];
            file.seek(length - size);
            file.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (!lines[i].isBlank()) {
                    return Optional.of(lines[i].strip());
                }
            }
        } catch (IOException e) {
            // no log to quote: the message still names the file
        }
        return Optional.empty();
    }

    /** Whether a daemon answers {@code GET /_ping} with 2xx. */
    public static boolean ping(UnixHttpClient client) {
        try (HttpResponse r = client.send("GET", "/_ping")) {
            r.bodyBytes();
            return r.isSuccess();
        } catch (IOException e) {
            return false;
        }
    }
}
