package io.berth.plugin.runc;

import io.berth.spi.runtime.CommandNotRunnableException;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerRuntimeException.Reason;
import io.berth.spi.runtime.ContainerSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * conmon, the per-container monitor: its command line, starting it, and its files.
 *
 * <p>conmon forks once and its parent exits after writing {@code --conmon-pidfile}, so the
 * monitor is never a child of the daemon; it calls setsid and survives the daemon. It then runs
 * {@code runc create}, holds the container's stdio, writes the k8s-file log and, when the
 * container's first process ends, the exit file.
 *
 * <h2>How create learns the outcome</h2>
 * conmon can report runc's outcome on a "sync pipe" inherited as fd {@code _OCI_SYNCPIPE}. berth
 * does not use it: conmon {@code pexit}s if writing to it fails, so a daemon that dies between
 * starting conmon and reading the pipe would take the monitor (and the container's only record
 * of its exit) with it, and the JDK cannot hand a child extra descriptors without a shell
 * wrapper. Instead create polls, every few milliseconds, for what runc and conmon leave behind:
 * <ul>
 *   <li>success: runc's {@code --pid-file} ({@code BUNDLE/pidfile}), which runc renames into
 *       place only once the container is created;</li>
 *   <li>failure: conmon's process (pid from {@code --conmon-pidfile}) is gone without a pid
 *       file; runc's error line is the last {@code error} entry of its JSON log
 *       ({@code --runtime-arg --log=…}), which runc writes before it exits;</li>
 *   <li>timeout: neither within the create timeout: conmon is killed and the container deleted.</li>
 * </ul>
 * Nothing ties conmon to the daemon: no pipe, no socket, no parent-death signal.
 *
 * @param conmon     the conmon binary
 * @param runc       the runc it runs the container with
 * @param layout     where the plugin keeps each container's files
 * @param logLevel   conmon's {@code --log-level}
 * @param logSizeMax conmon's {@code --log-size-max} for the container's log, or {@code null} for none
 * @param syncLog    whether conmon syncs the container's log to disk when the container ends; it does
 *                   that before it writes the exit file, so it delays every exit (Docker does not sync
 *                   its container logs either)
 */
record Conmon(Path conmon, Runc runc, Layout layout, String logLevel, String logSizeMax, boolean syncLog) {

    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(10);

    Conmon(Path conmon, Runc runc, Layout layout, String logLevel, String logSizeMax) {
        this(conmon, runc, layout, logLevel, logSizeMax, false);
    }

    /** The runc pid file in the bundle, as conmon's {@code -p} names it. */
    static Path containerPidFile(Path bundle) {
        return bundle.resolve("pidfile");
    }

    /**
     * The command line that creates a container.
     *
     * @param spec the container
     * @return conmon and its arguments
     */
    List<String> createCommand(ContainerSpec spec) {
        String id = spec.id();
        Path bundle = spec.bundle();
        List<String> command = new ArrayList<>(List.of(
                conmon.toString(), "--api-version", "1",
                "-c", id, "-u", id, "-n", id,
                "-r", runc.program().toString(),
                "-b", bundle.toString(),
                "-p", containerPidFile(bundle).toString(),
                "--exit-dir", spec.exitDirectory().toString(),
                "-l", "k8s-file:" + spec.logPath(),
                "--log-level", logLevel,
                "--socket-dir-path", layout.sockets().toString(),
                "--conmon-pidfile", layout.conmonPidFile(id).toString(),
                "--persist-dir", layout.container(id).toString(),
                "--runtime-arg", "--root=" + runc.root(),
                "--runtime-arg", "--log-format=json",
                "--runtime-arg", "--log=" + layout.createLog(id)));
        if (logSizeMax != null && !logSizeMax.isBlank()) {
            command.addAll(List.of("--log-size-max", logSizeMax));
        }
        if (!syncLog) {
            command.add("--no-sync-log");
        }
        if (spec.terminal()) {
            command.add("-t");
        }
        if (spec.openStdin()) {
            command.add("-i");
        }
        return command;
    }

    /**
     * Starts conmon and waits until runc has created the container.
     *
     * @param spec    the container, its config.json already in the bundle
     * @param timeout how long runc create may take
     * @return the host pid of the container's first process
     * @throws ContainerRuntimeException with runc's error line if create failed
     */
    long create(ContainerSpec spec, Duration timeout) throws ContainerRuntimeException {
        String id = spec.id();
        List<String> command = createCommand(spec);
        Command launched;
        try {
            launched = Command.run(command, layout.container(id), LAUNCH_TIMEOUT);
        } catch (IOException e) {
            throw new ContainerRuntimeException(Reason.NOT_USABLE, "container " + id + ": cannot run " + conmon + ": " + e.getMessage(), e);
        } catch (Command.TimeoutException e) {
            throw new ContainerRuntimeException(Reason.TIMEOUT, "container " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": interrupted while starting conmon", e);
        }
        if (launched.exitCode() != 0) {
            throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": conmon exited with " + launched.exitCode()
                    + ": " + launched.firstErrorLine());
        }
        Path pidFile = containerPidFile(spec.bundle());
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        long pause = 1;
        int round = 0;
        while (true) {
            // a stat per round; the file is read, and conmon looked at, only now and then (a missing file
            // costs an exception to read)
            if (Files.exists(pidFile) || round++ % 8 == 0) {
                OptionalLong pid = readPid(pidFile);
                if (pid.isPresent()) {
                    return pid.getAsLong();
                }
            } else {
                if (!sleep(pause)) {
                    throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": interrupted while waiting for runc create");
                }
                continue;
            }
            OptionalLong pid;
            OptionalLong monitor = conmonPid(id);
            if (monitor.isPresent() && !alive(monitor.getAsLong())) {
                // conmon may have exited right after runc wrote the pid file (a very short container)
                pid = readPid(pidFile);
                if (pid.isPresent()) {
                    return pid.getAsLong();
                }
                throw createFailure(id);
            }
            if (System.nanoTime() > deadline) {
                monitor.ifPresent(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
                try {
                    runc.delete(id, true);
                } catch (ContainerRuntimeException e) {
                    // best effort: the timeout is the error to report
                }
                throw new ContainerRuntimeException(Reason.TIMEOUT, "container " + id + ": runc create did not finish within "
                        + timeout.toSeconds() + " s; conmon was killed");
            }
            if (!sleep(pause)) {
                throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": interrupted while waiting for runc create");
            }
            // runc create takes 0.1-0.2 s: a short pause finds its pid file soon after, a stat costs little
            pause = System.nanoTime() - started < 1_000_000_000L ? 2 : Math.min(pause * 2, 20);
        }
    }

    private ContainerRuntimeException createFailure(String id) {
        String log;
        try {
            log = Files.readString(layout.createLog(id), StandardCharsets.UTF_8);
        } catch (IOException e) {
            log = "";
        }
        String error = Runc.lastErrorInLog(log);
        if (error.isEmpty()) {
            return new ContainerRuntimeException(Reason.FAILED, "container " + id
                    + ": conmon exited before runc created the container, and runc logged no error in " + layout.createLog(id));
        }
        String message = "container " + id + ": " + error;
        String lower = error.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("exec")) {
            if (lower.contains("executable file not found") || lower.contains("no such file or directory")) {
                return new CommandNotRunnableException(CommandNotRunnableException.Problem.NOT_FOUND, message);
            }
            if (lower.contains("permission denied") || lower.contains("is a directory")) {
                return new CommandNotRunnableException(CommandNotRunnableException.Problem.NOT_EXECUTABLE, message);
            }
        }
        return Runc.failure(id, "create", error);
    }

    /** @return conmon's pid from its pid file, if it wrote one */
    OptionalLong conmonPid(String id) {
        return readPid(layout.conmonPidFile(id));
    }

    /**
     * Waits for conmon to exit (it does once the container's processes are gone and the exit
     * file is written), killing it if it outstays the timeout.
     */
    void awaitExit(String id, Duration timeout) {
        OptionalLong pid = conmonPid(id);
        if (pid.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (alive(pid.getAsLong())) {
            if (System.nanoTime() > deadline) {
                ProcessHandle.of(pid.getAsLong()).ifPresent(ProcessHandle::destroyForcibly);
                return;
            }
            if (!sleep(pause)) {
                return;
            }
            pause = Math.min(pause * 2, 20);
        }
    }

    /**
     * Removes what conmon left for a container: its persist directory (pid file, runc log, exit
     * and oom files, the plugin's record), the attach symlink, and its files in the bundle
     * (runc's pid file, the attach socket, the ctl and winsz fifos).
     */
    void removeFiles(String id, Optional<Path> bundle) throws IOException {
        Layout.removeTree(layout.container(id));
        Files.deleteIfExists(layout.socketLink(id));
        if (bundle.isPresent()) {
            for (String name : List.of("pidfile", "attach", "ctl", "winsz")) {
                Files.deleteIfExists(bundle.get().resolve(name));
            }
        }
    }

    static OptionalLong readPid(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
        } catch (NoSuchFileException | NumberFormatException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** @return whether a process runs (a zombie does not count) */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** @return false if interrupted (the flag is set again) */
    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
