package io.berth.plugin.runc;

import io.berth.spi.os.Descriptors;
import io.berth.spi.os.Signals;
import io.berth.spi.os.Terminals;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ExecHandle;
import io.berth.spi.runtime.ExitStatus;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An exec session: {@code runc exec} run in the foreground as a child of the daemon, its exit
 * status runc's own (the process's code, or 128 plus the signal). A failure of runc itself (the
 * program is not in the image) is read from runc's JSON log and reported as Docker does: 127 not
 * found, 126 not executable.
 *
 * <p>Without a terminal the process's standard streams are the JDK's pipes to runc. With a
 * terminal, runc in the foreground allocates the container's pseudo-terminal and relays it to its
 * own standard streams (runc accepts {@code --console-socket} only with {@code --detach}, which
 * would lose the exit status): these are the slave of a raw pseudo-terminal the plugin opens, whose
 * master is read and written through {@link io.berth.spi.os.Terminals}; a resize sets the master's size and sends runc
 * {@code SIGWINCH}, on which runc copies that size to the container's terminal. The slave is opened
 * by the child ({@code sh -c 'exec runc … <TTY >TTY 2>&1'}), not by the daemon, which as a session
 * leader would otherwise make it its controlling terminal and be hung up when it closes.
 *
 * <pre>
 * runc --root ROOT --log-format json --log DATA/containers/ID/exec-EXECID.log \
 *      exec --process DATA/containers/ID/exec-EXECID.json --pid-file DATA/containers/ID/exec-EXECID.pid ID
 * </pre>
 */
final class RuncExec implements ExecHandle {

    private static final Duration PID_WAIT = Duration.ofSeconds(5);

    private final ExecFiles files;
    private final Process process;
    private final Stdio stdio;
    private volatile ExitStatus exit;

    private RuncExec(ExecFiles files, Process process, Stdio stdio) {
        this.files = files;
        this.process = process;
        this.stdio = stdio;
    }

    /**
     * An exec's files in the container's directory, named by its exec id, and how messages name the exec.
     *
     * @param label "container ID, exec EXEC-ID"
     * @param spec  the process spec runc reads ({@code exec-ID.json})
     * @param pid   where runc writes the process's pid ({@code exec-ID.pid})
     * @param log   runc's own log ({@code exec-ID.log}), where its error line is
     */
    private record ExecFiles(String label, Path spec, Path pid, Path log) {
        static ExecFiles of(Path dir, String id, String execId) {
            return new ExecFiles("container " + id + ", exec " + execId, dir.resolve("exec-" + execId + ".json"),
                    dir.resolve("exec-" + execId + ".pid"), dir.resolve("exec-" + execId + ".log"));
        }

        /** Clears what an earlier exec of the same id left and writes the process spec. */
        void prepare(byte[] processJson) throws IOException {
            Files.deleteIfExists(pid);
            Files.deleteIfExists(log);
            Files.write(spec, processJson);
        }

        /** Deletes the three files; the container's directory goes with delete anyway, so a failure is left. */
        void delete() {
            try {
                Files.deleteIfExists(spec);
                Files.deleteIfExists(pid);
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // the container's directory goes with delete anyway
            }
        }
    }

    /**
     * The process's standard streams as the engine sees them.
     *
     * @param terminal the pseudo-terminal runc relays to, which the streams are, or {@code null} for pipes
     */
    private record Stdio(OutputStream stdin, InputStream stdout, InputStream stderr, Terminal terminal) {
        /** runc's own pipes; without {@code attachStdin} its input is closed at once. */
        static Stdio of(Process process, boolean attachStdin) {
            if (attachStdin) {
                return new Stdio(process.getOutputStream(), process.getInputStream(), process.getErrorStream(), null);
            }
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // nothing to close
            }
            return new Stdio(OutputStream.nullOutputStream(), process.getInputStream(), process.getErrorStream(), null);
        }

        /** A terminal's: its output is stdout and stderr at once, so stderr is empty. */
        static Stdio of(Terminal terminal) {
            return new Stdio(terminal.input(), terminal.output(), InputStream.nullInputStream(), terminal);
        }
    }

    static List<String> command(Runc runc, Path dir, String id, String execId) {
        ExecFiles files = ExecFiles.of(dir, id, execId);
        List<String> command = new ArrayList<>(runc.base());
        command.addAll(List.of("--log", files.log().toString(), "exec", "--process", files.spec().toString(),
                "--pid-file", files.pid().toString(), id));
        return command;
    }

    static RuncExec start(Runc runc, Path dir, String id, String execId, byte[] processJson, boolean attachStdin)
            throws ContainerRuntimeException {
        ExecFiles files = ExecFiles.of(dir, id, execId);
        try {
            files.prepare(processJson);
            Process process = new ProcessBuilder(command(runc, dir, id, execId)).start();
            return new RuncExec(files, process, Stdio.of(process, attachStdin));
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    files.label() + ": cannot run runc exec: " + e.getMessage(), e);
        }
    }

    /**
     * Starts {@code runc exec} for a process with a terminal, runc's own standard streams the slave
     * of a pseudo-terminal of the plugin's: runc makes it raw and relays between it and the
     * container's terminal, and takes its size on {@code SIGWINCH}.
     */
    static RuncExec startWithTerminal(Runc runc, Path dir, String id, String execId, byte[] processJson)
            throws ContainerRuntimeException {
        ExecFiles files = ExecFiles.of(dir, id, execId);
        Terminals.Pty pty = null;
        try {
            files.prepare(processJson);
            pty = Terminals.openPty();
            Terminals.resize(pty.master(), 24, 80);
            // The slave is opened by the child, never by the daemon: a daemon that is a session leader
            // (started with setsid) would take it as its controlling terminal and get SIGHUP when it closes.
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$@\" <\"$BERTH_TTY\" >\"$BERTH_TTY\" 2>&1", "sh"));
            command.addAll(command(runc, dir, id, execId));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("BERTH_TTY", pty.slave());
            Process process = builder.start();
            return new RuncExec(files, process, Stdio.of(new Terminal(pty.master(), process)));
        } catch (IOException e) {
            if (pty != null) {
                Descriptors.close(pty.master());
            }
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    files.label() + ": cannot run runc exec with a terminal: " + e.getMessage(), e);
        }
    }

    @Override
    public long pid() {
        long deadline = System.nanoTime() + PID_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalLong pid = Conmon.readPid(files.pid());
            if (pid.isPresent()) {
                return pid.getAsLong();
            }
            if (!process.isAlive()) {
                return Conmon.readPid(files.pid()).orElse(0);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        return 0;
    }

    @Override
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        if (exit != null) {
            return Optional.of(exit);
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        int code = process.exitValue();
        String error = runcError();
        if (!error.isEmpty()) {
            String lower = error.toLowerCase(Locale.ROOT);
            // Docker: 127 when the program is not there, 126 for any other failure to run it
            code = lower.contains("executable file not found") || lower.contains("no such file or directory") ? 127 : 126;
        }
        exit = ExitFile.decode(code & 0xff, false, Instant.now());
        cleanUp();
        return Optional.of(exit);
    }

    /** @return runc's own error line, if runc (not the process) failed */
    String runcError() {
        try {
            return Runc.lastErrorInLog(Files.readString(files.log(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }

    private void cleanUp() {
        files.delete();
    }

    @Override
    public OutputStream stdin() {
        return stdio.stdin();
    }

    @Override
    public InputStream stdout() {
        return stdio.stdout();
    }

    @Override
    public InputStream stderr() {
        return stdio.stderr();
    }

    @Override
    public void resize(int rows, int columns) throws ContainerRuntimeException {
        if (stdio.terminal() != null) {
            stdio.terminal().resize(rows, columns, files.label());
        }
    }

    @Override
    public void close() {
        if (stdio.terminal() != null) {
            stdio.terminal().close();
            return;
        }
        try {
            stdio.stdin().close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** The master of the pseudo-terminal runc relays to. */
    private static final class Terminal {

        private final int master;
        private final Process runc;
        private final AtomicBoolean closed = new AtomicBoolean();

        Terminal(int master, Process runc) {
            this.master = master;
            this.runc = runc;
        }

        InputStream output() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    if (closed.get()) {
                        return -1;
                    }
                    byte[] buffer = new byte[Math.min(len, 8192)];
                    int n = Terminals.read(master, buffer);
                    if (n == 0) {
                        return -1;
                    }
                    System.arraycopy(buffer, 0, b, off, n);
                    return n;
                }
            };
        }

        OutputStream input() {
            return new OutputStream() {
                private volatile boolean ended;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    synchronized (Terminal.this) { // never write to a descriptor close() has given back
                        if (ended || closed.get()) {
                            throw new IOException("the terminal's input is closed");
                        }
                        Descriptors.write(master, b, off, len);
                    }
                }

                /** End of input on a terminal: Ctrl-D, as a user would type it. */
                @Override
                public void close() {
                    synchronized (Terminal.this) {
                        if (!ended && !closed.get()) {
                            ended = true;
                            try {
                                Descriptors.write(master, new byte[] {4}, 0, 1);
                            } catch (IOException e) {
                                // nobody reads the terminal any more
                            }
                        }
                    }
                }
            };
        }

        synchronized void resize(int rows, int columns, String label) throws ContainerRuntimeException {
            if (closed.get()) {
                return;
            }
            try {
                Terminals.resize(master, rows, columns);
                if (runc.isAlive()) {
                    Signals.kill(runc.pid(), Signals.SIGWINCH);
                }
            } catch (IOException e) {
                throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                        label + ": cannot resize the terminal: " + e.getMessage(), e);
            }
        }

        synchronized void close() {
            if (closed.compareAndSet(false, true)) {
                Descriptors.close(master);
            }
        }
    }

    @Override
    public String toString() {
        return files.label();
    }
}
